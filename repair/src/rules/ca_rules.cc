// The CA configuration (CertSvc registry) against the CA certificates in the store.
#include "rule_support.h"

namespace certbed::repair::rules {

void ca_config_provider_mismatch(const Context& ctx, std::vector<Finding>& out) {
  if (!ctx.store || !ctx.ca || ctx.ca->ca_cert_hashes.empty()) return;
  const auto index = ctx.store->find_by_sha1(ctx.ca->ca_cert_hashes.back());
  if (!index) return;  // ca-cert-missing-from-store reports it
  const CertFacts cert = ctx.store->certificate(*index);
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || cert.key_prov_info_inferred) return;
  const KeyProvInfo& kpi = **info;
  const bool provider_differs = to_lower_ascii(kpi.provider) != to_lower_ascii(ctx.ca->provider);
  const bool type_differs = kpi.provider_type != ctx.ca->provider_type;
  if (!provider_differs && !type_differs) return;
  Finding f = finding_for(ctx, cert, rule_id::kCaConfigProviderMismatch, Severity::kError);
  f.is_ca = true;
  f.evidence = "CertSvc\\Configuration\\" + ctx.ca->ca_name + "\\CSP says Provider = \"" +
               ctx.ca->provider + "\", ProviderType = " + std::to_string(ctx.ca->provider_type) +
               "; the current CA certificate's key is in \"" + kpi.provider + "\", ProviderType " +
               std::to_string(kpi.provider_type);
  f.fix =
      "back up the registry (reg export HKLM\\SYSTEM\\CurrentControlSet\\Services\\CertSvc\\"
      "Configuration), then certutil -setreg ca\\csp\\Provider \"" +
      kpi.provider + "\" and certutil -setreg ca\\csp\\ProviderType " +
      std::to_string(kpi.provider_type) + ", and restart certsvc";
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

void ca_cert_missing_from_store(const Context& ctx, std::vector<Finding>& out) {
  if (!ctx.store || !ctx.ca) return;
  for (std::size_t i = 0; i < ctx.ca->ca_cert_hashes.size(); ++i) {
    const auto& hash = ctx.ca->ca_cert_hashes[i];
    if (ctx.store->find_by_sha1(hash)) continue;
    Finding f;
    f.rule = rule_id::kCaCertMissingFromStore;
    f.severity = Severity::kError;
    f.sha1 = hash;
    f.is_ca = true;
    f.evidence = "CACertHash entry " + std::to_string(i) + " (" + hash + ") of " + ctx.ca->ca_name +
                 " is not in " + ctx.store->description() +
                 "; Certificate Services will not start (NTE_BAD_KEYSET)";
    f.fix =
        "re-import the certificate from %systemroot%\\System32\\CertSrv\\CertEnroll "
        "(certutil -addstore my <file>.crt), then certutil -repairstore my " +
        hash;
    f.fix_kind = FixKind::kManual;
    out.push_back(std::move(f));
  }
}

}  // namespace certbed::repair::rules
