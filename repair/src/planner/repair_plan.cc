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

// The certutil CertID of a finding: its SHA-1 thumbprint, which names one certificate (a serial
// is unique only per issuer), else its serial.
std::optional<std::string> cert_id_of(const Finding& f) {
  if (is_hex_id(f.sha1)) return f.sha1;
  if (is_hex_id(f.serial)) return f.serial;
  return std::nullopt;
}

// Microsoft's own providers keep keys in software; any other provider of a CA key is taken as a
// hardware module (nCipher, Luna, Securosys, CloudHSM, ...), whose key cannot be exported.
bool is_software_provider(std::string_view provider) {
  return provider.substr(0, 10) == "Microsoft ";
}

std::string backup_detail(const RepairPlan& plan) {
  std::string out = "the store (" + certutil_store_command(plan.store, "-store", "", true) +
                    ", reg export " + store_registry_key(plan.store) + ")";
  if (plan.ca_host) {
    out += plan.ca_hsm_provider
               ? " and the CA database (certutil -backupDB). The CA key is in " +
                     *plan.ca_hsm_provider +
                     ", a hardware module: it cannot be exported, so back it up with the "
                     "vendor's procedure before going on"
               : " and the CA database and private key (certutil -backup; certutil -backupKey "
                 "backs up the key and certificate alone)";
  }
  if (plan.store.location_source.empty() && plan.store.location == StoreLocation::kLocalMachine) {
    return out;  // the caller chose it
  }
  if (plan.store.location == StoreLocation::kUnknown) {
    out +=
        ". The input does not say the store's location: the commands target LocalMachine "
        "(certutil's default); plan again with --location CurrentUser for a user's store";
  } else if (plan.store.location == StoreLocation::kCurrentUser) {
    out +=
        ". This is a CurrentUser store: run the scripts as the user who owns it (not from "
        "another administrator's elevated prompt, which would open that administrator's store)";
  }
  return out;
}

}  // namespace

