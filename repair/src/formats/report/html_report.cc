// The HTML report: findings first (what a person came for), then the key-link picture, the
// store's certificates with the fields the findings are about highlighted, the plan and what
// was not checked. No script at all; the Content-Security-Policy forbids any, so even a value
// that escaped escaping could not run.
#include "certbed/repair/formats/report/html_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "certbed/repair/rules/rule_ids.h"
#include "certbed/repair/store/store_identity.h"
#include "html_text.h"
#include "key_links.h"

namespace certbed::repair {

namespace {

using report::fill;
using report::html_text;

// Past this many certificates the picture draws the broken links and the first others only;
// the table still lists every certificate.
constexpr std::size_t kMaxDrawn = 60;

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 "DejaVu Sans",Arial,sans-serif;margin:24px;color:#1b1b1b;max-width:1280px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}
.sub{color:#555;margin:0 0 12px}
.finding{border-left:5px solid #999;padding:6px 10px;margin:8px 0;background:#fafafa}
.finding.error{border-color:#c62828}.finding.warning{border-color:#ef8f00}
.finding.info{border-color:#1565c0}
.sev{font-weight:bold;text-transform:uppercase;font-size:12px;margin-right:6px}
.error .sev{color:#c62828}.warning .sev{color:#a86400}.info .sev{color:#1565c0}
.rule{font-family:"DejaVu Sans Mono",monospace}
.label{color:#555}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}tr.problem td{background:#fff8f6}
td.bad{background:#ffd9d2 !important;font-weight:bold;color:#8e1b0f}
.mono{font-family:"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
svg.links text{font:12px "DejaVu Sans",Arial,sans-serif}
svg.links .head{font-weight:bold;font-size:13px}svg.links .provider{font-weight:bold;fill:#333}
svg.links .meta{fill:#555;font-size:11px}
svg.links rect{fill:#eef5ff;stroke:#5a7fb5}
svg.links .broken rect{fill:#fff0ee;stroke:#c62828}
svg.links .absent rect{fill:#fff;stroke:#c62828;stroke-dasharray:5 3}
svg.links .unknown rect{fill:#f4f4f4;stroke:#999;stroke-dasharray:2 3}
svg.links line{stroke-width:2}svg.links line.whole{stroke:#2e7d32}
svg.links line.broken{stroke:#c62828;stroke-dasharray:6 4}
svg.links line.unknown{stroke:#999;stroke-dasharray:2 4}
svg.links .cross{fill:#c62828;font-size:18px;font-weight:bold}
.legend span{display:inline-block;margin-right:18px}
.sw{display:inline-block;width:26px;height:0;border-top:2px solid;vertical-align:middle;margin-right:4px}
ol.steps li{margin-bottom:6px}
)";

// The columns a rule's finding is about, so the table can mark them.
std::set<std::string> problem_fields(std::string_view rule) {
  using namespace rule_id;
  if (rule == kKspKeySpecNotZero || rule == kCspKeySpecMismatch || rule == kKeySpecNotShown ||
      rule == kAdfsKeySpec2NotRecommended) {
    return {"KeySpec"};
  }
  if (rule == kSqlTlsNeedsCapiKeyExchange || rule == kExchangeOwaEcpNeedsCsp ||
      rule == kAdfsCngSslOnly) {
    return {"Provider", "KeySpec"};
  }
  if (rule == kLostKeyAssociation) return {"Provider", "Container"};
  // The Key column is marked by the link itself (missing, another key, no property 2).
  if (rule == kMissingKeyset || rule == kKeyDoesNotMatch || rule == kKeyAclDenied) {
    return {"Container"};
  }
  if (rule == kMachineKeysetFlagMissing) return {"Flags"};
  if (rule == kCaConfigProviderMismatch) return {"Provider"};
  if (rule == kIdMasked) return {"Serial"};
  if (rule == kDumpTextNotFaithful) return {"Subject"};
  return {};
}

std::string cell(const std::string& text, bool bad, bool mono = false) {
  std::string cls = bad ? "bad" : "";
  if (mono) cls += cls.empty() ? "mono" : " mono";
  return cls.empty() ? "<td>" + html_text(text) + "</td>"
                     : "<td class=\"" + cls + "\">" + html_text(text) + "</td>";
}

std::string date_text(const std::string& iso) { return iso.empty() ? "(not shown)" : iso; }

std::string findings_section(const std::vector<Finding>& findings) {
  std::string out = "<h2>Findings</h2>";
  if (findings.empty()) return out + "<p>No findings.</p>";
  for (const auto& f : findings) {
    const std::string sev(severity_name(f.severity));
    out += "<div class=\"finding " + sev + "\"><div><span class=\"sev\">" + html_text(sev) +
           "</span><span class=\"rule\">" + html_text(f.rule) + "</span>";
    if (f.index) {
      out += fill(" &#8212; certificate #{} (serial <span class=\"mono\">{}</span>) {}", *f.index,
                  html_text(f.serial), html_text(f.subject));
    } else if (!f.subject.empty()) {
      out += " &#8212; " + html_text(f.subject);
    }
    if (f.is_ca) out += " <span class=\"label\">(CA certificate)</span>";
    out += "</div><div><span class=\"label\">Evidence:</span> " + html_text(f.evidence) + "</div>";
    if (!f.fix.empty()) {
      out += "<div><span class=\"label\">Fix:</span> " + html_text(f.fix) + "</div>";
    }
    out += "</div>";
  }
  return out;
}

std::string picture_section(const ReadOnlyStore& store, const std::vector<report::KeyLink>& links,
                            const std::vector<Finding>& findings) {
  std::size_t left_out = 0;
  std::string out = "<h2>Certificates and their key containers</h2>";
  out +=
      "<p class=\"legend\"><span><span class=\"sw\" style=\"border-color:#2e7d32\"></span>"
      "the container holds the certificate's key</span><span><span class=\"sw\" "
      "style=\"border-color:#c62828;border-top-style:dashed\"></span>&#10007; broken: the "
      "container is missing, holds another key, or is not named by property 2</span><span><span "
      "class=\"sw\" "
      "style=\"border-color:#999;border-top-style:dotted\"></span>not known: the input shows "
      "no containers</span></p>";
  std::map<std::size_t, std::string> flagged;
  for (const auto& f : findings) {
    if (f.index && f.severity != Severity::kInfo) flagged.emplace(*f.index, f.rule);
  }
  out += report::key_link_svg(store, links, flagged, kMaxDrawn, left_out);
  if (left_out > 0) {
    out += fill(
        "<p class=\"sub\">{} certificate(s) with a whole link and no finding are not drawn; "
        "the table lists them all.</p>",
        left_out);
  }
  return out;
}

std::string table_section(const ReadOnlyStore& store, const std::vector<report::KeyLink>& links,
                          const std::vector<Finding>& findings) {
  std::map<std::size_t, std::set<std::string>> bad;
  for (const auto& f : findings) {
    if (!f.index) continue;
    auto fields = problem_fields(f.rule);
    fields.insert("row");
    bad[*f.index].insert(fields.begin(), fields.end());
  }
  std::string out = "<h2>Store " + html_text(store.identity().to_string()) + "</h2>";
  out +=
      "<table><tr><th>#</th><th>Serial</th><th>Subject</th><th>Valid from</th><th>Valid "
      "to</th><th>Provider</th><th>Container</th><th>ProviderType</th><th>Flags</th>"
      "<th>KeySpec</th><th>Key</th></tr>";
  for (std::size_t i = 0; i < store.size(); ++i) {
    const CertFacts cert = store.certificate(i);
    const auto it = bad.find(i);
    const auto is_bad = [&](const char* field) {
      return it != bad.end() && it->second.count(field) != 0;
    };
    auto kpi = cert.key_prov_info();
    const KeyProvInfo* kp = kpi && *kpi ? &**kpi : nullptr;
    out += it != bad.end() ? "<tr class=\"problem\">" : "<tr>";
    out += cell(std::to_string(i), false);
    out += cell(cert.serial, is_bad("Serial"), true);
    out += cell(cert.subject, is_bad("Subject"));
    out += cell(date_text(cert.not_before), false);
    out += cell(date_text(cert.not_after), false);
    if (kp) {
      const std::string inferred = cert.key_prov_info_inferred ? " (inferred)" : "";
      out += cell(kp->provider, is_bad("Provider"));
      out += cell(kp->container, is_bad("Container"), true);
      out += cell(std::to_string(kp->provider_type) + inferred, is_bad("ProviderType"));
      out += cell(fill("0x{}",
                       [&] {
                         static constexpr char kHex[] = "0123456789abcdef";
                         std::string h;
                         for (int s = 28; s >= 0; s -= 4) h += kHex[(kp->flags >> s) & 0xf];
                         h.erase(0, std::min(h.find_first_not_of('0'), h.size() - 1));
                         return h;
                       }()) +
                      inferred,
                  is_bad("Flags"));
      out += cell(std::to_string(kp->key_spec) + inferred, is_bad("KeySpec"));
    } else {
      out += cell(kpi ? "(no property 2)" : "(property 2 cannot be read)",
                  is_bad("Provider") || is_bad("Container"));
      out += "<td></td><td></td><td></td><td></td>";
    }
    const auto state = links[i].state;
    out += cell(std::string(report::link_state_text(state)),
                state == report::LinkState::kMissing || state == report::LinkState::kOtherKey ||
                    state == report::LinkState::kNoLink);
    out += "</tr>";
  }
  return out + "</table>";
}

std::string plan_section(const RepairPlan* plan) {
  std::string out = "<h2>Plan</h2>";
  if (plan == nullptr) return out + "<p>No plan was made for this input.</p>";
  if (plan->steps.empty()) return out + "<p>Nothing to do.</p>";
  out += "<ol class=\"steps\">";
  for (const auto& step : plan->steps) {
    out += "<li><b>" + html_text(step.title) + "</b>";
    if (!step.detail.empty()) out += "<br>" + html_text(step.detail);
    out += "</li>";
  }
  out += "</ol>";
  if (!plan->refused.empty()) {
    out += "<p>Fixes the plan refuses to script:</p><ul>";
    for (const auto& r : plan->refused) {
      out += "<li><span class=\"rule\">" + html_text(r.rule) + "</span> " + html_text(r.cert_id) +
             ": " + html_text(r.reason) + "</li>";
    }
    out += "</ul>";
  }
  return out;
}

std::string coverage_section(const ReportInput& input) {
  std::string out = "<h2>What was checked, and what was not</h2><ul>";
  for (const auto& line : input.checked) out += "<li>" + html_text(line) + "</li>";
  out += "</ul>";
  if (!input.notes.empty()) {
    out += "<p>What the input could not give (as recorded when it was imported):</p><ul>";
    for (const auto& line : input.notes) out += "<li>" + html_text(line) + "</li>";
    out += "</ul>";
  }
  return out;
}

}  // namespace

std::string render_html_report(const ReadOnlyStore& store, const ReportInput& input) {
  const auto links = report::key_links(store);
  std::size_t errors = 0, warnings = 0;
  for (const auto& f : input.findings) {
    errors += f.severity == Severity::kError ? 1 : 0;
    warnings += f.severity == Severity::kWarning ? 1 : 0;
  }
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\"><title>certbed report: ";
  out += html_text(input.input_name) + "</title><style>";
  out += kStyle;
  out += "</style></head><body>\n<h1>certbed report: " + html_text(input.input_name) + "</h1>";
  out += fill("<p class=\"sub\">{}: {} certificate(s), {} error(s), {} warning(s)</p>\n",
              html_text(store.identity().to_string()), store.size(), errors, warnings);
  out += findings_section(input.findings) + "\n";
  out += picture_section(store, links, input.findings) + "\n";
  out += table_section(store, links, input.findings) + "\n";
  out += plan_section(input.plan) + "\n";
  out += coverage_section(input) + "\n</body></html>\n";
  return out;
}

}  // namespace certbed::repair
