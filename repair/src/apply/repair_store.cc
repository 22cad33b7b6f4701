// certutil -repairstore on any Store: an INF's properties, or the key association, staged.
#include "certbed/repair/apply/repair_store.h"

#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/cert_id.h"

namespace certbed::repair {
namespace {

void certificate_header(std::vector<std::string>& out, std::size_t index, const CertFacts& c) {
  out.push_back("================ Certificate " + std::to_string(index) + " ================");
  out.push_back("Serial Number: " + c.serial);
  out.push_back("Subject: " + c.subject);
  out.push_back("Cert Hash(sha1): " + c.sha1);
}

std::optional<Bytes> current_value(const CertFacts& c, PropertyId id) {
  const Bytes* value = c.properties.find(id);
  return value ? std::optional<Bytes>(*value) : std::nullopt;
}

// The key container holding the certificate's public key, as -repairstore finds it.
Result<KeyProvInfo> find_key_association(const ReadOnlyStore& store, const CertFacts& cert,
                                         const RepairStoreOptions& options) {
  struct Candidate {
    const KeyContainerFacts* container;
    const KeyFacts* key;
  };
  const auto containers = store.key_containers();
  std::vector<Candidate> found;
  std::vector<std::string> unopened;  // matching keys the store's user could not open
  for (const auto& container : containers) {
    if (options.provider && to_lower_ascii(container.provider) != to_lower_ascii(*options.provider))
      continue;
    for (const auto& key : container.keys) {
      if (cert.public_key_id.empty() || key.public_key_id != cert.public_key_id) continue;
      // certutil opens a key before it can compare it, so a key it cannot open is not found.
      if (auto opened = store.open_private_key(container, key); !opened) {
        unopened.push_back(container.provider + " / " + container.container + ": " +
                           opened.error().message);
        continue;
      }
      found.push_back(Candidate{&container, &key});
    }
  }
  if (found.empty() && !unopened.empty()) {
    std::string why;
    for (const auto& u : unopened) why += (why.empty() ? "" : "; ") + u;
    return make_error(ErrorCode::kNotFound,
                      "the private key of certificate " + cert.serial + " (" + cert.subject +
                          ") could not be opened (" + why +
                          "); run -repairstore as an account the key's ACL grants Read, nothing "
                          "was changed");
  }
  if (found.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "no private key matches the public key of certificate " + cert.serial + " (" +
                          cert.subject + ")" +
                          (options.provider ? " in " + *options.provider : std::string()) +
                          "; the key association cannot be repaired, nothing was changed");
  }
  if (found.size() > 1) {
    std::string where;
    for (const auto& f : found) {
      where += (where.empty() ? "" : "; ") + f.container->provider + " / " + f.container->container;
    }
    return make_error(ErrorCode::kAmbiguous, "the public key of certificate " + cert.serial +
                                                 " is in more than one key "
                                                 "container (" +
                                                 where + "); name the provider (-csp) to choose");
  }
  const auto& c = *found.front().container;
  KeyProvInfo info;
  info.container = c.container;
  info.provider = c.provider;
  info.provider_type = c.provider_type;
  info.flags = c.scope == KeyScope::kMachine ? wincrypt::CRYPT_MACHINE_KEYSET : 0;
  // A CNG key has no KeySpec; a CSP key's KeySpec is the slot it lives in.
  info.key_spec = c.is_ksp() ? wincrypt::AT_NONE : found.front().key->key_spec;
  return info;
}

// The INF key provider text has no way to say rgProvParam, so an INF rewrite of property 2
// would drop a stored value's provider parameters without saying so.
Status check_no_provider_params(const CertFacts& cert) {
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || (*info)->params.empty()) return {};
  return make_error(ErrorCode::kUnsafe,
                    "certificate " + cert.serial + ": property 2 holds " +
                        std::to_string((*info)->params.size()) +
                        " provider parameter(s) (cProvParam), which an INF cannot express; "
                        "rewriting property 2 from the INF would drop them, so nothing was "
                        "changed");
}

}  // namespace

Result<RepairStoreResult> stage_repair_store(const ReadOnlyStore& store,
                                             std::string_view cert_id_list, const PropertyInf* inf,
                                             const RepairStoreOptions& options) {
  auto matched = match_cert_ids(store, cert_id_list);
  if (!matched) return matched.error();

  RepairStoreResult result;
  for (auto index : *matched) {
    const CertFacts cert = store.certificate(index);
    certificate_header(result.transcript, index, cert);
    auto change = [&](PropertyId id, std::optional<Bytes> after) {
      auto before = current_value(cert, id);
      if (before == after) return false;
      result.changes.push_back(
          PropertyChange{index, cert.sha1, cert.serial, id, std::move(before), std::move(after)});
      return true;
    };
    if (inf != nullptr) {
      for (const auto& p : inf->properties) {
        if (p.id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
          if (auto s = check_no_provider_params(cert); !s) return s.error();
        }
        const bool changed = change(
            p.id, p.kind == InfValueKind::kDelete ? std::nullopt : std::optional<Bytes>(p.value));
        const char* what = !changed                          ? "unchanged"
                           : p.kind == InfValueKind::kDelete ? "deleted"
                                                             : "set";
        result.transcript.push_back("  " + property_label(p.id) + ": " + what);
      }
      continue;
    }
    auto info = find_key_association(store, cert, options);
    if (!info) return info.error();
    auto value = encode_key_prov_info(*info);
    if (!value) return value.error();
    change(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, std::move(*value));
    result.transcript.push_back("  Key Container = " + info->container);
    result.transcript.push_back("  Provider = " + info->provider);
    result.transcript.push_back(info->provider + ": KeySpec=" + std::to_string(info->key_spec));
  }

  result.transcript.emplace_back("CertUtil: -repairstore command completed successfully.");
  return result;
}

Status commit_changes(Store& store, const std::vector<PropertyChange>& changes) {
  if (changes.empty()) return {};
  auto tx = store.begin_transaction();
  if (!tx) return tx.error();
  for (const auto& c : changes) {
    auto staged = c.after ? (*tx)->set_property(c.sha1, c.id, *c.after)
                          : (*tx)->delete_property(c.sha1, c.id);
    if (!staged) return staged.error();
  }
  return (*tx)->commit();
}

Result<RepairStoreResult> repair_store(Store& store, std::string_view cert_id_list,
                                       const PropertyInf* inf, const RepairStoreOptions& options) {
  auto result = stage_repair_store(store, cert_id_list, inf, options);
  if (!result) return result.error();
  if (auto committed = commit_changes(store, result->changes); !committed) {
    return committed.error();
  }
  return result;
}

}  // namespace certbed::repair
