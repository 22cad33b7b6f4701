// A certutil dump into an emulated machine: plan every record (record_plan.cc), settle the
// missing keysets across the dump, create the containers, issue the certificates issuers first,
// add them with the dump's properties, and set the CA configuration.
#include "certbed/emulator/import/dump_import.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "certbed/emulator/certificates/certificate_facts.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/printable.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/dump_store.h"
#include "import_ca.h"
#include "record_plan.h"

namespace certbed::emulator {

using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;
namespace wc = repair::wincrypt;
using import::PlannedCertificate;

namespace {

std::string container_key(const import::PlannedContainer& c) {
  return to_lower_ascii(c.provider.name) + "\n" + to_lower_ascii(c.name);
}

// "Missing stored keyset" means one of two machines. When every key of the dump is missing and
// all are machine keys, the likeliest is a caller who may not read them (certutil run without
// elevation: KB 238187's default ACL grants SYSTEM and Administrators only), so the keys exist
// and the import records a standard-user caller. When some key opened, the caller could read
// keys, so a missing one is taken as absent.
std::string settle_missing_keysets(std::vector<PlannedCertificate>& plans) {
  std::size_t with_container = 0, missing = 0;
  bool all_machine = true;
  for (const auto& p : plans) {
    if (!p.container) continue;
    ++with_container;
    if (p.container->denies_caller) {
      ++missing;
      all_machine = all_machine && p.container->scope == repair::KeyScope::kMachine;
    }
  }
  const bool deny = missing > 0 && missing == with_container && all_machine;
  for (auto& p : plans) {
    if (!p.container || !p.container->denies_caller) continue;
    if (deny) {
      p.key_choices.push_back(p.label +
                              ": Missing stored keyset, as for every key of the dump: the machine "
                              "key exists and denies the dump's caller, taken as a standard user");
    } else {
      p.key_choices.push_back(p.label + ": Missing stored keyset: no container (" +
                              (missing == with_container
                                   ? std::string("a user key's ACL is not known")
                                   : std::string("other keys of the dump opened")) +
                              ")");
      p.container.reset();
    }
  }
  return deny ? "standard-user" : "administrator";
}

// One key per container, shared by every certificate whose property 2 names it (a renewal with
// the same key); a container whose key does not match gets a key that is not the certificate's.
Result<std::vector<ossl::SharedPkey>> choose_keys(
    std::vector<PlannedCertificate>& plans, std::map<std::string, ossl::SharedPkey>& containers) {
  KeySource keys = KeySource::deterministic();
  std::vector<ossl::SharedPkey> cert_keys(plans.size());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    auto& p = plans[i];
    // CSPs hold RSA keys only.
    if (p.container && p.container->provider.kind == ProviderKind::kCsp &&
        (p.key.algorithm == KeyAlgorithm::kEcP256 || p.key.algorithm == KeyAlgorithm::kEcP384)) {
      p.not_reproduced.push_back(p.label +
                                 ": an EC key in a CSP cannot be emulated: RSA 2048 used");
      p.key = {KeyAlgorithm::kRsa2048, false};
    }
    if (p.container && p.container->holds_certificate_key) {
      auto& shared = containers[container_key(*p.container)];
      if (!shared) {
        auto key = keys.next(p.key.algorithm);
        if (!key) return key.error();
        shared = *key;
      }
      cert_keys[i] = shared;
      continue;
    }
    auto key = keys.next(p.key.algorithm);
    if (!key) return key.error();
    cert_keys[i] = *key;
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const auto& p = plans[i];
    if (!p.container || p.container->holds_certificate_key) continue;
    auto& shared = containers[container_key(*p.container)];
    // The pool is small, so draw until the key differs from the certificate's.
    for (std::size_t tries = 0; !shared || EVP_PKEY_eq(shared.get(), cert_keys[i].get()) == 1;
         ++tries) {
      if (tries > KeySource::pool_size(KeyAlgorithm::kRsa2048)) {
        return make_error(ErrorCode::kInternal,
                          p.label + ": no key differs from the certificate's");
      }
      auto key = keys.next(KeyAlgorithm::kRsa2048);
      if (!key) return key.error();
      shared = *key;
    }
  }
  return cert_keys;
}

void create_containers(Machine& machine, const std::vector<PlannedCertificate>& plans,
                       const std::map<std::string, ossl::SharedPkey>& keys,
                       std::vector<repair::DumpWarning>& warnings) {
  std::set<std::string> created;
  for (const auto& p : plans) {
    if (!p.container) continue;
    const auto& c = *p.container;
    if (!created.insert(container_key(c)).second) continue;
    KeyProvider* provider = nullptr;
    if (find_known_provider(c.provider.name) || c.provider.kind == ProviderKind::kKsp) {
      provider = &machine.provider(c.provider.name);
    } else {
      auto added = machine.add_provider(c.provider);
      if (!added) {
        warnings.push_back({0, p.label + ": no container: " + added.error().message});
        continue;
      }
      provider = *added;
    }
    KeyContainer container;
    container.name = c.name;
    container.unique_name = c.unique_name.empty()
                                ? unique_container_name(c.name, machine.machine_guid())
                                : c.unique_name;
    container.scope = c.scope;
    container.exportable = c.exportable;
    const std::uint32_t key_spec = provider->info().kind == ProviderKind::kKsp ? 0 : c.key_spec;
    container.keys.push_back(ContainerKey{key_spec, keys.at(container_key(c))});
    auto added = provider->add_container(std::move(container));
    if (!added) warnings.push_back({0, p.label + ": no container: " + added.error().message});
  }
}

// Issues every planned certificate, each issuer before what it issued: an issuer in the dump
// (same subject, a CA or of unknown kind), else a synthetic issuer of the printed name that no
// store holds.
class Issuer {
 public:
  Issuer(std::vector<PlannedCertificate>& plans, const std::vector<ossl::SharedPkey>& keys)
      : plans_(plans),
        keys_(keys),
        issued_(plans.size()),
        errors_(plans.size()),
        state_(plans.size(), 0) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      if (plans[i].record->is_ca != false) by_subject_[plans[i].record->subject].push_back(i);
    }
  }

  const ossl::X509Ptr& issued(std::size_t i) const { return issued_[i]; }

  // Each certificate is issued once; asking again gives the first outcome (an issuer that
  // failed while its subject was being issued fails again here, with its reason).
  repair::Status issue(std::size_t i) {
    if (state_[i] == 2 && !issued_[i]) return errors_[i];
    if (state_[i] != 0) return {};
    state_[i] = 1;
    auto& p = plans_[i];
    const auto& r = *p.record;
    std::optional<IssuerRef> issuer;
    if (r.subject != r.issuer) {
      auto found = issuer_in_dump(i);
      if (!found) {
        auto synthetic = synthetic_issuer(r.issuer);
        if (!synthetic) {
          state_[i] = 2;
          errors_[i] =
              make_error(synthetic.error().code, p.label + ": " + synthetic.error().message);
          return errors_[i];
        }
        found = *synthetic;
        p.not_reproduced.push_back(p.label + ": its issuer is not in the dump: signed by a " +
                                   "synthetic issuer of the printed name, kept in no store");
      }
      issuer = found;
    }
    const EVP_PKEY* signer = issuer ? issuer->key : keys_[i].get();
    const bool deterministic = EVP_PKEY_is_a(signer, "RSA") == 1;
    if (!deterministic) {
      p.not_reproduced.push_back(p.label +
                                 ": signed with ECDSA, whose signatures OpenSSL makes with a "
                                 "random nonce: the certificate differs on each import");
    }
    auto cert = issue_certificate(p.spec, keys_[i].get(), issuer, deterministic);
    state_[i] = 2;
    if (!cert) {
      errors_[i] = make_error(cert.error().code, p.label + ": " + cert.error().message);
      return errors_[i];
    }
    issued_[i] = std::move(*cert);
    return {};
  }

 private:
  std::optional<IssuerRef> issuer_in_dump(std::size_t i) {
    auto it = by_subject_.find(plans_[i].record->issuer);
    if (it == by_subject_.end()) return std::nullopt;
    // A known CA first, then one of unknown kind; one being issued (a cycle) is skipped.
    for (const bool want_ca : {true, false}) {
      for (std::size_t j : it->second) {
        if (j == i || state_[j] == 1 || plans_[j].is_ca != want_ca) continue;
        if (!issue(j).ok() || !issued_[j]) continue;
        return IssuerRef{issued_[j].get(), keys_[j].get()};
      }
    }
    return std::nullopt;
  }

  Result<IssuerRef> synthetic_issuer(const std::string& name) {
    auto& entry = synthetic_[name];
    if (!entry.certificate) {
      CertificateSpec spec;
      spec.profile = CertificateProfile::kRootCa;
      auto dn = import::parse_display_name(name);
      if (!dn) return make_error(dn.error().code, "issuer " + dn.error().message);
      spec.subject = std::move(*dn);
      char serial[16];
      std::snprintf(serial, sizeof(serial), "7d%06zx", synthetic_.size());
      spec.serial_hex = serial;
      spec.not_before = utc_seconds(2000, 1, 1);
      spec.not_after = utc_seconds(2049, 12, 31);
      auto key = synthetic_keys_.next(KeyAlgorithm::kRsa2048);
      if (!key) return key.error();
      auto cert = issue_certificate(spec, key->get(), std::nullopt, true);
      if (!cert) return cert.error();
      entry.certificate = std::move(*cert);
      entry.key = std::move(*key);
    }
    return IssuerRef{entry.certificate.get(), entry.key.get()};
  }

  struct Synthetic {
    ossl::X509Ptr certificate;
    ossl::SharedPkey key;
  };
  std::vector<PlannedCertificate>& plans_;
  const std::vector<ossl::SharedPkey>& keys_;
  std::vector<ossl::X509Ptr> issued_;
  std::vector<repair::Status> errors_;
  std::vector<int> state_;  // 0 not yet, 1 being issued, 2 done
  std::map<std::string, std::vector<std::size_t>> by_subject_;
  std::map<std::string, Synthetic> synthetic_;
  KeySource synthetic_keys_ = KeySource::deterministic();
};

