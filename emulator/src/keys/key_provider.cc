// Emulated KSPs and CSPs: named containers holding OpenSSL keys, per KeySpec for CSPs.
#include "certbed/emulator/keys/key_provider.h"

#include <algorithm>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::ErrorCode;
using repair::make_error;

const std::vector<ProviderInfo>& known_providers() {
  static const std::vector<ProviderInfo> providers = {
      {std::string(wc::MS_KEY_STORAGE_PROVIDER), wc::PROV_CNG_KSP, ProviderKind::kKsp},
      {std::string(wc::MS_PLATFORM_CRYPTO_PROVIDER), wc::PROV_CNG_KSP, ProviderKind::kKsp},
      {std::string(wc::MS_SMART_CARD_KEY_STORAGE_PROVIDER), wc::PROV_CNG_KSP, ProviderKind::kKsp},
      {std::string(wc::MS_NGC_KEY_STORAGE_PROVIDER), wc::PROV_CNG_KSP, ProviderKind::kKsp},
      {std::string(wc::MS_DEF_PROV), wc::PROV_RSA_FULL, ProviderKind::kCsp},
      {std::string(wc::MS_ENHANCED_PROV), wc::PROV_RSA_FULL, ProviderKind::kCsp},
      {std::string(wc::MS_STRONG_PROV), wc::PROV_RSA_FULL, ProviderKind::kCsp},
      {std::string(wc::MS_SCARD_PROV), wc::PROV_RSA_FULL, ProviderKind::kCsp},
      {std::string(wc::MS_DEF_RSA_SCHANNEL_PROV), wc::PROV_RSA_SCHANNEL, ProviderKind::kCsp},
      {std::string(wc::MS_ENH_RSA_AES_PROV), wc::PROV_RSA_AES, ProviderKind::kCsp},
  };
  return providers;
}

bool is_microsoft_provider(std::string_view name) { return name.starts_with("Microsoft"); }

std::optional<ProviderInfo> find_known_provider(std::string_view name) {
  const std::string lower = to_lower_ascii(name);
  for (const auto& p : known_providers()) {
    if (to_lower_ascii(p.name) == lower) return p;
  }
  return std::nullopt;
}

const ContainerKey* KeyContainer::find_key(std::uint32_t key_spec) const {
  for (const auto& k : keys) {
    if (k.key_spec == key_spec) return &k;
  }
  return nullptr;
}

repair::Result<const KeyContainer*> KeyProvider::add_container(KeyContainer container) {
  const std::string where = "container \"" + container.name + "\" in " + info_.name;
  if (container.name.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a key container needs a name (" + info_.name + ")");
  }
  if (find_container(container.name) != nullptr) {
    return make_error(ErrorCode::kConflict, where + " already exists");
  }
  if (container.keys.empty()) {
    return make_error(ErrorCode::kInvalidArgument, where + " holds no key");
  }
  for (const auto& k : container.keys) {
    if (!k.key) return make_error(ErrorCode::kInvalidArgument, where + " has an empty key slot");
  }
  if (info_.kind == ProviderKind::kKsp) {
    if (container.keys.size() != 1 || container.keys[0].key_spec != wc::AT_NONE) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": a KSP container holds exactly one key, with KeySpec 0");
    }
  } else {
    if (container.keys.size() > 2) {
      return make_error(ErrorCode::kInvalidArgument,
                        where +
                            ": a CSP container holds at most "
                            "an AT_KEYEXCHANGE and an AT_SIGNATURE key");
    }
    for (const auto& k : container.keys) {
      if (k.key_spec != wc::AT_KEYEXCHANGE && k.key_spec != wc::AT_SIGNATURE) {
        return make_error(
            ErrorCode::kInvalidArgument,
            where + ": a CSP key has KeySpec 1 (AT_KEYEXCHANGE) or 2 (AT_SIGNATURE), not " +
                std::to_string(k.key_spec));
      }
      if (!EVP_PKEY_is_a(k.key.get(), "RSA")) {
        return make_error(ErrorCode::kUnsupported, where + ": the RSA CSPs hold RSA keys only");
      }
    }
    if (container.keys.size() == 2 && container.keys[0].key_spec == container.keys[1].key_spec) {
      return make_error(ErrorCode::kInvalidArgument, where + " has two keys with the same KeySpec");
    }
  }
  by_lower_name_.emplace(to_lower_ascii(container.name), containers_.size());
  if (!container.unique_name.empty()) {
    by_lower_unique_name_.emplace(to_lower_ascii(container.unique_name), containers_.size());
  }
  containers_.push_back(std::move(container));
  return &containers_.back();
}

const KeyContainer* KeyProvider::find_container(std::string_view name) const {
  // Windows compares container names case-insensitively.
  auto it = by_lower_name_.find(to_lower_ascii(name));
  return it == by_lower_name_.end() ? nullptr : &containers_[it->second];
}

const KeyContainer* KeyProvider::find_container_by_unique_name(std::string_view unique_name) const {
  auto it = by_lower_unique_name_.find(to_lower_ascii(unique_name));
  return it == by_lower_unique_name_.end() ? nullptr : &containers_[it->second];
}

bool KeyProvider::remove_container(std::string_view name) {
  const std::string lower = to_lower_ascii(name);
  auto it = std::find_if(containers_.begin(), containers_.end(),
                         [&](const KeyContainer& c) { return to_lower_ascii(c.name) == lower; });
  if (it == containers_.end()) return false;
  containers_.erase(it);
  // Positions after the removed one moved down; removal is rare, so re-index.
  by_lower_name_.clear();
  by_lower_unique_name_.clear();
  for (std::size_t i = 0; i < containers_.size(); ++i) {
    by_lower_name_.emplace(to_lower_ascii(containers_[i].name), i);
    if (!containers_[i].unique_name.empty()) {
      by_lower_unique_name_.emplace(to_lower_ascii(containers_[i].unique_name), i);
    }
  }
  return true;
}

repair::KeyContainerFacts KeyProvider::facts(const KeyContainer& container) const {
  repair::KeyContainerFacts f;
  f.provider = info_.name;
  f.provider_type = info_.type;
  f.container = container.name;
  f.unique_container = container.unique_name;
  f.scope = container.scope;
  f.exportable = container.exportable;
  f.read_access = effective_read_access(container);
  for (const auto& k : container.keys) {
    repair::KeyFacts kf;
    kf.key_spec = k.key_spec;
    if (auto alg = key_algorithm_of(k.key.get())) {
      kf.algorithm = std::string(cng_algorithm_name(*alg));
      kf.bits = key_bits(*alg);
    }
    kf.public_key_id = public_key_id(k.key.get());
    f.keys.push_back(std::move(kf));
  }
  return f;
}

std::optional<std::vector<std::string>> effective_read_access(const KeyContainer& container) {
  if (!container.read_access.empty()) return container.read_access;
  if (container.scope == repair::KeyScope::kMachine) {
    return std::vector<std::string>{"NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators"};
  }
  return std::nullopt;
}

std::string unique_container_name(std::string_view container, std::string_view machine_guid) {
  // Windows names key files "<hash of the container name>_<MachineGuid>". The exact hash input
  // is not public [unknown]; MD5 of the lower-cased name keeps the shape and stays stable.
  const std::string lower = to_lower_ascii(container);
  const auto hash =
      md5(repair::ByteView(reinterpret_cast<const std::uint8_t*>(lower.data()), lower.size()));
  return repair::to_hex(hash) + "_" + std::string(machine_guid);
}

}  // namespace certbed::emulator
