// The CA configuration (CertSvc registry) of a machine imported from a dump.
#include "import_ca.h"

#include <algorithm>
#include <map>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/repair/model/printable.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::emulator::import {

namespace {

// The CA's name: its certificate's CN, else the most specific attribute's value.
std::string ca_name_of(const DistinguishedName& subject) {
  std::string cn = common_name(subject);
  if (cn.empty() && !subject.attributes.empty()) cn = subject.attributes.front().value;
  return cn;
}

// The CA certificate's index (CA Version's low 16 bits); 0 when not printed.
std::uint32_t cert_index(const PlannedCertificate& p) {
  return p.record->ca_version ? (*p.record->ca_version & 0xFFFF) : 0;
}

}  // namespace

void set_ca_configuration(Machine& machine, const std::vector<PlannedCertificate>& plans,
                          const std::vector<std::optional<std::string>>& imported_sha1,
                          std::vector<std::string>& notes) {
  const CertificateStore* my = nullptr;
  for (const auto& [key, store] : machine.stores()) {
    // AD CS keeps its certificates with their keys in LocalMachine\My only.
    if (store.size() > 0 && store.location() == StoreLocation::kLocalMachine &&
        repair::canonical_store_name(store.name()) == "My") {
      my = &store;
    }
  }
  if (my == nullptr) return;
  // Subject -> the plans of its CA certificates.
  std::map<std::string, std::vector<std::size_t>> cas;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const auto& r = *plans[i].record;
    if (imported_sha1[i] && plans[i].is_ca && r.key_provider && r.key_provider->provider) {
      cas[r.subject].push_back(i);
    }
  }
  if (cas.empty()) return;
  const auto rank = [&](const std::vector<std::size_t>& group) {
    bool key_opened = false;
    std::int64_t latest = 0;
    for (std::size_t i : group) {
      const auto& c = plans[i].container;
      key_opened = key_opened || (c && c->holds_certificate_key && !c->denies_caller);
      latest = std::max(latest, plans[i].spec.not_before);
    }
    return std::pair{key_opened, latest};
  };
  auto chosen = cas.begin();
  for (auto it = cas.begin(); it != cas.end(); ++it) {
    if (rank(it->second) > rank(chosen->second)) chosen = it;
  }
  auto group = chosen->second;
  std::sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
    return cert_index(plans[a]) < cert_index(plans[b]);
  });
  const auto& newest = plans[group.back()];
  CaConfiguration ca;
  ca.ca_name = ca_name_of(newest.spec.subject);
  const auto index = my->find_by_sha1(*imported_sha1[group.back()]);
  if (!index) return;
  auto info = my->at(*index).facts.key_prov_info();
  if (!info || !info->has_value()) return;
  ca.provider = (*info)->provider;
  ca.provider_type = (*info)->provider_type;
  ca.machine_keyset = (*info)->machine_keyset();
  for (std::size_t i : group) ca.ca_cert_hashes.push_back(*imported_sha1[i]);
  const bool root = newest.record->subject == newest.record->issuer;
  // AD CS writes the v1 template extension "CA" / "SubCA" into an enterprise CA's certificate.
  const bool enterprise =
      newest.record->template_name == "CA" || newest.record->template_name == "SubCA";
  ca.ca_type = root ? (enterprise ? ENUM_ENTERPRISE_ROOTCA : ENUM_STANDALONE_ROOTCA)
                    : (enterprise ? ENUM_ENTERPRISE_SUBCA : ENUM_STANDALONE_SUBCA);
  std::string note = "CA configuration: \"" + repair::printable(ca.ca_name) + "\" from " +
                     std::to_string(group.size()) +
                     " CA certificate(s); CAType from the template extension, "
                     "CNGHashAlgorithm SHA256 and CAServerName empty (a dump shows neither)";
  if (cas.size() > 1) {
    note += "; " + std::to_string(cas.size()) +
            " CA subjects in the dump: this one because its key opened or its certificate is "
            "the latest";
  }
  const auto first_index = cert_index(plans[group.front()]);
  const auto last_index = cert_index(plans[group.back()]);
  if (std::any_of(group.begin(), group.end(),
                  [&](std::size_t i) { return !plans[i].record->ca_version; })) {
    note += "; a CA certificate without a printed CA Version is taken as index 0";
  } else if (first_index != 0 || last_index + 1 != group.size()) {
    note += "; its CA Versions do not run 0.." + std::to_string(group.size() - 1) +
            ", so CACertHash lists them in index order without gaps";
  }
  notes.push_back(std::move(note));
  machine.ca_configuration() = std::move(ca);
}

}  // namespace certbed::emulator::import