// Ids whose printed value belongs to the original encoding or key and has no new value here.
bool depends_on_original(std::uint32_t id) {
  return repair::is_derived_property(static_cast<PropertyId>(id)) ||
         id == repair::to_number(PropertyId::CERT_SUBJECT_PUBLIC_KEY_MD5_HASH_PROP_ID) ||
         id == repair::to_number(PropertyId::CERT_SUBJECT_NAME_MD5_HASH_PROP_ID) ||
         id == 28;  // CERT_ISSUER_PUBLIC_KEY_MD5_HASH_PROP_ID
}

// The dump's properties in its order: values it printed exactly, the hashes and key identifier
// computed anew, property 2 as printed (or inferred, with flags for the store's location).
Result<repair::PropertyBag> properties_for(PlannedCertificate& p, X509* cert,
                                           const repair::Bytes& der,
                                           repair::StoreLocation location) {
  const auto& r = *p.record;
  const repair::CertFacts facts = r.to_cert_facts();
  std::vector<std::uint32_t> order;
  for (const auto& prop : r.properties) order.push_back(prop.id);
  for (const auto& entry : facts.properties.entries()) order.push_back(repair::to_number(entry.id));
  auto derived = derived_properties(cert, der);
  if (!derived) return derived.error();
  repair::PropertyBag bag;
  std::set<std::uint32_t> seen;
  for (const std::uint32_t id : order) {
    if (!seen.insert(id).second || !repair::is_settable_property_id(id)) continue;
    const auto pid = static_cast<PropertyId>(id);
    const auto fresh = std::find_if(derived->begin(), derived->end(),
                                    [&](const repair::PropertyEntry& e) { return e.id == pid; });
    if (fresh != derived->end()) {
      bag.set(pid, fresh->value);
    } else if (depends_on_original(id) ||
               (id == repair::to_number(PropertyId::CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID) &&
                !p.key.exact)) {
      p.not_reproduced.push_back(p.label + ": " + repair::property_label(pid) +
                                 " belongs to the original certificate or key: left out");
    } else if (const auto* value = facts.properties.find(pid)) {
      bag.set(pid, *value);
    } else {
      p.not_reproduced.push_back(p.label + ": " + repair::property_label(pid) +
                                 " is printed decoded, not as its bytes: left out");
    }
  }
  if (facts.key_prov_info_inferred && bag.contains(PropertyId::CERT_KEY_PROV_INFO_PROP_ID)) {
    auto info = facts.key_prov_info();
    if (info && info->has_value()) {
      repair::KeyProvInfo kpi = **info;
      if (location != repair::StoreLocation::kCurrentUser) kpi.flags |= wc::CRYPT_MACHINE_KEYSET;
      auto bytes = repair::encode_key_prov_info(kpi);
      if (!bytes) return bytes.error();
      bag.set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, std::move(*bytes));
      p.not_reproduced.push_back(p.label + ": property 2's ProviderType, Flags and KeySpec are " +
                                 "not printed: inferred as " + repair::printable(kpi.to_string()));
    }
  }
  return bag;
}

