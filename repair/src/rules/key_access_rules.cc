// Who may open a key: a certificate linked to a key that exists and matches, whose key file's
// ACL does not let the account that uses it read it. Windows then gives that account the same
// NTE_BAD_KEYSET ("Keyset does not exist") as a missing key, while an administrator's certutil
// opens it fine (../shared/reference/scenarios.md §5, KB 238187).
#include <algorithm>
#include <cctype>

#include "rule_support.h"

namespace certbed::repair::rules {
namespace {

bool same_account(std::string_view a, std::string_view b) {
  return to_lower_ascii(a) == to_lower_ascii(b);
}

// "NT AUTHORITY\NETWORK SERVICE" -> "NETWORK SERVICE".
std::string_view account_part(std::string_view name) {
  const auto slash = name.rfind('\\');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

// Whether an ACL entry grants `account` Read. A name given without a domain matches the
// account part of an entry. Everyone, Authenticated Users and BUILTIN\Users hold every service
// account (NETWORK SERVICE, LOCAL SERVICE, virtual and managed service accounts are members),
// so an entry for one of them grants it too. Group membership beyond these is not modelled:
// an account that reads the key only through another group is reported, which is the safe side
// (the fix, granting the account itself, is harmless).
bool grants(std::string_view entry, std::string_view account) {
  if (same_account(entry, account)) return true;
  if (account.find('\\') == std::string_view::npos && same_account(account_part(entry), account)) {
    return true;
  }
  for (std::string_view group :
       {"Everyone", "NT AUTHORITY\\Authenticated Users", "BUILTIN\\Users"}) {
    if (same_account(entry, group)) return true;
  }
  return false;
}

// Characters a Windows account or key file name may hold that are also safe inside the
// double-quoted icacls command the fix prints; anything else gets the console steps only.
bool quotable(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == ' ' || c == '\\' || c == '$' || c == '.' || c == '_' ||
           c == '-' || c == '@';
  });
}

std::string joined(const std::vector<std::string>& accounts) {
  std::string out;
  for (const auto& a : accounts) out += (out.empty() ? "" : ", ") + a;
  return out.empty() ? "no account" : out;
}

}  // namespace

void key_acl_denied(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  const std::string& account = ctx.options.service_account;
  if (account.empty() || !ctx.containers_known || is_trust_store(ctx)) return;
  // A CA's key is opened by Certificate Services, which runs as LocalSystem whatever account
  // uses the store's other keys; the account checked is a service's that uses end-entity keys
  // (TLS for RDP, SQL Server, AD FS).
  if (is_ca_certificate(ctx, cert)) return;
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value()) return;
  const KeyProvInfo& kpi = **info;
  const auto named = find_container(ctx, kpi.provider, kpi.container);
  // A missing or mismatched key is missing-keyset's or key-does-not-match's finding, and a
  // container whose ACL the backend cannot see says nothing about access.
  if (!named || !named->read_access) return;
  const bool holds_key =
      std::any_of(named->keys.begin(), named->keys.end(), [&](const KeyFacts& k) {
        return !cert.public_key_id.empty() && k.public_key_id == cert.public_key_id;
      });
  if (!holds_key) return;
  const auto& acl = *named->read_access;
  if (std::any_of(acl.begin(), acl.end(),
                  [&](const std::string& e) { return grants(e, account); })) {
    return;
  }
  Finding f = finding_for(ctx, cert, rule_id::kKeyAclDenied, Severity::kError);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2) names container \"" + kpi.container + "\" in " +
               kpi.provider +
               ", which holds the certificate's key, but its key file grants Read only to " +
               joined(acl) + ", not to " + account +
               ": a service running as that account gets NTE_BAD_KEYSET (Keyset does not "
               "exist) although the key is there (KB 238187: by default only the local system "
               "and the creator can open a new key container)";
  const std::string folder = named->is_ksp()
                                 ? "%ProgramData%\\Microsoft\\Crypto\\Keys\\"
                                 : "%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys\\";
  // The consoles name My "Personal"; certmgr.msc shows the user's stores, certlm.msc the
  // machine's.
  const StoreIdentity& store = ctx.store_identity;
  const std::string console =
      store.location == StoreLocation::kCurrentUser ? "certmgr.msc" : "certlm.msc";
  const std::string folder_name = !store.name_known()                  ? "the certificate's store"
                                  : to_lower_ascii(store.name) == "my" ? "Personal"
                                                                       : store.name;
  f.fix = "grant " + account + " Read on the private key: " + console + " > " + folder_name +
          " > Certificates > the certificate > All Tasks > Manage Private Keys";
  if (named->scope == KeyScope::kMachine && quotable(account) &&
      quotable(named->unique_container)) {
    f.fix +=
        ", or icacls \"" + folder + named->unique_container + "\" /grant \"" + account + ":R\"";
  } else if (named->scope == KeyScope::kMachine) {
    f.fix +=
        " (no icacls command is given: the account or the key file name holds characters "
        "that cannot be quoted safely)";
  }
  f.fix += "; certutil -repairstore does not change a key's ACL";
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

}  // namespace certbed::repair::rules
