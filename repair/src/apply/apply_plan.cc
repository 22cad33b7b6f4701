// Applying a plan: its -repairstore steps in one transaction after a backup, then a diagnosis.
#include "certbed/repair/apply/apply_plan.h"

#include <algorithm>

namespace certbed::repair {

Result<std::vector<ApplyStep>> apply_steps_of(const std::vector<PlanStep>& steps,
                                              const InfLoader& load_inf) {
  std::vector<ApplyStep> out;
  for (const auto& step : steps) {
    if (step.kind != StepKind::kRepairStore) continue;
    ApplyStep apply{step.cert_id, std::nullopt};
    if (step.inf_file) {
      auto inf = load_inf(*step.inf_file);
      if (!inf) return inf.error();
      apply.inf = std::move(*inf);
    }
    out.push_back(std::move(apply));
  }
  return out;
}

Result<ApplyResult> apply_repair_steps(Store& store, const std::vector<ApplyStep>& steps,
                                       const std::vector<Finding>& planned,
                                       const DiagnosisOptions& options,
                                       const std::function<Status()>& backup) {
  ApplyResult result;
  // Stage every step against the current store, merging changes to the same property: INF
  // values are absolute and key association depends only on the containers, so the last
  // writer's value is what applying the steps in order would leave.
  for (const auto& step : steps) {
    auto staged = stage_repair_store(store, step.cert_id, step.inf ? &*step.inf : nullptr);
    if (!staged) return staged.error();
    for (auto& change : staged->changes) {
      auto same = std::find_if(
          result.changes.begin(), result.changes.end(),
          [&](const PropertyChange& c) { return c.sha1 == change.sha1 && c.id == change.id; });
      if (same != result.changes.end()) {
        same->after = std::move(change.after);
      } else {
        result.changes.push_back(std::move(change));
      }
    }
    result.transcript.insert(result.transcript.end(), staged->transcript.begin(),
                             staged->transcript.end());
  }
  std::erase_if(result.changes, [](const PropertyChange& c) { return c.before == c.after; });

  if (!result.changes.empty()) {
    if (backup) {
      if (auto saved = backup(); !saved) return saved.error();
    }
    if (auto committed = commit_changes(store, result.changes); !committed) {
      return committed.error();
    }
  }

  result.remaining = diagnose(store, options);
  for (const auto& p : planned) {
    if (p.fix_kind != FixKind::kPropertyInf && p.fix_kind != FixKind::kRepairKeyAssociation) {
      continue;
    }
    for (const auto& r : result.remaining) {
      if (r.rule == p.rule && r.sha1 == p.sha1) result.still_open.push_back(r);
    }
  }
  result.fixed = result.still_open.empty();
  return result;
}

}  // namespace certbed::repair