// The GUID of "<md5>_<machine GUID>", the shape Windows gives unique container names.
std::string machine_guid_of(const std::vector<PlannedCertificate>& plans) {
  for (const auto& p : plans) {
    if (!p.container) continue;
    for (const auto* name : {&p.container->unique_name, &p.container->name}) {
      if (name->size() == 69 && (*name)[32] == '_' && (*name)[41] == '-') return name->substr(33);
    }
  }
  return {};
}

}  // namespace

Result<ImportedMachine> import_store_dump(std::string_view bytes, const std::string& source,
                                          const DumpImportOptions& options) {
  auto parsed = repair::parse_store_dump(bytes, source);
  if (!parsed) return parsed.error();
  auto& [records, summary] = *parsed;
  if (auto refused = repair::not_a_store_dump(summary, source)) return *refused;
  if (records.empty()) {
    return make_error(ErrorCode::kParse, source + ": the dump holds no certificate record");
  }
  // The store is worked out from the original text: its evidence identifies nobody.
  repair::DumpStoreEvidence evidence;
  for (const auto& r : records) evidence.add(r.to_cert_facts());
  ImportedMachine out;
  out.store = evidence.identity(summary, options.hint);
  out.verbose = std::any_of(records.begin(), records.end(),
                            [](const repair::DumpCertificate& r) { return r.verbose; });
  std::vector<std::string> original_sha1;
  Anonymizer anonymizer;
  if (options.anonymize) {
    for (const auto& r : records) original_sha1.push_back(r.sha1);
    anonymizer.anonymize(records);
  }
  if (!out.store.name_known()) {
    return make_error(ErrorCode::kInvalidArgument,
                      source +
                          ": the dump names no store (its header line, such as `my "
                          "\"Personal\"`, is missing); say which with --store");
  }
  if (out.store.location == repair::StoreLocation::kUnknown) {
    return make_error(ErrorCode::kInvalidArgument,
                      source + ": the dump does not show whether " + out.store.name +
                          " is a LocalMachine or a CurrentUser store (certutil prints neither, "
                          "and no property shows it); say which with --location");
  }
  out.warnings = summary.warnings;

  DumpImportRecord record;
  record.source = options.anonymize ? std::string("anonymized dump")
                                    : std::filesystem::path(source).filename().string();
  record.not_reproduced.push_back(
      "every certificate: re-signed with keys from certbed's test-key pool (a dump holds no "
      "private key and not the whole encoding), so signatures, thumbprints and key ids differ");
  record.not_reproduced.push_back(
      "every certificate: which key test certutil prints (signature or encryption) follows the "
      "emulator's model of certutil, not the dump's line");
  std::vector<PlannedCertificate> plans;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto planned = import::plan_certificate(records[i], i);
    if (!planned) {
      out.warnings.push_back({records[i].first_line, "not imported: " + planned.error().message});
      record.not_reproduced.push_back("not imported: " + planned.error().message);
      continue;
    }
    import::plan_container(*planned, out.store.location);
    plans.push_back(std::move(*planned));
  }
  record.caller = settle_missing_keysets(plans);
  std::map<std::string, ossl::SharedPkey> container_keys;
  auto cert_keys = choose_keys(plans, container_keys);
  if (!cert_keys) return cert_keys.error();
  if (auto guid = machine_guid_of(plans); !guid.empty()) {
    out.machine = Machine(guid);
  } else {
    record.not_reproduced.push_back(
        "machine GUID: no unique container name of the <hash>_<GUID> shape shows it: certbed's "
        "default used");
  }
  Machine& machine = out.machine;
  create_containers(machine, plans, container_keys, out.warnings);

  Issuer issuer(plans, *cert_keys);
  CertificateStore& store = machine.store(from_repair_location(out.store.location), out.store.name);
  std::vector<std::optional<std::string>> imported_sha1(plans.size());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    auto& p = plans[i];
    auto issued = issuer.issue(i);
    if (!issued.ok()) {
      out.warnings.push_back({p.record->first_line, "not imported: " + issued.error().message});
      continue;
    }
    X509* cert = issuer.issued(i).get();
    if (cert == nullptr) continue;  // defensive: issue() reported every failure above
    const auto der = certificate_der(cert);
    auto bag = properties_for(p, cert, der, out.store.location);
    if (!bag) return bag.error();
    auto added = store.add(cert, der, std::move(*bag), /*derive=*/true);
    if (!added) {
      out.warnings.push_back(
          {p.record->first_line, "not imported: " + p.label + ": " + added.error().message});
      continue;
    }
    imported_sha1[i] = store.at(*added).facts.sha1;
    if (options.anonymize) {
      const auto position = static_cast<std::size_t>(p.record - records.data());
      if (!original_sha1[position].empty()) {
        anonymizer.add_thumbprint(original_sha1[position], *imported_sha1[i]);
      }
    } else if (!p.record->sha1.empty()) {
      record.thumbprints.push_back({p.record->sha1, *imported_sha1[i]});
    }
  }
  import::set_ca_configuration(machine, plans, imported_sha1, record.not_reproduced);
  for (const auto& p : plans) {
    record.not_reproduced.insert(record.not_reproduced.end(), p.not_reproduced.begin(),
                                 p.not_reproduced.end());
    record.key_choices.insert(record.key_choices.end(), p.key_choices.begin(), p.key_choices.end());
  }
  if (store.size() == 0) {
    return make_error(
        ErrorCode::kParse,
        source + ": no certificate of the dump could be re-created (" +
            (out.warnings.empty() ? std::string("no reason given") : out.warnings.back().message) +
            ")");
  }
  machine.import_record() = std::move(record);
  out.replacements = anonymizer.table();
  return out;
}

}  // namespace certbed::emulator
