// Machines, their certificate stores and CA configuration.
#include "certbed/emulator/machine/machine.h"

#include <algorithm>
#include <string>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/certificates/certificate_facts.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

using repair::ErrorCode;
using repair::make_error;
using repair::Result;

repair::StoreLocation to_repair_location(StoreLocation location) {
  switch (location) {
    case StoreLocation::kLocalMachine:
      return repair::StoreLocation::kLocalMachine;
    case StoreLocation::kCurrentUser:
      return repair::StoreLocation::kCurrentUser;
    case StoreLocation::kLocalMachineEnterprise:
      return repair::StoreLocation::kLocalMachineEnterprise;
  }
  return repair::StoreLocation::kUnknown;
}

StoreLocation from_repair_location(repair::StoreLocation location) {
  switch (location) {
    case repair::StoreLocation::kCurrentUser:
      return StoreLocation::kCurrentUser;
    case repair::StoreLocation::kLocalMachineEnterprise:
      return StoreLocation::kLocalMachineEnterprise;
    case repair::StoreLocation::kLocalMachine:
    case repair::StoreLocation::kUnknown:
      break;
  }
  return StoreLocation::kLocalMachine;
}

std::string_view location_name(StoreLocation location) {
  return repair::location_name(to_repair_location(location));
}

Result<StoreLocation> parse_location(std::string_view name) {
  const std::string lower = to_lower_ascii(name);
  if (lower == "localmachine" || lower == "machine") return StoreLocation::kLocalMachine;
  if (lower == "currentuser" || lower == "user") return StoreLocation::kCurrentUser;
  if (lower == "localmachineenterprise" || lower == "enterprise") {
    return StoreLocation::kLocalMachineEnterprise;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown store location \"" + std::string(name) +
                        "\" (expected LocalMachine, CurrentUser or LocalMachineEnterprise)");
}

std::string CertificateStore::description() const {
  return std::string(location_name(location_)) + "\\" + name_;
}

Result<std::size_t> CertificateStore::add(repair::Bytes der, repair::PropertyBag properties,
                                          bool derive) {
  auto parsed = certificate_from_der(der);
  if (!parsed) return parsed.error();
  return add(parsed->get(), std::move(der), std::move(properties), derive);
}

Result<std::size_t> CertificateStore::add(X509* cert, repair::Bytes der,
                                          repair::PropertyBag properties, bool derive) {
  auto facts = certificate_facts(cert, der);
  if (!facts) return facts.error();
  if (by_sha1_.contains(facts->sha1)) {
    return make_error(ErrorCode::kConflict,
                      "certificate " + facts->sha1 + " is already in " + description());
  }
  if (derive) {
    auto derived = derived_properties(cert, der);
    if (!derived) return derived.error();
    for (auto& entry : *derived) {
      if (!properties.contains(entry.id)) properties.set(entry.id, std::move(entry.value));
    }
  }
  const std::size_t index = certificates_.size();
  facts->index = static_cast<std::uint32_t>(index);
  facts->properties = std::move(properties);
  if (index > UINT32_MAX - 1 || !by_sha1_.insert(facts->sha1, static_cast<std::uint32_t>(index))) {
    return make_error(ErrorCode::kInternal, "cannot index certificate " + facts->sha1);
  }
  by_serial_.insert(HashedPositions::hash(facts->serial), static_cast<std::uint32_t>(index));
  certificates_.push_back(StoredCertificate{std::move(der), std::move(*facts)});
  return index;
}

std::size_t CertificateStore::checked(std::size_t index) const {
  if (index >= certificates_.size()) {
    const std::string what = "certificate " + std::to_string(index) + " of " + description() +
                             ", which holds " + std::to_string(certificates_.size());
    repair::precondition_failed(what.c_str());
  }
  return index;
}

std::optional<std::size_t> CertificateStore::find_by_sha1(std::string_view sha1) const {
  return by_sha1_.find(sha1);
}

std::vector<std::size_t> CertificateStore::find_by_serial(std::string_view serial) const {
  std::vector<std::size_t> out;
  by_serial_.for_each(HashedPositions::hash(serial), [&](std::uint32_t position) {
    if (certificates_[position].facts.serial == serial) out.push_back(position);
  });
  std::sort(out.begin(), out.end());
  return out;
}

Machine::Machine(std::string machine_guid) : machine_guid_(std::move(machine_guid)) {
  for (auto location : {StoreLocation::kLocalMachine, StoreLocation::kCurrentUser}) {
    for (const char* name : {"My", "Root", "CA", "Request"}) store(location, name);
  }
}

CertificateStore& Machine::store(StoreLocation location, std::string_view name) {
  StoreKey key{location, to_lower_ascii(name)};
  auto it = stores_.find(key);
  if (it == stores_.end()) {
    it = stores_.emplace(key, CertificateStore(location, std::string(name))).first;
  }
  return it->second;
}

const CertificateStore* Machine::find_store(StoreLocation location, std::string_view name) const {
  auto it = stores_.find(StoreKey{location, to_lower_ascii(name)});
  return it == stores_.end() ? nullptr : &it->second;
}

CertificateStore* Machine::find_store(StoreLocation location, std::string_view name) {
  auto it = stores_.find(StoreKey{location, to_lower_ascii(name)});
  return it == stores_.end() ? nullptr : &it->second;
}

KeyProvider& Machine::provider(std::string_view name) {
  const std::string lower = to_lower_ascii(name);
  auto it = providers_.find(lower);
  if (it != providers_.end()) return it->second;
  ProviderInfo info =
      find_known_provider(name).value_or(ProviderInfo{std::string(name), 0, ProviderKind::kKsp});
  return providers_.emplace(lower, KeyProvider(std::move(info))).first->second;
}

Result<KeyProvider*> Machine::add_provider(ProviderInfo info) {
  if (info.name.empty()) return make_error(ErrorCode::kInvalidArgument, "a provider needs a name");
  if ((info.kind == ProviderKind::kKsp) != (info.type == repair::wincrypt::PROV_CNG_KSP)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "provider \"" + info.name + "\": a KSP has type 0 and a CSP a non-zero type");
  }
  const std::string lower = to_lower_ascii(info.name);
  auto it = providers_.find(lower);
  if (it != providers_.end()) {
    if (it->second.info() == info) return &it->second;
    return make_error(ErrorCode::kConflict,
                      "provider \"" + info.name + "\" already exists with another type");
  }
  return &providers_.emplace(lower, KeyProvider(std::move(info))).first->second;
}

const KeyProvider* Machine::find_provider(std::string_view name) const {
  auto it = providers_.find(to_lower_ascii(name));
  return it == providers_.end() ? nullptr : &it->second;
}

Result<const KeyContainer*> Machine::create_container(std::string_view provider_name,
                                                      std::string container,
                                                      std::vector<ContainerKey> keys,
                                                      repair::KeyScope scope, bool exportable,
                                                      std::vector<std::string> read_access) {
  KeyContainer c;
  c.unique_name = unique_container_name(container, machine_guid_);
  c.name = std::move(container);
  c.keys = std::move(keys);
  c.scope = scope;
  c.exportable = exportable;
  c.read_access = std::move(read_access);
  return provider(provider_name).add_container(std::move(c));
}

std::vector<repair::KeyContainerFacts> Machine::key_container_facts() const {
  std::vector<repair::KeyContainerFacts> out;
  for (const auto& [name, provider] : providers_) {
    for (const auto& c : provider.containers()) out.push_back(provider.facts(c));
  }
  return out;
}

}  // namespace certbed::emulator
