// Apply: executes a repair plan's -repairstore steps against a writable Store in one
// transaction, after a backup, then diagnoses again to prove the findings are gone.
#pragma once

#include <functional>

#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"

namespace certbed::repair {

struct ApplyStep {
  std::string cert_id;
  std::optional<PropertyInf> inf;  // nullopt: repair the key association
};

// Loads the INF a step names (from a plan folder, or from a plan still in memory).
using InfLoader = std::function<Result<PropertyInf>(const std::string& inf_file)>;

// The -repairstore steps of a plan, in order, each with its INF loaded. The one path from a
// plan to what apply_repair_steps runs, for `certbed apply` and `certbed demo` alike.
Result<std::vector<ApplyStep>> apply_steps_of(const std::vector<PlanStep>& steps,
                                              const InfLoader& load_inf);

struct ApplyResult {
  std::vector<PropertyChange> changes;
  std::vector<std::string> transcript;
  std::vector<Finding> still_open;  // planned fixes whose findings are still there
  std::vector<Finding> remaining;   // every finding after the repair (manual ones included)
  bool fixed = false;               // every finding the plan set out to fix is gone
};

// `backup` runs first; if it fails nothing is changed. Any failing step, or a failing commit,
// leaves the store exactly as it was.
Result<ApplyResult> apply_repair_steps(Store& store, const std::vector<ApplyStep>& steps,
                                       const std::vector<Finding>& planned,
                                       const DiagnosisOptions& options,
                                       const std::function<Status()>& backup);

}  // namespace certbed::repair
