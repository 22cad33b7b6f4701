// A certificate whose property 2 names a container that exists but holds another key than the
// certificate's: certutil's key test fails, and whatever opens the key through property 2 gets
// a private key that does not belong to the certificate.
#include "certbed/repair/model/bytes.h"
#include "rule_support.h"

namespace certbed::repair::rules {
namespace {

bool same_container(const KeyContainerFacts& c, const KeyProvInfo& kpi) {
  return to_lower_ascii(c.provider) == to_lower_ascii(kpi.provider) &&
         to_lower_ascii(c.container) == to_lower_ascii(kpi.container);
}

// Whether the container property 2 names holds the certificate's key, or nothing says it does
// not. In a dump one container is inferred once per record that names it and the index returns
// the first, so a container that does not hold the key there may still hold it in another
// record's view: every container holding the key is checked for the name too.
bool holds_key_or_unknown(const Context& ctx, const KeyContainerFacts& named,
                          const KeyProvInfo& kpi, const std::string& key_id) {
  if (key_id.empty() || named.keys.empty()) return true;
  for (const auto& k : named.keys) {
    if (k.public_key_id.empty() || k.public_key_id == key_id) return true;
  }
  for (const auto& m : ctx.containers.with_key(key_id)) {
    if (same_container(m.container, kpi)) return true;
  }
  return false;
}

std::string key_ids(const KeyContainerFacts& c) {
  std::string out;
  for (const auto& k : c.keys) out += (out.empty() ? "" : ", ") + k.public_key_id;
  return out;
}

void add_fix(const Context& ctx, const CertFacts& cert, Finding& f) {
  const auto matches = containers_with_key(ctx, cert.public_key_id);
  if (matches.count > 0) {
    const auto& m = *matches.first;
    f.evidence += "; the certificate's key is in container \"" + m.container.container + "\" in " +
                  m.container.provider;
    f.fix = certutil_command(ctx, "-repairstore", cert_id(cert)) +
            " (without an INF) rewrites property 2 to name the container that holds the "
            "certificate's key";
    if (matches.count > 1) {
      f.evidence += " (and " + std::to_string(matches.count - 1) + " other container(s))";
      f.fix += "; as more than one container holds it, name the provider with -csp";
    }
    f.fix_kind = FixKind::kRepairKeyAssociation;
    return;
  }
  const std::string reimport =
      "re-import the certificate with its private key from a PFX backup (certutil -importpfx; "
      "for a CA key, certutil -restorekey); without a backup, re-issue the certificate";
  // A dump shows only the containers its records name; the key may be in another one.
  f.fix = ctx.containers_inferred
              ? "first run " + certutil_command(ctx, "-repairstore", cert_id(cert)) +
                    " (without an INF): it searches every provider for the certificate's key "
                    "and changes nothing if it finds none; if it finds none, " +
                    reimport
              : "no container holds the certificate's key: " + reimport;
  f.fix_kind = FixKind::kManual;
}

}  // namespace

void key_does_not_match(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  // A key association rule: trust stores hold copies, whose property 2 nothing reads.
  if (!ctx.containers_known || is_trust_store(ctx)) return;
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value()) return;
  const KeyProvInfo& kpi = **info;
  const auto named = find_container(ctx, kpi.provider, kpi.container);
  if (!named) return;  // missing-keyset reports it
  if (holds_key_or_unknown(ctx, *named, kpi, cert.public_key_id)) return;
  Finding f = finding_for(ctx, cert, rule_id::kKeyDoesNotMatch, Severity::kError);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2) names container \"" + kpi.container + "\" in " +
               kpi.provider + ", which exists but does not hold the certificate's key";
  if (ctx.containers_inferred) {
    f.evidence +=
        " (in the dump, certutil's key test for this certificate printed that the key there "
        "does not match its public key, or another record shows the container with its own "
        "key)";
  } else {
    f.evidence += " (its key's public key id is " + key_ids(*named) + ", the certificate's " +
                  cert.public_key_id + ")";
  }
  // Always an error, CA certificate or not, so no note on what was taken as its CA status.
  add_fix(ctx, cert, f);
  out.push_back(std::move(f));
}

}  // namespace certbed::repair::rules
