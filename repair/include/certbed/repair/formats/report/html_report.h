// The report a person reads: one self-contained HTML page (no script, no external asset, a
// Content-Security-Policy that forbids both) with the store's certificates and their problem
// fields, a picture of which certificate links to which key container, the findings with their
// evidence, the plan's steps and what was not checked. Every value from the input is escaped
// and appears only as text, never in an attribute.
#pragma once

#include <string>
#include <vector>

#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/store/store.h"

namespace certbed::repair {

struct ReportInput {
  std::string input_name;            // the file the report is of
  std::vector<Finding> findings;     // as diagnosed
  const RepairPlan* plan = nullptr;  // its steps, when there is a plan
  std::vector<std::string> checked;  // diagnosis_coverage lines
  std::vector<std::string> notes;    // what the input could not give (an import's record)
};

// Deterministic: the same store and input give the same bytes.
std::string render_html_report(const ReadOnlyStore& store, const ReportInput& input);

}  // namespace certbed::repair
