// The link between a certificate and its private key: missing, or pointing nowhere. Both apply
// only where keys belong (the personal stores): Root, CA and AuthRoot copies carry no property 2.
#include "rule_support.h"

namespace certbed::repair::rules {

void lost_key_association(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  if (!ctx.containers_known || is_trust_store(ctx)) return;
  auto info = cert.key_prov_info();
  if (!info.ok() || info->has_value()) return;
  const auto matches = containers_with_key(ctx, cert.public_key_id);
  if (matches.count == 0) return;  // a certificate without a private key here: nothing to link
  const bool ca = is_ca_certificate(ctx, cert);
  const std::string store_note = unknown_store_note(ctx);
  // A store that is not known to be personal may well be a copy (certutil -store root on a CA
  // prints exactly this), so the finding only informs and scripts nothing.
  const Severity severity =
      !store_note.empty() ? Severity::kInfo : (ca ? Severity::kError : Severity::kWarning);
  Finding f = finding_for(ctx, cert, rule_id::kLostKeyAssociation, severity);
  const auto& m = *matches.first;
  f.evidence = "no CERT_KEY_PROV_INFO_PROP_ID(2), but container \"" + m.container.container +
               "\" in " + m.container.provider + " holds the certificate's public key";
  if (matches.count > 1) {
    f.evidence += " (and " + std::to_string(matches.count - 1) + " other container(s))";
  }
  if (auto note = ca_status_note(ctx, cert); !note.empty()) f.evidence += " (" + note + ")";
  if (auto note = inferred_store_note(ctx); !note.empty()) f.evidence += " (" + note + ")";
  const std::string repair = certutil_command(ctx, "-repairstore", cert_id(cert));
  if (!store_note.empty()) {
    f.evidence += "; " + store_note;
    f.fix = "find which store the certificate is in (certutil -store my " + cert_id(cert) +
            "); only if it is in My: " + repair +
            " (without an INF: certutil finds the key and writes property 2)";
    f.fix_kind = FixKind::kNone;
  } else {
    f.fix = repair + " (without an INF: certutil finds the key and writes property 2)";
    f.fix_kind = FixKind::kRepairKeyAssociation;
  }
  out.push_back(std::move(f));
}

void missing_keyset(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  // Property 2 in a trust store is a leftover nothing reads; elsewhere its presence says the
  // certificate was stored with its key, so an unknown store does not lower the severity.
  if (!ctx.containers_known || is_trust_store(ctx)) return;
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value()) return;
  const KeyProvInfo& kpi = **info;
  if (find_container(ctx, kpi.provider, kpi.container)) return;
  // A dump in which certutil opened no key at all: more likely taken without the rights to open
  // the keys (not elevated, a remote low-privilege shell) than a machine that lost every key.
  if (ctx.containers_inferred && ctx.containers.size() == 0) {
    Finding f = finding_for(ctx, cert, rule_id::kMissingKeyset, Severity::kWarning);
    f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2) names container \"" + kpi.container + "\" in " +
                 kpi.provider +
                 ", which certutil could not open (Missing stored keyset); it opened no key of "
                 "this dump at all, so the dump was most likely taken without the rights to open "
                 "the keys (not elevated, or from a remote low-privilege shell) rather than on a "
                 "machine that lost every key";
    f.fix = "capture the store again elevated, or as the account that uses the key (" +
            certutil_command(ctx, "-store", "", true) +
            " from an elevated prompt), and check the permissions of the key files "
            "(%ProgramData%\\Microsoft\\Crypto\\Keys and RSA\\MachineKeys); only if the key is "
            "still missing there, restore it from a backup or re-issue the certificate";
    f.fix_kind = FixKind::kManual;
    out.push_back(std::move(f));
    return;
  }
  Finding f = finding_for(ctx, cert, rule_id::kMissingKeyset, Severity::kError);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2) names container \"" + kpi.container + "\" in " +
               kpi.provider + ", which does not exist (certutil: Missing stored keyset)";
  const auto matches = containers_with_key(ctx, cert.public_key_id);
  const std::string repair = certutil_command(ctx, "-repairstore", cert_id(cert));
  if (matches.count > 0) {
    f.evidence += "; the certificate's key is in container \"" +
                  matches.first->container.container + "\" in " + matches.first->container.provider;
    f.fix = repair + " (without an INF) links the certificate to the container that holds its key";
    f.fix_kind = FixKind::kRepairKeyAssociation;
  } else {
    f.fix =
        "not fixable from the store: the private key is gone from this machine. Restore it "
        "from a backup (certutil -importpfx, or certutil -restorekey for a CA key), then run " +
        repair + "; without a backup, re-issue the certificate";
    f.fix_kind = FixKind::kManual;
  }
  out.push_back(std::move(f));
}

// A machine store's certificate whose property 2 lacks CRYPT_MACHINE_KEYSET: CryptoAPI and CNG
// then look for the key in the caller's user key set (CRYPT_KEY_PROV_INFO.dwFlags, Microsoft
// Learn), so a service running as another account gets NTE_BAD_KEYSET although the key is on
// the machine. Judged only where the backend knows each key's scope: a dump's inferred
// containers do not say it.
bool lacks_machine_keyset_flag(const Context& ctx, const CertFacts& cert, const KeyProvInfo& kpi) {
  const StoreLocation location = ctx.store_identity.location;
  if (location != StoreLocation::kLocalMachine &&
      location != StoreLocation::kLocalMachineEnterprise) {
    return false;
  }
  if (!ctx.containers_known || ctx.containers_inferred || cert.key_prov_info_inferred) {
    return false;
  }
  if (kpi.machine_keyset()) return false;
  const auto container = find_container(ctx, kpi.provider, kpi.container);
  return container && container->scope == KeyScope::kMachine;
}

void apply_key_prov_info_corrections(const Context& ctx, const CertFacts& cert,
                                     KeyProvInfo& fixed) {
  if (fixed.is_ksp()) fixed.key_spec = wincrypt::AT_NONE;
  if (lacks_machine_keyset_flag(ctx, cert, fixed)) fixed.flags |= wincrypt::CRYPT_MACHINE_KEYSET;
}

void machine_keyset_flag_missing(const Context& ctx, const CertFacts& cert,
                                 std::vector<Finding>& out) {
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value()) return;
  const KeyProvInfo& kpi = **info;
  if (!lacks_machine_keyset_flag(ctx, cert, kpi)) return;
  Finding f = finding_for(ctx, cert, rule_id::kMachineKeysetFlagMissing, Severity::kError);
  f.evidence = "CERT_KEY_PROV_INFO_PROP_ID(2): " + describe(kpi) +
               ", Flags = " + std::to_string(kpi.flags) +
               " without CRYPT_MACHINE_KEYSET (0x20), but container \"" + kpi.container + "\" in " +
               kpi.provider +
               " is a machine key: whoever opens the key through property 2 looks in their own "
               "user key set, and a service gets NTE_BAD_KEYSET (0x80090016)";
  KeyProvInfo fixed = kpi;
  apply_key_prov_info_corrections(ctx, cert, fixed);
  f.fix = "rewrite property 2 with Flags = " + std::to_string(fixed.flags) + " (" +
          certutil_command(ctx, "-repairstore", cert_id(cert) + " KeyProv.inf") +
          "), keeping container, provider, type and KeySpec";
  f.fix_kind = FixKind::kPropertyInf;
  f.key_provider = std::move(fixed);
  out.push_back(std::move(f));
}

}  // namespace certbed::repair::rules
