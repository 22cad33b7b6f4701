// What the engine knows about a private key container in a CSP or KSP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {

enum class KeyScope { kMachine, kUser };

struct KeyFacts {
  std::uint32_t key_spec = 0;  // 0 for a KSP key; AT_KEYEXCHANGE or AT_SIGNATURE in a CSP
  std::string algorithm;       // "RSA", "ECDSA_P256", "ECDSA_P384"
  std::uint32_t bits = 0;
  std::string public_key_id;  // same derivation as CertFacts::public_key_id

  bool operator==(const KeyFacts&) const = default;
};

struct KeyContainerFacts {
  std::string provider;
  std::uint32_t provider_type = 0;  // 0 = KSP
  std::string container;
  std::string unique_container;
  KeyScope scope = KeyScope::kMachine;
  bool exportable = false;
  std::vector<KeyFacts> keys;  // a KSP container holds one; a CSP container one per KeySpec
  // The accounts the key file's DACL grants Read (MachineKeys or Crypto\Keys), as Windows names
  // them ("NT AUTHORITY\SYSTEM", "BUILTIN\Administrators"); nullopt where the backend cannot
  // see the ACL (a dump prints none).
  std::optional<std::vector<std::string>> read_access;

  bool operator==(const KeyContainerFacts&) const = default;

  bool is_ksp() const { return provider_type == wincrypt::PROV_CNG_KSP; }
  const KeyFacts* find_key(std::uint32_t key_spec) const {
    for (const auto& k : keys) {
      if (k.key_spec == key_spec) return &k;
    }
    return nullptr;
  }
};

}  // namespace certbed::repair
