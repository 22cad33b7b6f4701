// Shared facts and helpers for the rule families (one file per family, one table in catalog.cc).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/rules/key_container_index.h"
#include "certbed/repair/rules/rule_ids.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::repair::rules {

// What every rule may look at, computed once per diagnosis.
struct Context {
  // The store for store-wide rules; null in a streaming diagnosis, which has no CA config.
  const ReadOnlyStore* store = nullptr;
  const DiagnosisOptions& options;
  KeyContainerIndex containers;
  bool containers_known = true;
  std::optional<CaConfigFacts> ca;
  bool containers_inferred = false;  // ReadOnlyStore::key_containers_inferred
  StoreIdentity store_identity;      // ReadOnlyStore::identity
};

// Where key association rules apply: the personal stores (My, Request, ...), where certificates
// live with their keys. Copies in Root, CA, AuthRoot or TrustedPublisher never carry property 2,
// and certutil finding a key for one is routine on a CA or a DC.
inline bool keys_belong_here(const Context& ctx) {
  return ctx.store_identity.role() == StoreRole::kPersonal;
}
inline bool is_trust_store(const Context& ctx) {
  return ctx.store_identity.role() == StoreRole::kTrust;
}

// For evidence: how the store was worked out when the input does not name it (a headerless dump
// taken as LocalMachine\\My because of its CA certificate's machine key); "" when the input or
// the user named it.
std::string inferred_store_note(const Context& ctx);

// For evidence: why a store-dependent rule could not tell whether it applies; "" when the store
// is a known personal store.
std::string unknown_store_note(const Context& ctx);

// certutil_store_command on the diagnosed store.
inline std::string certutil_command(const Context& ctx, std::string_view verb,
                                    std::string_view args = "", bool verbose = false) {
  return certutil_store_command(ctx.store_identity, verb, args, verbose);
}
// The certutil CertID rules name a certificate by: its SHA-1 thumbprint (serials are unique
// only per issuer), else its serial.
std::string cert_id(const CertFacts& cert);

inline bool listed_in_ca_config(const Context& ctx, const CertFacts& cert) {
  return ctx.ca && std::find(ctx.ca->ca_cert_hashes.begin(), ctx.ca->ca_cert_hashes.end(),
                             cert.sha1) != ctx.ca->ca_cert_hashes.end();
}

// Why a certificate whose Basic Constraints the input does not show is taken as a CA
// certificate: its CA Version extension, a CA or SubCA template, or a key container named after
// its subject's CN (AD CS names the CA's key after the CA). Empty when the input shows its
// Basic Constraints, or nothing says it is a CA. A self-signed subject alone is no evidence:
// IIS, RDP and WinRM make self-signed end-entity certificates.
std::string ca_evidence(const CertFacts& cert);

// A certificate of the CA: listed in CACertHash, Basic Constraints cA, or (when those are not
// shown) the evidence ca_evidence finds.
inline bool is_ca_certificate(const Context& ctx, const CertFacts& cert) {
  if (listed_in_ca_config(ctx, cert)) return true;
  if (cert.is_ca) return *cert.is_ca;
  return !ca_evidence(cert).empty();
}

// For evidence text: what was taken as given about the certificate's CA status, or "" when its
// Basic Constraints (or CACertHash) settle it.
std::string ca_status_note(const Context& ctx, const CertFacts& cert);

inline std::optional<KeyContainerFacts> find_container(const Context& ctx,
                                                       std::string_view provider,
                                                       std::string_view container) {
  return ctx.containers.find(provider, container);
}

using KeyMatch = KeyContainerIndex::KeyMatch;

// The first container holding the key, and how many do.
inline KeyContainerIndex::KeyCount containers_with_key(const Context& ctx,
                                                       const std::string& key_id) {
  return ctx.containers.count_key(key_id);
}

inline Finding finding_for(const Context& ctx, const CertFacts& cert, std::string_view rule,
                           Severity severity) {
  Finding f;
  f.rule = std::string(rule);
  f.severity = severity;
  f.index = cert.index;
  f.serial = cert.serial;
  f.sha1 = cert.sha1;
  f.subject = cert.subject;
  f.is_ca = is_ca_certificate(ctx, cert);
  return f;
}

inline std::string describe(const KeyProvInfo& info) {
  return "Key Container = " + info.container + ", Provider = " + info.provider +
         ", ProviderType = " + std::to_string(info.provider_type) +
         ", KeySpec = " + std::to_string(info.key_spec) + " -- " +
         std::string(wincrypt::key_spec_name(info.key_spec));
}

// Every correction of property 2 the store shows is needed, applied to `fixed` (one rule's
// fix), so that the rules rewriting property 2 of one certificate all ask for the same value:
// KeySpec 0 for a KSP key, CRYPT_MACHINE_KEYSET for a machine key in a LocalMachine store.
void apply_key_prov_info_corrections(const Context& ctx, const CertFacts& cert, KeyProvInfo& fixed);
// machine-keyset-flag-missing's condition: a LocalMachine (or enterprise) store, property 2 as
// stored without CRYPT_MACHINE_KEYSET, naming a container the backend knows is a machine key.
bool lacks_machine_keyset_flag(const Context& ctx, const CertFacts& cert, const KeyProvInfo& kpi);

// Rule families: each appends its findings for one certificate (or the whole store).
void dump_text_not_faithful(const Context&, const CertFacts&, std::vector<Finding>&);
void keyspec_not_shown(const Context&, const CertFacts&, std::vector<Finding>&);
void id_masked(const Context&, const CertFacts&, std::vector<Finding>&);
void ksp_keyspec_not_zero(const Context&, const CertFacts&, std::vector<Finding>&);
void csp_keyspec_mismatch(const Context&, const CertFacts&, std::vector<Finding>&);
void lost_key_association(const Context&, const CertFacts&, std::vector<Finding>&);
void missing_keyset(const Context&, const CertFacts&, std::vector<Finding>&);
void machine_keyset_flag_missing(const Context&, const CertFacts&, std::vector<Finding>&);
void key_does_not_match(const Context&, const CertFacts&, std::vector<Finding>&);
void key_acl_denied(const Context&, const CertFacts&, std::vector<Finding>&);
void sql_tls_needs_capi_keyexchange(const Context&, const CertFacts&, std::vector<Finding>&);
void adfs_keyspec2_not_recommended(const Context&, const CertFacts&, std::vector<Finding>&);
void adfs_cng_ssl_only(const Context&, const CertFacts&, std::vector<Finding>&);
void exchange_owa_ecp_needs_csp(const Context&, const CertFacts&, std::vector<Finding>&);
void ca_config_provider_mismatch(const Context&, std::vector<Finding>&);
void ca_cert_missing_from_store(const Context&, std::vector<Finding>&);

// The cannot-assess finding when none of `records` certificates was `usable` (assessable).
std::optional<Finding> cannot_assess(std::size_t records, std::size_t usable);
bool assessable(const CertFacts& cert);

// Every enabled per-certificate rule on one certificate (the diagnosis loop's body).
void diagnose_certificate(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out);

}  // namespace certbed::repair::rules
