// The repair plan file (plan.json, format "certbed-plan-1") and the findings JSON it shares with
// `certbed diagnose --json`: a writer, and a reader that checks every field and never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/model/result.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"

namespace certbed::repair {

inline constexpr std::string_view kPlanFileFormat = "certbed-plan-1";

// Reading refuses larger files and deeper nesting before building anything from them.
inline constexpr std::size_t kMaxPlanFileBytes = 16u << 20;
inline constexpr std::size_t kMaxPlanFileDepth = 16;

// What plan.json holds: the plan without the INF contents, which sit beside it as files.
struct PlanFile {
  std::string store_name;  // empty when the input did not say
  StoreLocation location = StoreLocation::kLocalMachine;
  bool ca_host = false;
  std::optional<std::string> ca_hsm_provider;  // RepairPlan::ca_hsm_provider
  std::vector<Finding> findings;
  std::vector<PlanStep> steps;
  std::vector<std::string> inf_files;
  std::vector<RefusedFix> refused;

  bool operator==(const PlanFile&) const = default;
};

// The plan as plan.json holds it (INF contents dropped).
PlanFile plan_file_of(const RepairPlan& plan);

// plan.json text: JSON indented by 2, ending in a line break.
std::string write_plan_file(const PlanFile& plan);

// Parses plan.json. Every error names `source` and says what is wrong where: "plan.json:3:7:
// not JSON: ...", "plan.json: steps[2].cert_id: expected a string, found a number". Step INF
// names must be plain file names (they are opened beside the plan), and the INF of a step must
// be one the plan lists.
Result<PlanFile> read_plan_file(std::string_view text, const std::string& source);

// One finding as diagnose --json and plan.json print it: {"rule", "severity", "serial", "sha1",
// "subject", "evidence", "fix", "fix_kind", "ca"}, indented by `indent` spaces per level.
std::string finding_json(const Finding& finding, int indent);

// {"name", "location", "name_source", "location_source", "role"} (unknown parts null), as
// diagnose --json prints the store.
std::string store_identity_json(const StoreIdentity& store, int indent);

// `text` as a JSON string literal.
std::string json_string(std::string_view text);

}  // namespace certbed::repair
