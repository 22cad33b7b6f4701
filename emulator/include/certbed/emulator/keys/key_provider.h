// Emulated key providers: CNG Key Storage Providers and legacy CAPI CSPs holding named key
// containers with real OpenSSL keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "certbed/emulator/crypto/ossl.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_container_facts.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

enum class ProviderKind { kKsp, kCsp };

struct ProviderInfo {
  std::string name;
  std::uint32_t type = 0;  // 0 for every KSP
  ProviderKind kind = ProviderKind::kKsp;

  bool operator==(const ProviderInfo&) const = default;
};

// The Microsoft providers certbed knows by name.
const std::vector<ProviderInfo>& known_providers();
// A known provider by name (case-insensitive), or nullopt.
std::optional<ProviderInfo> find_known_provider(std::string_view name);
// Whether Microsoft ships the provider: every provider of Windows is named "Microsoft ...".
// certbed takes any other provider for a third party's (an HSM or a smart card), whose keys are
// not exportable and whose key lines certutil prints differently (see the callers).
bool is_microsoft_provider(std::string_view name);

struct ContainerKey {
  std::uint32_t key_spec = 0;  // 0 in a KSP; AT_KEYEXCHANGE (1) or AT_SIGNATURE (2) in a CSP
  ossl::SharedPkey key;
};

struct KeyContainer {
  std::string name;
  std::string unique_name;
  repair::KeyScope scope = repair::KeyScope::kMachine;
  bool exportable = false;
  std::vector<ContainerKey> keys;
  // Accounts granted Read on the key file; empty is Windows' default, which
  // default_read_access gives.
  std::vector<std::string> read_access;

  const ContainerKey* find_key(std::uint32_t key_spec) const;
};

class KeyProvider {
 public:
  explicit KeyProvider(ProviderInfo info) : info_(std::move(info)) {}

  const ProviderInfo& info() const { return info_; }
  const std::vector<KeyContainer>& containers() const { return containers_; }

  // Adds a container after checking what Windows enforces: a name unique in the provider
  // (case-insensitive), one key with KeySpec 0 in a KSP, RSA keys with distinct KeySpecs 1/2 in
  // a CSP.
  repair::Result<const KeyContainer*> add_container(KeyContainer container);
  const KeyContainer* find_container(std::string_view name) const;
  // By the name Windows shows as "Unique container name" (case-insensitive); CryptoAPI opens a
  // container by that name too [doc CryptGetProvParam, PP_UNIQUE_CONTAINER].
  const KeyContainer* find_container_by_unique_name(std::string_view unique_name) const;
  bool remove_container(std::string_view name);

  repair::KeyContainerFacts facts(const KeyContainer& container) const;

 private:
  ProviderInfo info_;
  std::vector<KeyContainer> containers_;
  // Lower-case name -> position in containers_, so lookups stay O(1) in providers holding
  // hundreds of thousands of containers.
  std::unordered_map<std::string, std::size_t> by_lower_name_;
  std::unordered_map<std::string, std::size_t> by_lower_unique_name_;
};

// Who may read a key the container's creator did not grant to anyone else. KB 238187: "By
// default, when a key container is created, the local system and the creator are the only users
// who have access to the container"; machine keys are created by administrators, so SYSTEM and
// Administrators. A user key's creator is a user the emulator does not name, so its ACL is
// unknown (nullopt) unless the snapshot gives one.
std::optional<std::vector<std::string>> effective_read_access(const KeyContainer& container);

// "<md5 of the lower-case name>_<machine GUID>", the shape of the names Windows shows as
// "Unique container name" (the hash input is an approximation; see the implementation).
std::string unique_container_name(std::string_view container, std::string_view machine_guid);

using repair::to_lower_ascii;

}  // namespace certbed::emulator
