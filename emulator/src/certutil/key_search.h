// certutil's key search: the key a certificate's property 2 names, the search of every provider
// for a certificate without property 2, and the key tests certutil reports for what it found.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/model/cert_facts.h"
#include "certbed/repair/model/key_prov_info.h"

namespace certbed::emulator::certutil {

struct KeyLookup {
  const KeyProvider* provider = nullptr;
  const KeyContainer* container = nullptr;
  const ContainerKey* key = nullptr;
};

// The key a certificate's property 2 points at. A KSP container ignores KeySpec, and a container
// holding a single key yields it whatever KeySpec says.
KeyLookup find_linked_key(const Machine& machine, const repair::KeyProvInfo& info);

// certutil's search of every provider for a certificate's public key. The index (first key in
// provider, container and slot order wins, as a scan would find it) is built on the first
// search, so a dump pays for one pass over the containers, not one per unlinked certificate.
class KeySearch {
 public:
  explicit KeySearch(const Machine& machine) : machine_(machine) {}

  KeyLookup find(const std::string& public_key_id);

 private:
  const Machine& machine_;
  bool built_ = false;
  std::unordered_map<std::string, KeyLookup> index_;
};

// Whether certutil prints "Unique container name:" for a key opened in this provider. [inferred]
// from real dumps: the Microsoft Software KSP prints it (fixtures/dumps/real 08, 09), the HSM KSPs
// of nCipher (02) and Securosys (10) do not; other third-party providers are taken to behave
// like those two.
bool prints_unique_container_name(const KeyProvider& provider);

// What certutil prints after opening the key: a missing keyset, a key that is not the
// certificate's, or the exportability and the encryption or signature test.
std::vector<std::string> key_status_lines(const KeyLookup& found, const repair::CertFacts& facts);

}  // namespace certbed::emulator::certutil
