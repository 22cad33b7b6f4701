// How `certbed diagnose` prints each input's result: text, one JSON document, or one JSON line
// per input (--jsonl), each finding handed over as it is found.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "certbed/repair/model/result.h"
#include "certbed/repair/rules/diagnosis.h"

namespace certbed::cli {

class DiagnosisPrinter {
 public:
  virtual ~DiagnosisPrinter() = default;
  virtual void begin(const std::string& input) = 0;
  virtual void finding(const repair::Finding& finding) = 0;
  // After the last finding: what was checked, and the input's exit status.
  virtual void end(const repair::DiagnosisCoverage& coverage, int exit_status) = 0;
  // The input could not be diagnosed (no finding was printed for it in text or JSON; a JSON line
  // says so with the error).
  virtual void failed(const repair::Error& error, int exit_status) = 0;
};

enum class DiagnosisFormat { kText, kJson, kJsonLines };
// `batch`: several inputs, so text output names each before its findings.
std::unique_ptr<DiagnosisPrinter> make_diagnosis_printer(DiagnosisFormat format, bool batch);

// The findings as text ("no findings" when empty), for diagnose and apply.
void print_findings(const std::vector<repair::Finding>& findings);

}  // namespace certbed::cli
