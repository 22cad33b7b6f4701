// Test tool: a live store as crypt32 sees it, for the serialized-store interop tests.
//   store_tool.exe save STORE FILE.sst   LocalMachine\STORE saved by CertSaveStore
//   store_tool.exe show STORE            LocalMachine\STORE as JSON: each certificate's SHA-1
//                                        and every property crypt32 enumerates, in hex
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "certbed/repair/model/bytes.h"
#include "certbed/windows/crypt_store.h"

int main(int argc, char** argv) {
  using namespace certbed;
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: store_tool save STORE FILE.sst | store_tool show STORE\n");
    return 2;
  }
  const std::string verb = argv[1];
  auto store = windows::CryptStore::open_system(repair::StoreLocation::kLocalMachine, argv[2]);
  if (!store) {
    std::fprintf(stderr, "store_tool: %s\n", store.error().to_string().c_str());
    return 1;
  }
  if (verb == "save" && argc == 4) {
    if (auto saved = store->save_as_sst(argv[3]); !saved) {
      std::fprintf(stderr, "store_tool: %s\n", saved.error().to_string().c_str());
      return 1;
    }
    return 0;
  }
  if (verb != "show" || argc != 3) {
    std::fprintf(stderr, "store_tool: unknown verb %s\n", verb.c_str());
    return 2;
  }
  auto certificates = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < store->size(); ++i) {
    const auto facts = store->certificate(i);
    auto properties = nlohmann::ordered_json::object();
    for (const auto& entry : facts.properties.entries()) {
      properties[std::to_string(repair::to_number(entry.id))] = repair::to_hex(entry.value);
    }
    certificates.push_back({{"sha1", facts.sha1}, {"properties", std::move(properties)}});
  }
  std::printf("%s\n",
              nlohmann::ordered_json{{"certificates", std::move(certificates)}}.dump(2).c_str());
  return 0;
}
