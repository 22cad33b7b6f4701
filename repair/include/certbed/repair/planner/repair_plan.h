// The planner: findings -> an ordered repair plan a support engineer can hand over (INF files,
// repair.cmd, repair.ps1, a summary), and the quoting that keeps input values inert in them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::repair {

struct PlannedInf {
  std::string file_name;  // derived from the serial: "keyprov-<serial>.inf"
  std::string content;    // INF text (CRLF)
  std::string cert_id;
};

// kInspect runs read-only commands whose output the engineer checks before the repair (the
// CA's certificate list); apply, which has the store itself, skips it like the other non-repair
// steps.
enum class StepKind { kBackup, kInspect, kRepairStore, kVerify, kRetry, kManual };
std::string_view step_kind_name(StepKind kind);  // "backup", "repairstore", ...
std::optional<StepKind> parse_step_kind(std::string_view name);

struct PlanStep {
  StepKind kind = StepKind::kManual;
  std::string title;
  std::string detail;
  // kRepairStore: certutil -repairstore <store> <cert_id> [inf_file]
  std::string cert_id;
  std::optional<std::string> inf_file;
  std::vector<std::string> rules;  // the findings this step fixes

  bool operator==(const PlanStep&) const = default;
};

struct RefusedFix {
  std::string rule;
  std::string cert_id;
  std::string reason;

  bool operator==(const RefusedFix&) const = default;
};

struct RepairPlan {
  // The store every command targets. An unknown name refuses every scripted fix; an unknown
  // location is scripted as certutil's default, LocalMachine, and the plan says so.
  StoreIdentity store{"My", StoreLocation::kLocalMachine, "", ""};
  bool ca_host = false;  // back up the CA database and key first, retry renewal last
  // The CA key is in a hardware module (a provider that is not Microsoft's): it cannot be
  // exported, so the CA backup leaves it to the vendor's procedure.
  std::optional<std::string> ca_hsm_provider;
  // What the diagnosis could and could not check (diagnosis_coverage_lines).
  std::vector<std::string> checked;
  std::vector<Finding> findings;
  std::vector<PlannedInf> infs;
  std::vector<PlanStep> steps;
  std::vector<RefusedFix> refused;
};

struct PlanOptions {
  bool ca_host = false;
  StoreIdentity store{"My", StoreLocation::kLocalMachine, "", ""};
  std::vector<std::string> checked;
};

// Orders the fixes: back up (the CA too on a CA host), list the CA's certificates when a CA
// certificate is repaired, one -repairstore per certificate (with an INF where a property
// must be written, without one where the key association must be found), verify, retry. A fix
// whose values cannot be written safely is refused with a reason (and replaced by a key
// association repair where that reaches the same state); manual findings become manual steps.
Result<RepairPlan> make_repair_plan(const std::vector<Finding>& findings,
                                    const PlanOptions& options = {});

// The scripts. Every value that comes from the input is validated and quoted; anything that
// cannot be quoted safely is an error (kUnsafe), never emitted.
Result<std::string> render_cmd_script(const RepairPlan& plan);
Result<std::string> render_powershell_script(const RepairPlan& plan);
std::string render_plan_summary(const RepairPlan& plan);

// "..." for cmd.exe batch files (% doubled); refuses quotes, control characters, line breaks.
Result<std::string> quote_cmd_argument(std::string_view value);
// '...' for PowerShell ('' for a quote, including the typographic single quotes PowerShell also
// treats as quotes); refuses control characters and line breaks.
Result<std::string> quote_powershell_argument(std::string_view value);

}  // namespace certbed::repair
