// Requirements of applications that use machine certificates (enabled by profile).
#include "rule_support.h"

namespace certbed::repair::rules {

void sql_tls_needs_capi_keyexchange(const Context& ctx, const CertFacts& cert,
                                    std::vector<Finding>& out) {
  if (!ctx.options.has_profile("sql")) return;
  if (std::find(cert.ekus.begin(), cert.ekus.end(), wincrypt::szOID_PKIX_KP_SERVER_AUTH) ==
      cert.ekus.end()) {
    return;
  }
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || cert.key_prov_info_inferred) return;
  const KeyProvInfo& kpi = **info;
  if (!kpi.is_ksp() && kpi.key_spec == wincrypt::AT_KEYEXCHANGE) return;
  Finding f = finding_for(ctx, cert, rule_id::kSqlTlsNeedsCapiKeyExchange, Severity::kError);
  f.evidence = "Server Authentication certificate with " + describe(kpi) +
               ": SQL Server requires a legacy CryptoAPI key created with KeySpec "
               "AT_KEYEXCHANGE (1)";
  f.fix =
      "a property edit cannot move a key between providers: re-import the PFX into a CSP, "
      "e.g. certutil -f -p <password> -csp \"Microsoft RSA SChannel Cryptographic Provider\" "
      "-importpfx my cert.pfx AT_KEYEXCHANGE (or re-enroll with a legacy CSP template), then "
      "grant the SQL Server service account read access to the key";
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

}  // namespace certbed::repair::rules
