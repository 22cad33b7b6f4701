// The read-only Store over a parsed certutil dump: facts and containers inferred per record.
#include "certbed/repair/store/dump_store.h"

#include <algorithm>
#include <string>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {

bool says_keyset_missing(const DumpCertificate& record) {
  for (const auto& status : record.key_status) {
    if (status.find("Missing stored keyset") != std::string::npos ||
        status.find("Keyset does not exist") != std::string::npos ||
        status.find("NTE_BAD_KEYSET") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool says_key_does_not_match(const DumpCertificate& record) {
  for (const auto& status : record.key_status) {
    if (status.find("Could not verify certificate public key against private key") !=
            std::string::npos ||
        status.find("Certificate public key does NOT match stored keyset") != std::string::npos) {
      return true;
    }
  }
  return false;
}

DumpRecordFacts dump_record_facts(const DumpCertificate& record, std::uint32_t index) {
  DumpRecordFacts out;
  CertFacts& facts = out.certificate;
  facts = record.to_cert_facts();
  // The engine indexes certificates by their position; the dump's own number stays in index
  // only when it matches (a filtered dump prints store-wide numbers).
  facts.index = index;
  // Without a printed key id, the certificate's thumbprint stands in for its key's identity:
  // the containers below come from this very record, so the link holds.
  if (facts.public_key_id.empty()) facts.public_key_id = "certificate:" + facts.sha1;
  const auto info = facts.key_prov_info();
  const bool has_info = info.ok() && info->has_value();
  // A container whose key failed the match still exists (so it is no missing keyset), but it
  // must not count as holding the certificate's key. certutil printed no id for the key it
  // found; this stand-in is no hex key id and not the "certificate:" one above, so it matches
  // no certificate's key, and it is not empty (which rules read as "not known").
  const std::string key_id =
      says_key_does_not_match(record) ? "does-not-match:" + facts.sha1 : facts.public_key_id;
  auto key = [&](const DumpKeyProvider& kp, std::uint32_t key_spec) {
    KeyContainerFacts c;
    c.provider = kp.provider.value_or("");
    c.container = kp.container ? *kp.container : kp.simple_container.value_or("");
    c.unique_container = kp.unique_container.value_or("");
    c.provider_type = kp.provider_type.value_or(has_info ? (*info)->provider_type : 0);
    c.keys.push_back(KeyFacts{c.is_ksp() ? wincrypt::AT_NONE : key_spec, "", 0, key_id});
    if (!c.provider.empty() && !c.container.empty()) out.containers.push_back(std::move(c));
  };
  if (record.key_provider && !says_keyset_missing(record)) {
    key(*record.key_provider, has_info ? (*info)->key_spec : wincrypt::AT_KEYEXCHANGE);
  }
  if (record.found_key) key(*record.found_key, wincrypt::AT_KEYEXCHANGE);
  return out;
}

Result<DumpStore> DumpStore::parse(std::string_view bytes, const std::string& source,
                                   const StoreHint& hint) {
  auto parsed = parse_store_dump(bytes, source);
  if (!parsed) return parsed.error();
  return from_records(std::move(parsed->first), std::move(parsed->second), source, hint);
}

std::optional<Error> not_a_store_dump(const DumpSummary& summary, const std::string& source) {
  if (to_lower_ascii(summary.verb) != "scinfo") return std::nullopt;
  return make_error(ErrorCode::kParse,
                    source + " is the output of certutil -" + summary.verb +
                        " (a smart card's keys and certificates), not of certutil -store: its "
                        "KeySpecs are the card's key slots, so the store rules do not run on it; "
                        "diagnose the store the card's certificate is in (certutil -v -store "
                        "my > store.txt)");
}

Result<DumpStore> DumpStore::from_records(std::vector<DumpCertificate> records, DumpSummary summary,
                                          const std::string& source, const StoreHint& hint) {
  if (auto refused = not_a_store_dump(summary, source)) return *refused;
  DumpStore store;
  store.source_ = source;
  store.summary_ = std::move(summary);
  store.records_ = std::move(records);
  DumpStoreEvidence evidence;
  for (std::size_t i = 0; i < store.records_.size(); ++i) {
    auto facts = dump_record_facts(store.records_[i], static_cast<std::uint32_t>(i));
    evidence.add(facts.certificate);
    for (auto& c : facts.containers) store.containers_.push_back(std::move(c));
    if (!facts.certificate.sha1.empty()) store.by_sha1_.emplace(facts.certificate.sha1, i);
    store.certificates_.push_back(std::move(facts.certificate));
  }
  store.identity_ = evidence.identity(store.summary_, hint);
  return store;
}

Result<std::unique_ptr<Transaction>> DumpStore::begin_transaction() {
  return make_error(ErrorCode::kUnsupported,
                    description() +
                        " is a read-only view of a certutil dump; change the store it was "
                        "taken from (or a snapshot imported from it) instead");
}

CertFacts DumpStore::certificate(std::size_t index) const {
  if (index >= certificates_.size()) {
    const std::string what = "DumpStore::certificate(" + std::to_string(index) + ") of " +
                             std::to_string(certificates_.size()) + " certificates";
    precondition_failed(what.c_str());
  }
  return certificates_[index];
}

std::optional<std::size_t> DumpStore::find_by_sha1(std::string_view sha1) const {
  auto it = by_sha1_.find(std::string(sha1));
  if (it == by_sha1_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::size_t> DumpStore::find_by_serial(std::string_view serial) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < certificates_.size(); ++i) {
    if (certificates_[i].serial == serial) out.push_back(i);
  }
  return out;
}

}  // namespace certbed::repair
