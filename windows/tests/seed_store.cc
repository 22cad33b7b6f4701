// Test tool: puts the seed article's state into a live store, as a CA machine has it: CA
// certificates (DER files) in LocalMachine\STORE whose property 2 names the KSP key
// "Contoso CA" with KeySpec 2. The store is created when missing.
//   seed_store.exe STORE CERT.der...
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "certbed/repair/model/key_prov_info.h"
#include "certbed/windows/crypt_store.h"

int main(int argc, char** argv) {
  using namespace certbed;
  if (argc < 3) {
    std::fprintf(stderr, "usage: seed_store STORE CERT.der...\n");
    return 2;
  }
  const repair::KeyProvInfo seed{
      "Contoso CA", "Microsoft Software Key Storage Provider", 0, 0x20, 2, {}};
  auto store = windows::CryptStore::open_system(repair::StoreLocation::kLocalMachine, argv[1],
                                                /*create=*/true);
  if (!store) {
    std::fprintf(stderr, "seed_store: %s\n", store.error().to_string().c_str());
    return 1;
  }
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const repair::Bytes der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (der.empty()) {
      std::fprintf(stderr, "seed_store: cannot read %s\n", argv[i]);
      return 2;
    }
    auto added = store->add_encoded(
        der, {repair::PropertyEntry{static_cast<repair::PropertyId>(CERT_KEY_PROV_INFO_PROP_ID),
                                    repair::encode_key_prov_info(seed).value()}});
    if (!added) {
      std::fprintf(stderr, "seed_store: %s\n", added.error().to_string().c_str());
      return 1;
    }
  }
  return 0;
}