std::string_view step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::kBackup:
      return "backup";
    case StepKind::kInspect:
      return "inspect";
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
  for (StepKind k : {StepKind::kBackup, StepKind::kInspect, StepKind::kRepairStore,
                     StepKind::kVerify, StepKind::kRetry, StepKind::kManual}) {
    if (step_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

Result<RepairPlan> make_repair_plan(const std::vector<Finding>& findings,
                                    const PlanOptions& options) {
  RepairPlan plan;
  plan.ca_host = options.ca_host;
  plan.store = options.store;
  plan.checked = options.checked;
  plan.findings = findings;
  std::vector<std::string> ca_certificates;  // CA certificates whose KeySpec blocks renewal
  for (const auto& f : findings) {
    if (f.rule == rule_id::kKspKeySpecNotZero && f.is_ca) {
      if (auto id = cert_id_of(f)) ca_certificates.push_back(*id);
      if (f.key_provider && !is_software_provider(f.key_provider->provider)) {
        plan.ca_hsm_provider = f.key_provider->provider;
      }
    }
    // An info finding (what the input could not show) changes nothing, so it asks for no CA
    // backup either.
    if (f.is_ca && f.severity != Severity::kInfo) plan.ca_host = true;
  }

  plan.steps.push_back(PlanStep{StepKind::kBackup,
                                "Back up before changing anything",
                                backup_detail(plan),
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
      plan.refused.push_back(RefusedFix{f.rule, cert_id_of(f).value_or(f.sha1), *why});
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
    if (!plan.store.name_known()) {
      plan.refused.push_back(RefusedFix{
          f.rule, cert_id_of(f).value_or(f.sha1),
          "the input does not say which store the certificate is in (no store header), so no "
          "certutil -repairstore can be scripted for it; plan again with --store NAME"});
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
    const std::string what = use_inf || f.fix_kind != FixKind::kPropertyInf
                                 ? f.fix
                                 : "repair the key association without an INF (" +
                                       certutil_store_command(plan.store, "-repairstore", *id) +
                                       "), which rewrites property 2 from the key it finds";
    step.detail += (step.detail.empty() ? "" : "; ") + what;
    if (use_inf) {
      // Rules that rewrite property 2 of one certificate ask for the same value (each applies
      // every correction); if two ever differ, the later one is written.
      auto& properties = inf_of_cert[*id];
      std::erase_if(properties, [](const InfProperty& p) {
        return p.id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID;
      });
      properties.push_back(inf_key_provider(*f.key_provider));
    }
  }
  for (auto& [id, properties] : inf_of_cert) {
    auto text = write_property_inf(properties);
    if (!text) return text.error();
    PlannedInf inf{"keyprov-" + id + ".inf", std::move(*text), id};
    plan.steps[step_of_cert[id]].inf_file = inf.file_name;
    plan.infs.push_back(std::move(inf));
  }

  // A certificate whose ids the input masked (documentation hides real thumbprints) cannot be
  // named by a script: its step becomes one the engineer runs by hand with the real thumbprint,
  // and its INF, whose names the input did not mask, is still written.
  std::map<std::string, std::string> masked;  // thumbprint or serial -> the evidence
  for (const auto& f : findings) {
    if (f.rule != rule_id::kIdMasked) continue;
    if (!f.sha1.empty()) masked.emplace(f.sha1, f.evidence);
    if (!f.serial.empty()) masked.emplace(f.serial, f.evidence);
  }
  for (const auto& [id, index] : step_of_cert) {
    if (!masked.contains(id)) continue;
    PlanStep& step = plan.steps[index];
    const std::string args =
        "<the certificate's real SHA-1 thumbprint>" + (step.inf_file ? " " + *step.inf_file : "");
    step.kind = StepKind::kManual;
    step.title = "Repair certificate " + id + " by hand";
    step.detail = "the input's ids for this certificate look masked (" + masked.at(id) +
                  "), so no script names it: run " +
                  certutil_store_command(plan.store, "-repairstore", args) +
                  ", taking the thumbprint from " +
                  certutil_store_command(plan.store, "-store", "", false) +
                  " (Cert Hash(sha1)); what it does: " + step.detail;
    step.inf_file.reset();
    step.rules.push_back(std::string(rule_id::kIdMasked));
  }

  // The renewal is retried, and every CA certificate listed first, only when this plan repairs
  // a CA certificate whose KeySpec blocks it (a refused fix leaves it blocked).
  std::string shown;
  for (const auto& id : ca_certificates) {
    if (step_of_cert.contains(id)) shown += (shown.empty() ? "" : ", ") + id;
  }
  const bool renewal_blocked = !shown.empty();
  if (renewal_blocked) {
    // A CA has one certificate per renewal (CACertHash index 0, 1, ...), and a dump may show only
    // one of them: each with the wrong KeySpec needs its own INF.
    plan.steps.insert(
        plan.steps.begin() + 1,
        PlanStep{
            StepKind::kInspect,
            "List every CA certificate",
            "certutil -getreg CA\\CACertHash lists the CA's certificates by index; check each "
            "one's KeySpec (" +
                certutil_store_command(plan.store, "-store", "<hash>", true) +
                "). This plan repairs the one(s) the input shows (" + shown +
                "); any other with a KSP provider and KeySpec other than 0 needs the same INF, so "
                "plan again from a dump of the whole store (" +
                certutil_store_command(plan.store, "-store", "", true) + ")",
            "",
            std::nullopt,
            {std::string(rule_id::kKspKeySpecNotZero)}});
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
  plan.steps.push_back(PlanStep{
      StepKind::kVerify,
      "Verify",
      certutil_store_command(plan.store, "-store", "", true) + " > machine-after.txt; look for " +
          (look_for.empty() ? std::string("the fixed certificates") : look_for) +
          (plan.ca_host ? "; certutil -verifykeys must report that the CA's keys "
                          "verify"
                        : ""),
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
  std::string out =
      "certbed repair plan\n===================\n\nStore: " + printable(plan.store.to_string()) +
      "\n";
  if (!plan.checked.empty()) {
    out += "\nWhat was checked:\n";
    for (const auto& line : plan.checked) out += "- " + printable(line) + "\n";
  }
  out += "\nFindings (" + std::to_string(plan.findings.size()) + "):\n";
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
      out += ": " + printable(certutil_store_command(
                        plan.store, "-repairstore",
                        s.cert_id + (s.inf_file ? " " + *s.inf_file : std::string())));
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
