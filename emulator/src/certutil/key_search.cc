// certutil's key search and key tests (see key_search.h).
#include "key_search.h"

#include <openssl/evp.h>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator::certutil {

namespace wc = repair::wincrypt;

KeyLookup find_linked_key(const Machine& machine, const repair::KeyProvInfo& info) {
  KeyLookup found;
  found.provider = machine.find_provider(info.provider);
  if (!found.provider) return found;
  found.container = found.provider->find_container(info.container);
  if (!found.container)
    found.container = found.provider->find_container_by_unique_name(info.container);
  if (!found.container) return found;
  const std::uint32_t spec =
      found.provider->info().kind == ProviderKind::kKsp ? wc::AT_NONE : info.key_spec;
  found.key = found.container->find_key(spec);
  if (!found.key && found.container->keys.size() == 1) found.key = &found.container->keys[0];
  return found;
}

bool prints_unique_container_name(const KeyProvider& provider) {
  return is_microsoft_provider(provider.info().name);
}

KeyLookup KeySearch::find(const std::string& public_key_id) {
  if (!built_) {
    for (const auto& [name, provider] : machine_.providers()) {
      for (const auto& container : provider.containers()) {
        for (const auto& key : container.keys) {
          index_.emplace(emulator::public_key_id(key.key.get()),
                         KeyLookup{&provider, &container, &key});
        }
      }
    }
    built_ = true;
  }
  auto it = index_.find(public_key_id);
  return it == index_.end() ? KeyLookup{} : it->second;
}

std::vector<std::string> key_status_lines(const KeyLookup& found, const repair::CertFacts& facts) {
  std::vector<std::string> out;
  if (!found.key) {
    out.emplace_back("Missing stored keyset");
    return out;
  }
  if (emulator::public_key_id(found.key->key.get()) != facts.public_key_id) {
    out.emplace_back("ERROR: Could not verify certificate public key against private key");
    return out;
  }
  if (!found.container->exportable) out.emplace_back("Private key is NOT exportable");
  // certutil runs the encryption test for key-exchange keys and the signature test otherwise.
  const bool rsa = EVP_PKEY_is_a(found.key->key.get(), "RSA");
  const bool encryption = found.provider->info().kind == ProviderKind::kCsp
                              ? found.key->key_spec == wc::AT_KEYEXCHANGE
                              : rsa && !facts.is_ca.value_or(false);
  out.emplace_back(encryption ? "Encryption test passed" : "Signature test passed");
  return out;
}

}  // namespace certbed::emulator::certutil
