// What the input lets the other rules say: a certificate whose text was not read faithfully
// (a dump in a guessed code page, with U+FFFD, a NUL or a cut line) is reported, and the planner
// keeps its names out of every INF and script; what an input cannot show (KeySpec in a
// non-verbose dump, any certificate at all) is said, never left as a silent all-clear.
#include "rule_support.h"

namespace certbed::repair::rules {

void dump_text_not_faithful(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  if (cert.unfaithful_text.empty()) return;
  Finding f = finding_for(ctx, cert, rule_id::kDumpTextNotFaithful, Severity::kWarning);
  f.evidence = "the dump's text for this certificate was not read faithfully (";
  for (std::size_t i = 0; i < cert.unfaithful_text.size(); ++i) {
    f.evidence += (i ? "; " : "") + cert.unfaithful_text[i];
  }
  f.evidence +=
      "), so its container, provider and other names may not be what Windows holds; certbed "
      "does not repair it from this dump";
  // certutil's -Unicode writes redirected output as UTF-16; piping it into PowerShell instead
  // would decode the OEM bytes again and lose the same characters.
  f.fix = "capture the store again so that every character survives: " +
          certutil_command(ctx, "-Unicode -store", "", true) +
          " > store.txt (UTF-16), then diagnose that file";
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

void id_masked(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  if (cert.masked_ids.empty()) return;
  Finding f = finding_for(ctx, cert, rule_id::kIdMasked, Severity::kWarning);
  f.evidence.clear();
  for (const auto& line : cert.masked_ids) f.evidence += (f.evidence.empty() ? "" : "; ") + line;
  f.fix =
      "name the certificate by its real thumbprint (Cert Hash(sha1) in " +
      certutil_command(ctx, "-store") +
      ") wherever this plan says to; the plan writes its INF but scripts no -repairstore for it";
  // The repair steps of this certificate carry what to do; this finding changes nothing itself.
  f.fix_kind = FixKind::kNone;
  out.push_back(std::move(f));
}

void keyspec_not_shown(const Context& ctx, const CertFacts& cert, std::vector<Finding>& out) {
  if (!cert.key_prov_info_inferred) return;
  auto info = cert.key_prov_info();
  if (!info || !info->has_value()) return;
  Finding f = finding_for(ctx, cert, rule_id::kKeySpecNotShown, Severity::kInfo);
  f.evidence = "the dump shows this certificate's key container (" + (**info).container +
               ") and provider (" + (**info).provider +
               ") but not property 2's ProviderType, Flags or KeySpec: certutil -store without -v "
               "does not print them, so whether the KeySpec suits the provider "
               "(ksp-keyspec-not-zero, csp-keyspec-mismatch) was not checked";
  f.fix = "capture the store with its properties: " +
          (ctx.store_identity.name_known()
               ? certutil_command(ctx, "-store", "", true)
               : std::string("certutil -v -store <the store the dump came from, e.g. my>")) +
          " > store.txt, then diagnose that file";
  // Not a plan step per certificate (a store of thousands would list thousands): the plan's
  // findings carry it, and nothing on the machine needs to change for it.
  f.fix_kind = FixKind::kNone;
  out.push_back(std::move(f));
}

std::optional<Finding> cannot_assess(std::size_t records, std::size_t usable) {
  if (usable > 0) return std::nullopt;
  Finding f;
  f.rule = std::string(rule_id::kCannotAssess);
  f.severity = Severity::kWarning;
  f.evidence =
      records == 0
          ? "the input holds no certificate record, so nothing was checked"
          : "none of the input's " + std::to_string(records) +
                " certificate record(s) has a serial number or SHA-1 thumbprint certbed could "
                "read (see the parser's warnings), so nothing was checked";
  f.fix =
      "capture the store again, whole and unedited: certutil -v -store my > store.txt (add "
      "-Unicode on a console that is not UTF-8), then diagnose that file";
  f.fix_kind = FixKind::kManual;
  return f;
}

bool assessable(const CertFacts& cert) { return !cert.serial.empty() || !cert.sha1.empty(); }

}  // namespace certbed::repair::rules
