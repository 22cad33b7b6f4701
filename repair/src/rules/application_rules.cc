// Requirements of applications that use machine certificates (enabled by profile): SQL Server,
// AD FS and Exchange, each as its Microsoft documentation states it.
#include "rule_support.h"

namespace certbed::repair::rules {
namespace {

bool is_server_auth(const CertFacts& cert) {
  return std::find(cert.ekus.begin(), cert.ekus.end(), wincrypt::szOID_PKIX_KP_SERVER_AUTH) !=
         cert.ekus.end();
}

// Property 2 when the input shows all of it; nullopt when absent, malformed, or with numbers a
// non-verbose dump did not print (keyspec-not-shown reports those, so they are not judged).
std::optional<KeyProvInfo> shown_key_prov_info(const CertFacts& cert) {
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || cert.key_prov_info_inferred) return std::nullopt;
  return **info;
}

// The way to a CSP key with AT_KEYEXCHANGE: a new key, since a property edit changes only the
// metadata. The command is an example of certutil's -importPFX options, not a quotation.
std::string reimport_into_csp(std::string_view why_not_an_edit, std::string_view account) {
  std::string fix = std::string(why_not_an_edit) +
                    ": re-import the PFX into a CSP, e.g. certutil -f -p <password> -csp "
                    "\"Microsoft RSA SChannel Cryptographic Provider\" -importpfx my cert.pfx "
                    "AT_KEYEXCHANGE (or re-enroll with a legacy CSP template)";
  if (!account.empty())
    fix += ", then grant the " + std::string(account) + " read access to the key";
  return fix;
}

constexpr std::string_view kMoveBetweenProviders =
    "a property edit cannot move a key between providers";

// Quotations are from Microsoft Learn's AD FS KeySpec article (windows-server/identity/ad-fs/
// technical-reference/ad-fs-and-keyspec-property): its KeySpec table, whose row for KeySpec 1
// this is, and its sentence on the most common misconfiguration.
constexpr std::string_view kAdfsKeySpec1Roles =
    "\"SSL, token signing, token decrypting, service communication certificates\"";
// What no store shows: AD FS's configuration names its certificates, the store does not.
constexpr std::string_view kAdfsRoleUnknown =
    "the store does not say whether AD FS uses this certificate, nor in which role (SSL, token "
    "signing, token decrypting, service communication)";

// The key provider of a certificate AD FS may use, when the input shows it. A CA's own
// certificate is none of AD FS's (SSL, token signing, token decrypting, service
// communication), so it is not judged against their table.
std::optional<KeyProvInfo> adfs_candidate(const Context& ctx, const CertFacts& cert) {
  if (!ctx.options.has_profile("adfs") || is_ca_certificate(ctx, cert)) return std::nullopt;
  return shown_key_prov_info(cert);
}

}  // namespace

void sql_tls_needs_capi_keyexchange(const Context& ctx, const CertFacts& cert,
                                    std::vector<Finding>& out) {
  if (!ctx.options.has_profile("sql") || !is_server_auth(cert)) return;
  const auto kpi = shown_key_prov_info(cert);
  if (!kpi || (!kpi->is_ksp() && kpi->key_spec == wincrypt::AT_KEYEXCHANGE)) return;
  Finding f = finding_for(ctx, cert, rule_id::kSqlTlsNeedsCapiKeyExchange, Severity::kError);
  f.evidence = "Server Authentication certificate with " + describe(*kpi) +
               ": SQL Server requires a legacy CryptoAPI key created with KeySpec "
               "AT_KEYEXCHANGE (1)";
  f.fix = reimport_into_csp(kMoveBetweenProviders, "SQL Server service account");
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

void adfs_keyspec2_not_recommended(const Context& ctx, const CertFacts& cert,
                                   std::vector<Finding>& out) {
  const auto kpi = adfs_candidate(ctx, cert);
  // A KSP key with KeySpec 2 is a CNG key: adfs-cng-ssl-only and ksp-keyspec-not-zero say so.
  if (!kpi || kpi->is_ksp() || kpi->key_spec != wincrypt::AT_SIGNATURE) return;
  Finding f = finding_for(ctx, cert, rule_id::kAdfsKeySpec2NotRecommended, Severity::kWarning);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2): " + describe(*kpi) +
               ": Microsoft's AD FS KeySpec table gives KeySpec 2 as \"Not recommended\" and "
               "says \"The most common KeySpec mis-configuration is using a value of 2 for a "
               "certificate other than the token signing certificate.\" Not known: " +
               std::string(kAdfsRoleUnknown) +
               "; unless it is the token signing certificate, this is that misconfiguration";
  f.fix = reimport_into_csp(
      "a property edit cannot turn an AT_SIGNATURE key into an "
      "AT_KEYEXCHANGE one (KeySpec 1, which the table gives for " +
          std::string(kAdfsKeySpec1Roles) + ")",
      "AD FS service account");
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

void adfs_cng_ssl_only(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  const auto kpi = adfs_candidate(ctx, cert);
  if (!kpi || !kpi->is_ksp()) return;
  Finding f = finding_for(ctx, cert, rule_id::kAdfsCngSslOnly, Severity::kWarning);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2): " + describe(*kpi) +
               ": a CNG key (Key Storage Provider, ProviderType 0), which Microsoft's AD FS "
               "KeySpec table gives for the \"SSL certificate only\". Not known: " +
               std::string(kAdfsRoleUnknown) +
               "; as its SSL certificate this is what the table allows, in any other role it "
               "needs KeySpec 1, which the table gives for " +
               std::string(kAdfsKeySpec1Roles);
  f.fix = "nothing to change if AD FS uses it as its SSL certificate only; for another role, " +
          reimport_into_csp(kMoveBetweenProviders, "AD FS service account");
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

void exchange_owa_ecp_needs_csp(const Context& ctx, const CertFacts& cert,
                                std::vector<Finding>& out) {
  if (!ctx.options.has_profile("exchange") || !is_server_auth(cert)) return;
  const auto kpi = shown_key_prov_info(cert);
  // ProviderType, not the provider's name: Microsoft's article misnames the provider.
  if (!kpi || !kpi->is_ksp()) return;
  Finding f = finding_for(ctx, cert, rule_id::kExchangeOwaEcpNeedsCsp, Severity::kError);
  f.evidence = "Server Authentication certificate with " + describe(*kpi) +
               ": a Key Storage Provider key (ProviderType 0); Microsoft: \"Exchange Server "
               "does not support CNG/KSP certificates for securing Outlook Web App or ECP. A "
               "Cryptographic Service Provider (CSP) must be used instead.\" Not known: whether "
               "this certificate is the one enabled for IIS (OWA, ECP) on the Exchange server; "
               "if it is, with forms-based authentication, after a valid logon the user \"is "
               "redirected to the FBA page. There is "
               "no error message.\"";
  f.fix = "Microsoft: \"migrate the certificate to a CSP, or request a CSP certificate\"; " +
          reimport_into_csp(kMoveBetweenProviders, "");
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

}  // namespace certbed::repair::rules
