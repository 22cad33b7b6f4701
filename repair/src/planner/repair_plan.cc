// The planner: findings to ordered steps and INFs, and the plan summary (the scripts that run
// the steps are in plan_scripts.cc).
#include "certbed/repair/planner/repair_plan.h"

#include <map>
#include <set>

#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/printable.h"
#include "certbed/repair/rules/rule_ids.h"

namespace certbed::repair {
namespace {

// The certutil CertID of a finding: its serial (what the article uses), else its thumbprint.
std::optional<std::string> cert_id_of(const Finding& f) {
  if (is_hex_id(f.serial)) return f.serial;
  if (is_hex_id(f.sha1)) return f.sha1;
  return std::nullopt;
}

}  // namespace

std::string_view step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::kBackup:
      return "backup";
    case StepKind::kRepairStore:
      return "repairstore";
    case StepKind::kVerify:
      return "verify";
    case StepKind::kRetry:
      return "retry";
    case StepKind::kManual:
      return "manual";
  }
  return "unknown";
}

std::optional<StepKind> parse_step_kind(std::string_view name) {
  for (StepKind k : {StepKind::kBackup, StepKind::kRepairStore, StepKind::kVerify, StepKind::kRetry,
                     StepKind::kManual}) {
    if (step_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

Result<RepairPlan> make_repair_plan(const std::vector<Finding>& findings,
                                    const PlanOptions& options) {
  RepairPlan plan;
  plan.ca_host = options.ca_host;
  plan.findings = findings;
  bool renewal_blocked = false;
  for (const auto& f : findings) {
    if (f.rule == rule_id::kKspKeySpecNotZero && f.is_ca) renewal_blocked = true;
    // An info finding (what the input could not show) changes nothing, so it asks for no CA
    // backup either.
    if (f.is_ca && f.severity != Severity::kInfo) plan.ca_host = true;
  }

  plan.steps.push_back(PlanStep{
      StepKind::kBackup,
      "Back up before changing anything",
      plan.ca_host ? "the store (certutil -v -store my, reg export of the My store) and the CA "
                     "database and private key (certutil -backup)"
                   : "the store (certutil -v -store my, reg export of the My store)",
      "",
      std::nullopt,
      {}});

  // One -repairstore per certificate, in store order; an INF per certificate collects every
  // property its findings need.
  std::map<std::string, std::size_t> step_of_cert;
  std::map<std::string, std::vector<InfProperty>> inf_of_cert;
  // Certificates whose text was not read faithfully: their names and ids came from a guess.
  std::map<std::string, std::string> unfaithful;  // serial and thumbprint -> the evidence
  for (const auto& f : findings) {
    if (f.rule != rule_id::kDumpTextNotFaithful) continue;
    if (!f.serial.empty()) unfaithful.emplace(f.serial, f.evidence);
    if (!f.sha1.empty()) unfaithful.emplace(f.sha1, f.evidence);
  }
  auto unfaithful_evidence = [&](const Finding& f) -> const std::string* {
    for (const std::string* key : {&f.serial, &f.sha1}) {
      if (auto it = unfaithful.find(*key); !key->empty() && it != unfaithful.end()) {
        return &it->second;
      }
    }
    return nullptr;
  };
  // A certificate whose key association is repaired gets no INF: the repair rewrites property 2
  // from the key it finds, where an INF would keep the wrong container (the verify step still
  // looks for the KeySpec an INF finding asked for).
  std::set<std::string> reassociated;
  for (const auto& f : findings) {
    if (f.fix_kind != FixKind::kRepairKeyAssociation) continue;
    if (auto id = cert_id_of(f)) reassociated.insert(*id);
  }
  for (const auto& f : findings) {
    const bool scripted =
        f.fix_kind == FixKind::kPropertyInf || f.fix_kind == FixKind::kRepairKeyAssociation;
    if (const std::string* why = unfaithful_evidence(f); why && scripted) {
      plan.refused.push_back(RefusedFix{f.rule, f.serial.empty() ? f.sha1 : f.serial, *why});
      continue;
    }
    if (f.fix_kind != FixKind::kPropertyInf && f.fix_kind != FixKind::kRepairKeyAssociation) {
      if (f.fix_kind == FixKind::kManual) {
        plan.steps.push_back(PlanStep{StepKind::kManual,
                                      "Manual: " + f.rule,
                                      f.fix,
                                      cert_id_of(f).value_or(""),
                                      std::nullopt,
                                      {f.rule}});
      }
      continue;
    }
    auto id = cert_id_of(f);
    if (!id) {
      plan.refused.push_back(RefusedFix{f.rule, f.sha1,
                                        "the finding has no usable serial or "
                                        "thumbprint to name the certificate"});
      continue;
    }
    bool use_inf = f.fix_kind == FixKind::kPropertyInf && f.key_provider.has_value() &&
                   !reassociated.contains(*id);
    if (use_inf) {
      // Check now that the INF can be written; refuse with the reason otherwise.
      auto probe = write_property_inf({inf_key_provider(*f.key_provider)});
      if (!probe) {
        plan.refused.push_back(RefusedFix{
            f.rule, *id,
            probe.error().message + "; using certutil -repairstore without an INF instead, which "
                                    "rewrites property 2 from the key it finds"});
        use_inf = false;
      }
    }
    auto [it, inserted] = step_of_cert.emplace(*id, plan.steps.size());
    if (inserted) {
      plan.steps.push_back(
          PlanStep{StepKind::kRepairStore, "Repair certificate " + *id, "", *id, std::nullopt, {}});
    }
    auto& step = plan.steps[it->second];
    step.rules.push_back(f.rule);
    // The finding's own fix names an INF; without one the step does something else, and says so.
    const std::string what =
        use_inf || f.fix_kind != FixKind::kPropertyInf
            ? f.fix
            : "repair the key association without an INF (certutil -repairstore " +
                  plan.store_name + " " + *id +
                  "), which rewrites property 2 from the key it finds";
    step.detail += (step.detail.empty() ? "" : "; ") + what;
    if (use_inf) inf_of_cert[*id].push_back(inf_key_provider(*f.key_provider));
  }
  for (auto& [id, properties] : inf_of_cert) {
    auto text = write_property_inf(properties);
    if (!text) return text.error();
    PlannedInf inf{"keyprov-" + id + ".inf", std::move(*text), id};
    plan.steps[step_of_cert[id]].inf_file = inf.file_name;
    plan.infs.push_back(std::move(inf));
  }

  std::string look_for;
  for (const auto& f : findings) {
    if (unfaithful_evidence(f)) continue;  // refused above: nothing to look for
    if (f.rule == rule_id::kKspKeySpecNotZero && cert_id_of(f)) {
      look_for += (look_for.empty() ? "" : "; ") + std::string("certificate ") + *cert_id_of(f) +
                  ": \"KeySpec = 0 -- XCN_AT_NONE\" under CERT_KEY_PROV_INFO_PROP_ID(2)";
    } else if ((f.rule == rule_id::kLostKeyAssociation || f.rule == rule_id::kMissingKeyset ||
                f.rule == rule_id::kKeyDoesNotMatch) &&
               f.fix_kind == FixKind::kRepairKeyAssociation && cert_id_of(f)) {
      look_for += (look_for.empty() ? "" : "; ") + std::string("certificate ") + *cert_id_of(f) +
                  ": a \"Key Container =\" line and a passed key test";
    }
  }
  plan.steps.push_back(
      PlanStep{StepKind::kVerify,
               "Verify",
               "certutil -v -store my > machine-after.txt; look for " +
                   (look_for.empty() ? std::string("the fixed certificates") : look_for),
               "",
               std::nullopt,
               {}});
  if (renewal_blocked) {
    plan.steps.push_back(PlanStep{
        StepKind::kRetry,
        "Retry the blocked operation",
        "renew the CA certificate with the existing key pair (Certification Authority snap-in: "
        "Renew CA Certificate, answer No to a new key pair; or certutil -renewCert ReuseKeys)",
        "",
        std::nullopt,
        {}});
  }
  return plan;
}

std::string render_plan_summary(const RepairPlan& plan) {
  std::string out = "certbed repair plan\n===================\n\nFindings (" +
                    std::to_string(plan.findings.size()) + "):\n";
  for (const auto& f : plan.findings) {
    out += "- [" + std::string(severity_name(f.severity)) + "] " + printable(f.rule);
    if (!f.serial.empty()) out += ", certificate " + printable(f.serial);
    if (!f.subject.empty()) out += " (" + printable(f.subject) + ")";
    out += "\n  evidence: " + printable(f.evidence) + "\n  fix: " + printable(f.fix) + "\n";
  }
  out += "\nSteps (repair.cmd and repair.ps1 run the same steps):\n";
  int n = 1;
  for (const auto& s : plan.steps) {
    out += std::to_string(n++) + ". " + printable(s.title);
    if (s.kind == StepKind::kRepairStore) {
      out += ": certutil -repairstore " + printable(plan.store_name) + " " + printable(s.cert_id);
      if (s.inf_file) out += " " + printable(*s.inf_file);
    }
    if (!s.detail.empty()) out += "\n   " + printable(s.detail);
    out += "\n";
  }
  if (!plan.refused.empty()) {
    out += "\nRefused (not written to any file):\n";
    for (const auto& r : plan.refused) {
      out +=
          "- " + printable(r.rule) + " " + printable(r.cert_id) + ": " + printable(r.reason) + "\n";
    }
  }
  return out;
}

}  // namespace certbed::repair
