// KeySpec consistency: a CNG key has no KeySpec; a CSP key's KeySpec is the slot it lives in.
#include "rule_support.h"

namespace certbed::repair::rules {

void ksp_keyspec_not_zero(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || cert.key_prov_info_inferred) return;
  const KeyProvInfo& kpi = **info;
  if (!kpi.is_ksp() || kpi.key_spec == wincrypt::AT_NONE) return;
  const bool ca = is_ca_certificate(ctx, cert);
  // Renewal with the existing key pair fails for a CA; elsewhere CNG callers ignore KeySpec,
  // but CAPI callers take the wrong path, so it is worth fixing everywhere.
  Finding f = finding_for(ctx, cert, rule_id::kKspKeySpecNotZero,
                          ca ? Severity::kError : Severity::kWarning);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2): " + describe(kpi) +
               ": the key is in a Key Storage Provider (ProviderType 0), where KeySpec must be 0";
  if (ca) f.evidence += "; renewing this CA certificate with the existing key pair fails";
  if (auto note = ca_status_note(ctx, cert); !note.empty()) f.evidence += " (" + note + ")";
  if (auto note = inferred_store_note(ctx); !note.empty()) f.evidence += " (" + note + ")";
  KeyProvInfo fixed = kpi;
  apply_key_prov_info_corrections(ctx, cert, fixed);
  f.fix = "rewrite property 2 with KeySpec = 0 (" +
          certutil_command(ctx, "-repairstore", cert_id(cert) + " KeyProv.inf") +
          "), keeping container, provider, type and flags";
  f.fix_kind = FixKind::kPropertyInf;
  f.key_provider = std::move(fixed);
  out.push_back(std::move(f));
}

void csp_keyspec_mismatch(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || cert.key_prov_info_inferred) return;
  const KeyProvInfo& kpi = **info;
  if (kpi.is_ksp()) return;
  const bool ca = is_ca_certificate(ctx, cert);
  const Severity severity = ca ? Severity::kError : Severity::kWarning;
  if (kpi.key_spec != wincrypt::AT_KEYEXCHANGE && kpi.key_spec != wincrypt::AT_SIGNATURE) {
    Finding f = finding_for(ctx, cert, rule_id::kCspKeySpecMismatch, severity);
    f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2): " + describe(kpi) +
                 ": a CryptoAPI CSP key needs KeySpec 1 (AT_KEYEXCHANGE) or 2 (AT_SIGNATURE)";
    if (auto note = ca_status_note(ctx, cert); !note.empty()) f.evidence += " (" + note + ")";
    if (auto note = inferred_store_note(ctx); !note.empty()) f.evidence += " (" + note + ")";
    if (auto note = inferred_store_note(ctx); !note.empty()) f.evidence += " (" + note + ")";
    // Which slot the key is in decides the fix; look it up when the container is visible.
    const auto container = find_container(ctx, kpi.provider, kpi.container);
    const KeyFacts* key = nullptr;
    if (container) {
      for (const auto& k : container->keys) {
        if (k.public_key_id == cert.public_key_id) key = &k;
      }
    }
    if (key) {
      KeyProvInfo fixed = kpi;
      fixed.key_spec = key->key_spec;
      apply_key_prov_info_corrections(ctx, cert, fixed);
      f.fix = "rewrite property 2 with KeySpec = " + std::to_string(key->key_spec) +
              ", the slot that holds the certificate's key";
      f.fix_kind = FixKind::kPropertyInf;
      f.key_provider = std::move(fixed);
    } else {
      f.fix = "find which KeySpec the key was created with (" +
              certutil_command(ctx, "-store", cert_id(cert), true) +
              " shows the key test) and rewrite property 2 with it";
      f.fix_kind = FixKind::kManual;
    }
    out.push_back(std::move(f));
    return;
  }
  if (!ctx.containers_known) return;
  const auto container = find_container(ctx, kpi.provider, kpi.container);
  if (!container) return;  // missing-keyset reports it
  const KeyFacts* named = container->find_key(kpi.key_spec);
  if (named && (named->public_key_id.empty() || named->public_key_id == cert.public_key_id)) return;
  for (const auto& k : container->keys) {
    if (k.public_key_id != cert.public_key_id || k.key_spec == kpi.key_spec) continue;
    Finding f = finding_for(ctx, cert, rule_id::kCspKeySpecMismatch, severity);
    f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2): " + describe(kpi) + ", but container \"" +
                 kpi.container + "\" holds the certificate's key as KeySpec " +
                 std::to_string(k.key_spec) + " (" +
                 std::string(wincrypt::key_spec_name(k.key_spec)) + ")";
    if (auto note = ca_status_note(ctx, cert); !note.empty()) f.evidence += " (" + note + ")";
    if (auto note = inferred_store_note(ctx); !note.empty()) f.evidence += " (" + note + ")";
    if (auto note = inferred_store_note(ctx); !note.empty()) f.evidence += " (" + note + ")";
    KeyProvInfo fixed = kpi;
    fixed.key_spec = k.key_spec;
    apply_key_prov_info_corrections(ctx, cert, fixed);
    f.fix = "rewrite property 2 with KeySpec = " + std::to_string(k.key_spec);
    f.fix_kind = FixKind::kPropertyInf;
    f.key_provider = std::move(fixed);
    out.push_back(std::move(f));
    return;
  }
}

}  // namespace certbed::repair::rules
