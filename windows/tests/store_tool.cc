// Test tool: a live store as crypt32 sees it, for the serialized-store interop tests.
//   store_tool.exe save STORE FILE.sst   LocalMachine\STORE saved by CertSaveStore
//   store_tool.exe show STORE            LocalMachine\STORE as JSON: each certificate's SHA-1
//                                        and every property crypt32 enumerates, in hex
//   store_tool.exe load FILE.sst         how many certificates crypt32 reads from the file
//                                        (CERT_STORE_PROV_FILENAME)
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "certbed/repair/model/bytes.h"
#include "certbed/windows/crypt_store.h"
#include "certbed/windows/handles.h"
#include "certbed/windows/win_text.h"

namespace {

int load(const char* path) {
  const auto wide = certbed::windows::to_wide(path);
  if (!wide) return 2;
  certbed::windows::UniqueCertStore store(
      CertOpenStore(CERT_STORE_PROV_FILENAME_W, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                    CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG, wide->c_str()));
  if (!store) {
    std::fprintf(stderr, "store_tool: CertOpenStore(%s) failed: 0x%08lx\n", path,
                 static_cast<unsigned long>(GetLastError()));
    return 1;
  }
  std::size_t count = 0;
  for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(store.get(), nullptr); c != nullptr;
       c = CertEnumCertificatesInStore(store.get(), c)) {
    ++count;
  }
  std::printf("%zu\n", count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace certbed;
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: store_tool save STORE FILE.sst | show STORE | load FILE.sst\n");
    return 2;
  }
  const std::string verb = argv[1];
  if (verb == "load" && argc == 3) return load(argv[2]);
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
