// The three ways diagnose prints: text, {"findings", "store", "checked"} (indented as
// nlohmann's dump(2) indents a whole document, so a streaming diagnosis prints what one in
// memory prints), and one compact JSON object per input.
#include "common/diagnose_output.h"

#include <fmt/format.h>

#include <iostream>

#include "certbed/repair/formats/plan/plan_file.h"
#include "common/report.h"

namespace certbed::cli {
namespace {

void print_finding(const repair::Finding& f) {
  std::cout << fmt::format("[{}] {}{}{}\n  evidence: {}\n  fix: {}\n",
                           repair::severity_name(f.severity), f.rule,
                           f.serial.empty() ? "" : " certificate " + f.serial,
                           f.subject.empty() ? "" : " (" + f.subject + ")", f.evidence, f.fix);
}

// `text` with every line after the first indented by `by`.
std::string indented(const std::string& text, std::string_view by) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += by;
  }
  return out;
}

class TextPrinter final : public DiagnosisPrinter {
 public:
  explicit TextPrinter(bool batch) : batch_(batch) {}
  void begin(const std::string& input) override {
    count_ = 0;
    if (batch_) std::cout << (first_ ? "" : "\n") << "== " << input << "\n";
    first_ = false;
  }
  void finding(const repair::Finding& f) override {
    print_finding(f);
    ++count_;
  }
  void end(const repair::DiagnosisCoverage& coverage, int /*exit_status*/) override {
    if (count_ == 0) std::cout << "no findings\n";
    std::cout << "\nchecked:\n";
    for (const auto& line : repair::coverage_lines(coverage)) std::cout << "- " << line << "\n";
  }
  void failed(const repair::Error& error, int /*exit_status*/) override {
    if (batch_) std::cout << "not diagnosed: " << error.to_string() << "\n";
    report(error);
  }

 private:
  bool batch_;
  bool first_ = true;
  std::size_t count_ = 0;
};

class JsonPrinter final : public DiagnosisPrinter {
 public:
  void begin(const std::string& /*input*/) override {}
  void finding(const repair::Finding& f) override {
    if (count_ == 0) std::cout << "{\n  \"findings\": [";
    std::cout << (count_ == 0 ? "\n    " : ",\n    ")
              << indented(repair::finding_json(f, 2), "    ");
    ++count_;
  }
  void end(const repair::DiagnosisCoverage& coverage, int /*exit_status*/) override {
    std::cout << (count_ == 0 ? "{\n  \"findings\": []" : "\n  ]") << ",\n  \"store\": "
              << indented(repair::store_identity_json(coverage.store, 2), "  ")
              << ",\n  \"checked\": [";
    const auto lines = repair::coverage_lines(coverage);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::cout << (i == 0 ? "\n    " : ",\n    ") << repair::json_string(lines[i]);
    }
    std::cout << (lines.empty() ? "]\n}\n" : "\n  ]\n}\n");
  }
  // Findings already printed stay an unfinished document, which a JSON reader refuses: the
  // exit status and stderr say why.
  void failed(const repair::Error& error, int /*exit_status*/) override { report(error); }

 private:
  std::size_t count_ = 0;
};

// {"input", "exit", "findings", "store", "checked"} or {"input", "exit", "error"}, one line
// each, written when the input is done so a failure midway never leaves half a line.
class JsonLinesPrinter final : public DiagnosisPrinter {
 public:
  void begin(const std::string& input) override {
    input_ = input;
    findings_.clear();
  }
  void finding(const repair::Finding& f) override {
    findings_ += (findings_.empty() ? "" : ",") + repair::finding_json(f, -1);
  }
  void end(const repair::DiagnosisCoverage& coverage, int exit_status) override {
    std::string checked;
    for (const auto& line : repair::coverage_lines(coverage)) {
      checked += (checked.empty() ? "" : ",") + repair::json_string(line);
    }
    std::cout << "{\"input\":" << repair::json_string(input_) << ",\"exit\":" << exit_status
              << ",\"findings\":[" << findings_
              << "],\"store\":" << repair::store_identity_json(coverage.store, -1)
              << ",\"checked\":[" << checked << "]}\n";
  }
  void failed(const repair::Error& error, int exit_status) override {
    std::cout << "{\"input\":" << repair::json_string(input_) << ",\"exit\":" << exit_status
              << ",\"error\":" << repair::json_string(error.to_string()) << "}\n";
    report(error);
  }

 private:
  std::string input_;
  std::string findings_;
};

}  // namespace

std::unique_ptr<DiagnosisPrinter> make_diagnosis_printer(DiagnosisFormat format, bool batch) {
  switch (format) {
    case DiagnosisFormat::kJson:
      return std::make_unique<JsonPrinter>();
    case DiagnosisFormat::kJsonLines:
      return std::make_unique<JsonLinesPrinter>();
    case DiagnosisFormat::kText:
      break;
  }
  return std::make_unique<TextPrinter>(batch);
}

void print_findings(const std::vector<repair::Finding>& findings) {
  if (findings.empty()) {
    std::cout << "no findings\n";
    return;
  }
  for (const auto& f : findings) print_finding(f);
}

}  // namespace certbed::cli
