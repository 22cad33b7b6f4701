// The rule table and the diagnosis loop.
#include "rule_support.h"

namespace certbed::repair {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "unknown";
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError}) {
    if (severity_name(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view fix_kind_name(FixKind kind) {
  switch (kind) {
    case FixKind::kNone:
      return "none";
    case FixKind::kPropertyInf:
      return "inf";
    case FixKind::kRepairKeyAssociation:
      return "repair-key-association";
    case FixKind::kManual:
      return "manual";
  }
  return "none";
}

std::optional<FixKind> parse_fix_kind(std::string_view name) {
  for (FixKind k :
       {FixKind::kNone, FixKind::kPropertyInf, FixKind::kRepairKeyAssociation, FixKind::kManual}) {
    if (fix_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

bool DiagnosisOptions::has_profile(std::string_view name) const {
  return std::find(profiles.begin(), profiles.end(), name) != profiles.end();
}

namespace {

using CertRule = void (*)(const rules::Context&, const CertFacts&, std::vector<Finding>&);
using StoreRule = void (*)(const rules::Context&, std::vector<Finding>&);

struct RuleEntry {
  RuleInfo info;
  CertRule per_certificate;
  StoreRule per_store;
};

const std::vector<RuleEntry>& entries() {
  static const std::vector<RuleEntry> table = {
      {{rule_id::kDumpTextNotFaithful, Severity::kWarning, "how the dump's text was decoded",
        "a certificate whose dump text was read in a guessed code page, or holds U+FFFD, a NUL "
        "or a cut line; its names are kept out of INFs and scripts",
        ""},
       rules::dump_text_not_faithful,
       nullptr},
      {{rule_id::kIdMasked, Severity::kWarning, "the ids a dump printed",
        "a certificate whose serial, thumbprint, key id or unique container name documentation "
        "masked (aaaabbbb, xxx, <serial>): no script names it by them, and its repair is a step "
        "run by hand with the real thumbprint",
        ""},
       rules::id_masked,
       nullptr},
      {{rule_id::kKeySpecNotShown, Severity::kInfo, "property 2 as a non-verbose dump shows it",
        "a certificate with a key provider whose KeySpec the input does not show (certutil "
        "-store without -v): the KeySpec rules could not check it",
        ""},
       rules::keyspec_not_shown,
       nullptr},
      {{rule_id::kCannotAssess, Severity::kWarning, "the input as a whole",
        "an input with no certificate record certbed could read: nothing was checked, which is "
        "not an all-clear",
        ""},
       nullptr,
       nullptr},
      {{rule_id::kKspKeySpecNotZero, Severity::kError,
        "property 2 (ProviderType, KeySpec), CACertHash",
        "a key in a Key Storage Provider (ProviderType 0) whose KeySpec is not 0; error on CA "
        "certificates (renewal with the existing key fails), warning elsewhere",
        ""},
       rules::ksp_keyspec_not_zero,
       nullptr},
      {{rule_id::kCspKeySpecMismatch, Severity::kWarning,
        "property 2, the CSP container's key slots",
        "a CSP key whose KeySpec disagrees with the slot that holds the key, or KeySpec 0 with a "
        "CSP",
        ""},
       rules::csp_keyspec_mismatch,
       nullptr},
      {{rule_id::kLostKeyAssociation, Severity::kWarning, "property 2 absent, key containers",
        "no property 2 although a container holds the certificate's public key", "",
        "personal stores (My, Request, Remote Desktop, WebHosting); never Root, CA, AuthRoot "
        "or other trust stores; info only where the store is not known"},
       rules::lost_key_association,
       nullptr},
      {{rule_id::kMissingKeyset, Severity::kError, "property 2, key containers",
        "property 2 names a container that does not exist", "",
        "every store but Root, CA, AuthRoot and other trust stores"},
       rules::missing_keyset,
       nullptr},
      {{rule_id::kKeyDoesNotMatch, Severity::kError, "property 2, key containers",
        "property 2 names a container that exists but holds another key than the certificate's", "",
        "every store but Root, CA, AuthRoot and other trust stores"},
       rules::key_does_not_match,
       nullptr},
      {{rule_id::kKeyAclDenied, Severity::kError,
        "property 2, the key container's ACL, --service-account",
        "an end-entity certificate whose property 2 names a container that holds its key, but "
        "whose key file does not grant Read to the account that uses it: that service gets "
        "NTE_BAD_KEYSET",
        "",
        "every store but Root, CA, AuthRoot and other trust stores, where the key's ACL is known "
        "(snapshots) and --service-account names the account"},
       rules::key_acl_denied,
       nullptr},
      {{rule_id::kMachineKeysetFlagMissing, Severity::kError,
        "property 2's Flags, the scope of the container it names",
        "a certificate in a LocalMachine store whose property 2 lacks CRYPT_MACHINE_KEYSET "
        "(0x20) while its key is a machine key: services get NTE_BAD_KEYSET",
        "", "LocalMachine and enterprise stores, where each key's scope is known (snapshots)"},
       rules::machine_keyset_flag_missing,
       nullptr},
      {{rule_id::kSqlTlsNeedsCapiKeyExchange, Severity::kError, "EKU, property 2",
        "a Server Authentication certificate in a KSP or with KeySpec 2; SQL Server needs a CSP "
        "AT_KEYEXCHANGE key",
        "sql"},
       rules::sql_tls_needs_capi_keyexchange,
       nullptr},
      {{rule_id::kAdfsKeySpec2NotRecommended, Severity::kWarning, "property 2",
        "a CSP key with KeySpec 2: \"Not recommended\" in AD FS's KeySpec table, and a "
        "misconfiguration on any AD FS certificate but the token signing one (the store does "
        "not say the role)",
        "adfs"},
       rules::adfs_keyspec2_not_recommended,
       nullptr},
      {{rule_id::kAdfsCngSslOnly, Severity::kWarning, "property 2",
        "a KSP (CNG) key, which AD FS takes for the SSL certificate only (the store does not say "
        "the role)",
        "adfs"},
       rules::adfs_cng_ssl_only,
       nullptr},
      {{rule_id::kExchangeOwaEcpNeedsCsp, Severity::kError, "EKU, property 2",
        "a Server Authentication certificate in a KSP (ProviderType 0); Exchange does not "
        "support CNG/KSP certificates for Outlook Web App or ECP",
        "exchange"},
       rules::exchange_owa_ecp_needs_csp,
       nullptr},
      {{rule_id::kCaConfigProviderMismatch, Severity::kError,
        "CertSvc CSP\\Provider and ProviderType, the current CA certificate's property 2",
        "the CA configuration names another provider or type than the CA key's", ""},
       nullptr,
       rules::ca_config_provider_mismatch},
      {{rule_id::kCaCertMissingFromStore, Severity::kError, "CACertHash, the store",
        "a CA certificate listed in CACertHash is not in the store", ""},
       nullptr,
       rules::ca_cert_missing_from_store},
  };
  return table;
}

}  // namespace

const std::vector<RuleInfo>& rule_catalog() {
  static const std::vector<RuleInfo> infos = [] {
    std::vector<RuleInfo> out;
    for (const auto& e : entries()) out.push_back(e.info);
    return out;
  }();
  return infos;
}

namespace rules {

void diagnose_certificate(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  for (const auto& e : entries()) {
    if (e.per_certificate && (e.info.profile.empty() || ctx.options.has_profile(e.info.profile))) {
      e.per_certificate(ctx, cert, out);
    }
  }
}

}  // namespace rules

std::vector<Finding> diagnose(const ReadOnlyStore& store, const DiagnosisOptions& options) {
  rules::Context ctx{&store,
                     options,
                     KeyContainerIndex(store.key_containers()),
                     store.knows_key_containers(),
                     store.ca_configuration(),
                     store.key_containers_inferred(),
                     store.identity()};
  std::vector<Finding> findings;
  std::size_t usable = 0;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const CertFacts cert = store.certificate(i);
    if (rules::assessable(cert)) ++usable;
    rules::diagnose_certificate(ctx, cert, findings);
  }
  if (auto f = rules::cannot_assess(store.size(), usable)) findings.push_back(std::move(*f));
  for (const auto& e : entries()) {
    if (e.per_store && (e.info.profile.empty() || options.has_profile(e.info.profile))) {
      e.per_store(ctx, findings);
    }
  }
  return findings;
}

}  // namespace certbed::repair
