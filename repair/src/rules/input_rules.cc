// What the input lets the other rules say: a certificate whose text was not read faithfully
// (a dump in a guessed code page, with U+FFFD, a NUL or a cut line) is reported, and the planner
// keeps its names out of every INF and script.
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
  f.fix =
      "capture the store again so that every character survives: certutil -Unicode -v -store my "
      "> store.txt (UTF-16), then diagnose that file";
  f.fix_kind = FixKind::kManual;
  out.push_back(std::move(f));
}

}  // namespace certbed::repair::rules
