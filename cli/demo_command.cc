// certbed demo: the seed story on a built-in emulated CA, end to end, each step explained.
#include <fmt/format.h>

#include <iostream>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "cli_support.h"
#include "commands.h"
#include "store_table.h"

namespace certbed::cli {
namespace {

void heading(int n, std::string_view title, std::string_view explanation) {
  std::cout << fmt::format("\n== {}. {}\n{}\n\n", n, title, explanation);
}

void print_events(const emulator::RenewalOutcome& outcome) {
  for (const auto& e : outcome.events) {
    std::cout << fmt::format("   {}: {}\n", emulator::event_level_name(e.level), e.text);
  }
}

// The story; returns an error message when the emulation does not behave as Windows does.
std::optional<std::string> run_demo() {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2");
  if (!machine) return machine.error().to_string();
  emulator::EmulatedStore store(*machine, emulator::StoreLocation::kLocalMachine, "My");

  std::cout << "certbed demo: \"CA certificate renewal fails when using a KSP provider\", on an "
               "emulated CA.\n";
  heading(1, "The machine store",
          "The root CA \"Contoso CA\" keeps its key in the Microsoft Software Key Storage "
          "Provider (a CNG KSP),\nbut its certificate's CERT_KEY_PROV_INFO_PROP_ID says KeySpec 2 "
          "(AT_SIGNATURE).");
  print_store_table(std::cout, store);

  heading(2, "Renew CA Certificate, reusing the existing key pair",
          "As on Windows: no request is produced, the service restarts, the renewal fails.");
  auto failed = emulator::renew_ca_certificate(*machine, {.reuse_keys = true});
  if (!failed) return failed.error().to_string();
  print_events(*failed);
  if (failed->succeeded) return "renewal with KeySpec 2 should have failed";
  if (failed->failure != emulator::RenewalFailure::kKeySpecMismatch) {
    return "renewal with KeySpec 2 should fail in the reuse-key step";
  }
  std::cout
      << "\n   Which step failed, and on what evidence: the service started, because\n"
         "   CryptAcquireCertificatePrivateKey, in its documented attempt order, opened this\n"
         "   KSP key through CNG, and no documented failure covers its KeySpec. The failure\n"
         "   is the emulated "
      << emulator::reuse_key_step_name()
      << ":\n   it is modelled on the support article, not on a documented API failure.\n";

  heading(3, "Diagnose",
          "The rules read the store (a snapshot here; a customer's certutil -v "
          "-store dump works the same way).");
  const auto findings = repair::diagnose(store);
  for (const auto& f : findings) {
    std::cout << fmt::format("   [{}] {} on certificate {}\n   evidence: {}\n",
                             repair::severity_name(f.severity), f.rule, f.serial, f.evidence);
  }
  if (findings.empty()) return "the diagnosis should have found the KeySpec";

  heading(4, "Plan",
          "Back up, one KeyProv INF per certificate, certutil -repairstore, verify, "
          "retry. (certbed plan writes these as files with repair.cmd and repair.ps1.)");
  repair::PlanOptions plan_options;
  plan_options.ca_host = true;
  plan_options.store = store.identity();
  auto plan = repair::make_repair_plan(findings, plan_options);
  if (!plan) return plan.error().to_string();
  for (const auto& inf : plan->infs) {
    std::cout << fmt::format("   {}:\n", inf.file_name);
    std::string content = inf.content;
    std::erase(content, '\r');
    for (std::size_t at = 0, next; at < content.size(); at = next + 1) {
      next = content.find('\n', at);
      if (next == std::string::npos) next = content.size();
      std::cout << "     " << content.substr(at, next - at) << "\n";
    }
  }
  for (const auto& step : plan->steps) {
    if (step.kind != repair::StepKind::kRepairStore) continue;
    std::cout << fmt::format("   certutil -repairstore my \"{}\" {}\n", step.cert_id,
                             step.inf_file.value_or(""));
  }

  heading(5, "Apply the plan to the emulated store",
          "In one transaction, after a backup; then the rules run again.");
  // The same path from a plan to its steps as `certbed apply`, with the INFs still in memory.
  auto steps = repair::apply_steps_of(
      plan->steps, [&](const std::string& name) -> repair::Result<repair::PropertyInf> {
        for (const auto& inf : plan->infs) {
          if (inf.file_name == name) return repair::parse_property_inf(inf.content, inf.file_name);
        }
        return repair::make_error(repair::ErrorCode::kNotFound, "the plan has no INF " + name);
      });
  if (!steps) return steps.error().to_string();
  auto applied = repair::apply_repair_steps(store, *steps, findings, {}, [&]() -> repair::Status {
    std::cout << "   backed up the machine\n";
    return {};
  });
  if (!applied) return applied.error().to_string();
  for (const auto& line : applied->transcript) std::cout << "   " << line << "\n";
  std::cout << fmt::format("   {} change(s); findings left: {}\n", applied->changes.size(),
                           applied->remaining.size());
  if (!applied->fixed || !applied->remaining.empty()) return "the plan did not fix the store";

  heading(6, "The machine store after the repair", "KeySpec is 0; nothing else changed.");
  print_store_table(std::cout, store);

  heading(
      7, "Renew CA Certificate again, reusing the existing key pair",
      "Now it succeeds: a new self-signed certificate with the same key and the next CA index.");
  auto renewed = emulator::renew_ca_certificate(*machine, {.reuse_keys = true});
  if (!renewed) return renewed.error().to_string();
  print_events(*renewed);
  if (!renewed->succeeded) return "renewal after the repair should have succeeded";
  std::cout << "\n";
  print_store_table(std::cout, store);
  std::cout << "\nThe seed case is reproduced, diagnosed, repaired and verified.\n";
  return std::nullopt;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("demo",
                                 "The seed story on a built-in emulated CA: renewal "
                                 "fails, diagnose, plan, apply, renewal succeeds");
  cmd->callback([&exit_code] {
    if (auto problem = run_demo()) {
      std::cerr << "certbed demo: " << *problem << "\n";
      exit_code = kExitFailure;
    }
  });
}

}  // namespace certbed::cli
