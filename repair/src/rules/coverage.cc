// What a diagnosis checked and what it could not: the lines summaries print beside the findings,
// so that "no findings" is never read as more than the input allowed.
#include "rule_support.h"

namespace certbed::repair {

void DiagnosisCoverage::add(const CertFacts& cert) {
  ++certificates;
  if (rules::assessable(cert)) ++assessable;
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value()) return;
  ++with_key_provider;
  if (!cert.key_prov_info_inferred) ++keyspec_shown;
}

DiagnosisCoverage diagnosis_coverage(const ReadOnlyStore& store, const DiagnosisOptions& options) {
  DiagnosisCoverage out;
  out.service_account = options.service_account;
  for (const auto& c : store.key_containers()) {
    if (c.read_access) ++out.containers_with_acl;
  }
  out.store = store.identity();
  out.containers_known = store.knows_key_containers();
  out.containers_inferred = store.key_containers_inferred();
  out.ca_configuration = store.ca_configuration().has_value();
  for (std::size_t i = 0; i < store.size(); ++i) out.add(store.certificate(i));
  return out;
}

std::vector<std::string> coverage_lines(const DiagnosisCoverage& c) {
  std::vector<std::string> out;
  std::string store = "store: " + c.store.to_string();
  std::string sources;
  if (!c.store.name_source.empty() && c.store.name_source == c.store.location_source) {
    sources = "name and location from " + c.store.name_source;
  } else if (!c.store.name_source.empty()) {
    sources += "name from " + c.store.name_source;
  }
  if (!c.store.location_source.empty() && c.store.name_source != c.store.location_source) {
    sources +=
        (sources.empty() ? "" : "; ") + std::string("location from ") + c.store.location_source;
  }
  if (!sources.empty()) store += " (" + sources + ")";
  if (c.store.location == StoreLocation::kUnknown) {
    store +=
        "; the location was not shown (no AccessState, no machine key), so commands target "
        "LocalMachine, certutil's default";
  }
  if (!c.store.name_known()) {
    store += "; which store it is was not known, so the key association rules only informed";
  } else if (c.store.role() == StoreRole::kTrust) {
    store +=
        "; a trust store holds copies without keys, so the key association rules did not "
        "run";
  }
  out.push_back(std::move(store));

  std::string certs = std::to_string(c.certificates) + " certificate(s) read";
  if (c.assessable != c.certificates) {
    certs += ", " + std::to_string(c.certificates - c.assessable) +
             " without a serial or thumbprint (not checked)";
  }
  certs += ", " + std::to_string(c.with_key_provider) + " with a key provider (property 2)";
  if (c.with_key_provider > 0) {
    certs += c.keyspec_shown == c.with_key_provider
                 ? "; KeySpec shown for all of them"
                 : "; KeySpec shown for " + std::to_string(c.keyspec_shown) +
                       " of them (the "
                       "KeySpec rules "
                       "checked only those)";
  }
  out.push_back(std::move(certs));

  if (!c.containers_known) {
    out.push_back("key containers: not visible, so no rule checked that the keys exist");
  } else if (c.containers_inferred) {
    out.push_back(
        "key containers: inferred from the key lines certutil printed (a key it could not open "
        "counts as missing)");
  } else {
    out.push_back("key containers: read from the machine's providers");
  }
  out.push_back(c.ca_configuration
                    ? "CA configuration: read (CACertHash, CSP\\Provider)"
                    : "CA configuration: not available, so CACertHash and CSP\\Provider were not "
                      "checked");
  // Only asked for with --service-account: without an account there is no one to check for.
  if (!c.service_account.empty()) {
    out.push_back(c.containers_with_acl > 0
                      ? "key access: checked for " + c.service_account + " against the ACLs of " +
                            std::to_string(c.containers_with_acl) + " key container(s)"
                      : "key access: not checked for " + c.service_account +
                            ": the input shows no key ACLs (a dump prints none)");
  }
  return out;
}

}  // namespace certbed::repair
