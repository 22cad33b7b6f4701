// Every support case under fixtures/cases/ gives its reviewed diagnosis and plan, and applying the
// plan to a snapshot input fixes what the plan says it fixes (regenerate with scripts/regen-cases).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<fs::path> case_dirs() {
  std::vector<fs::path> out;
  for (const auto& e :
       fs::directory_iterator(fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "cases")) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> inputs_of(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("input", 0) == 0) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string certbed() { return shell_quote(CERTBED_BINARY); }

// A case's args file as shell words: double quotes group a word, and inside them \\ and \"
// stand for \ and " (as sh, shlex and scripts/regen-cases read it).
std::vector<std::string> shell_words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false, quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        quoted = false;
      } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == '"')) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == '"') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\n' || c == '\t') {
      if (in_word) out.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote in args: " << text;
  if (in_word) out.push_back(word);
  return out;
}

// The extra options a case may ask for: an application profile, the store and location its
// dump does not show, the service account whose key access is checked. Values are plain words,
// or for an account letters, digits, spaces, . _ - $ and a backslash; each is quoted for the
// shell.
std::string case_args(const fs::path& dir) {
  if (!fs::exists(dir / "args")) return "";
  const auto words = shell_words(trimmed(slurp(dir / "args")));
  EXPECT_EQ(words.size() % 2, 0u) << "args in " << dir << " are not option-value pairs";
  std::string out;
  for (std::size_t i = 0; i + 1 < words.size(); i += 2) {
    const std::string& option = words[i];
    const std::string& value = words[i + 1];
    const bool account = option == "--service-account";
    const bool known =
        account || option == "--profile" || option == "--store" || option == "--location";
    const bool plain =
        !value.empty() && std::all_of(value.begin(), value.end(), [&](unsigned char c) {
          return std::isalnum(c) != 0 || c == '-' ||
                 (account && (c == ' ' || c == '\\' || c == '$' || c == '.' || c == '_'));
        });
    EXPECT_TRUE(known && plain) << "unexpected args in " << dir << ": " << option << " " << value;
    if (known && plain) out.append(" ").append(option).append(" ").append(shell_quote(value));
  }
  return out;
}

void expect_same_tree(const fs::path& expected, const fs::path& actual) {
  std::vector<std::string> want, got;
  for (const auto& e : fs::directory_iterator(expected)) want.push_back(e.path().filename());
  for (const auto& e : fs::directory_iterator(actual)) got.push_back(e.path().filename());
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got, want);
  for (const auto& name : want) {
    EXPECT_EQ(slurp(actual / name), slurp(expected / name)) << name;
  }
}

TEST(SupportCases, ThereAreAtLeastTenWithReadmesAndExpectations) {
  const auto dirs = case_dirs();
  EXPECT_GE(dirs.size(), 10u);
  for (const auto& d : dirs) {
    EXPECT_TRUE(fs::exists(d / "README.md")) << d;
    EXPECT_FALSE(inputs_of(d).empty()) << d;
  }
}

TEST(SupportCases, EachGivesItsDiagnosisPlanAndApplyResult) {
  for (const auto& dir : case_dirs()) {
    const auto args = case_args(dir);
    for (const auto& input : inputs_of(dir)) {
      SCOPED_TRACE(input.string());
      const auto stem = input.stem().string();
      const auto expected = dir / "expected";

      // An input certbed refuses (not a store dump) has the reason instead of a diagnosis and a
      // plan: both commands exit 2 saying it, and write nothing.
      if (fs::exists(expected / (stem + ".refused"))) {
        const auto reason = trimmed(slurp(expected / (stem + ".refused")));
        TempDir work;
        for (const std::string& command :
             {" diagnose --json" + args + " " + shell_quote(input.string()),
              " plan" + args + " " + shell_quote(input.string()) + " -o " +
                  shell_quote((work.path() / "plan").string())}) {
          auto refused = run_command(certbed() + command);
          EXPECT_EQ(refused.exit_code, 2) << refused.output;
          std::string said = trimmed(refused.output);
          for (auto at = said.find(input.string()); at != std::string::npos;
               at = said.find(input.string())) {
            said.replace(at, input.string().size(), "INPUT");
          }
          EXPECT_EQ(said, reason);
        }
        EXPECT_FALSE(fs::exists(work.path() / "plan"));
        continue;
      }
      auto diagnosis = run_command(certbed() + " diagnose --json" + args + " " +
                                       shell_quote(input.string()) + " 2>/dev/null",
                                   /*merge_stderr=*/false);
      const auto actual_json = nlohmann::json::parse(diagnosis.output, nullptr, false);
      const auto expected_json =
          nlohmann::json::parse(slurp(expected / (stem + ".diagnosis.json")), nullptr, false);
      ASSERT_FALSE(actual_json.is_discarded()) << diagnosis.output;
      EXPECT_EQ(actual_json, expected_json);
      bool errors = false;
      for (const auto& f : actual_json["findings"]) errors = errors || f["severity"] == "error";
      EXPECT_EQ(diagnosis.exit_code, errors ? 1 : 0);

      TempDir work;
      const auto plan_dir = work.path() / "plan";
      auto plan = run_command(certbed() + " plan" + args + " " + shell_quote(input.string()) +
                                  " -o " + shell_quote(plan_dir.string()) + " 2>/dev/null",
                              /*merge_stderr=*/false);
      ASSERT_EQ(plan.exit_code, 0) << plan.output;
      expect_same_tree(expected / (stem + ".plan"), plan_dir);

      const auto ext = input.extension().string();
      if (ext != ".textproto" && ext != ".pb") continue;
      const auto copy = work.path() / input.filename();
      fs::copy_file(input, copy);
      auto apply = run_command(certbed() + " apply" + args + " " + shell_quote(copy.string()) +
                               " " + shell_quote(plan_dir.string()));
      EXPECT_EQ(std::to_string(apply.exit_code), trimmed(slurp(expected / (stem + ".apply-exit"))))
          << apply.output;
      // Whatever the plan could fix is gone; applying again changes nothing.
      auto after =
          run_command(certbed() + " diagnose --json" + args + " " + shell_quote(copy.string()),
                      /*merge_stderr=*/false);
      const auto after_json = nlohmann::json::parse(after.output);
      for (const auto& f : after_json["findings"]) {
        EXPECT_NE(f["fix_kind"], "inf") << f.dump();
        EXPECT_NE(f["fix_kind"], "repair-key-association") << f.dump();
      }
      const auto once = slurp(copy);
      auto again = run_command(certbed() + " apply" + args + " " + shell_quote(copy.string()) +
                               " " + shell_quote(plan_dir.string()));
      EXPECT_NE(again.output.find("nothing to change"), std::string::npos) << again.output;
      EXPECT_EQ(slurp(copy), once);
    }
  }
}

TEST(SupportCases, SeedPlanMakesRenewalWithTheExistingKeySucceed) {
  for (const char* name : {"seed-ca-ksp-keyspec2", "seed-several-ca-indexes", "hsm-ksp-ca",
                           "hostile-names", "subordinate-ca"}) {
    SCOPED_TRACE(name);
    const auto dir = fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "cases" / name;
    TempDir work;
    const auto snapshot = work.path() / "s.textproto";
    fs::copy_file(dir / "input.textproto", snapshot);
    auto before = run_command(certbed() + " renew --reuse-keys " + shell_quote(snapshot.string()) +
                              " -o " + shell_quote(work.file("r.textproto")));
    EXPECT_EQ(before.exit_code, 1) << before.output;
    ASSERT_EQ(run_command(certbed() + " apply " + shell_quote(snapshot.string()) + " " +
                          shell_quote((dir / "expected" / "input.plan").string()))
                  .exit_code,
              0);
    auto after = run_command(certbed() + " renew --reuse-keys " + shell_quote(snapshot.string()) +
                             " -o " + shell_quote(work.file("r.textproto")) + " --request-out " +
                             shell_quote(work.file("r.req")));
    EXPECT_EQ(after.exit_code, 0) << after.output;
  }
}

// An imported CA (input-imported.textproto with .renew-before): "Renew CA Certificate" with the
// existing key gives the reviewed exit codes before and after the plan, succeeds after it, and
// fails before it when the diagnosis has an error.
TEST(SupportCases, ImportedCaCasesRenewAfterThePlanAndFailBeforeItWhenDiagnosedWrong) {
  std::size_t cases = 0;
  for (const auto& dir : case_dirs()) {
    const auto expected = dir / "expected";
    if (!fs::exists(expected / "input-imported.renew-before")) continue;
    SCOPED_TRACE(dir.string());
    ++cases;
    const auto args = case_args(dir);
    TempDir work;
    const auto snapshot = work.path() / "s.textproto";
    fs::copy_file(dir / "input-imported.textproto", snapshot);
    const std::string renew = "cd " + shell_quote(work.path().string()) + " && " + certbed() +
                              " renew --reuse-keys s.textproto -o r.textproto --request-out r.req";
    auto before = run_command(renew);
    EXPECT_EQ(std::to_string(before.exit_code),
              trimmed(slurp(expected / "input-imported.renew-before")))
        << before.output;
    const auto diagnosis = nlohmann::json::parse(slurp(expected / "input-imported.diagnosis.json"));
    bool errors = false;
    for (const auto& f : diagnosis["findings"]) errors = errors || f["severity"] == "error";
    if (errors) {
      EXPECT_EQ(before.exit_code, 1) << before.output;
    }
    auto apply = run_command(certbed() + " apply" + args + " " + shell_quote(snapshot.string()) +
                             " " + shell_quote((expected / "input-imported.plan").string()));
    EXPECT_EQ(apply.exit_code, 0) << apply.output;
    auto after = run_command(renew);
    EXPECT_EQ(after.exit_code, 0) << after.output;
    EXPECT_EQ(std::to_string(after.exit_code),
              trimmed(slurp(expected / "input-imported.renew-after")));
  }
  EXPECT_GE(cases, 3u);  // seed-article-dump, missing-keyset, securosys-hsm-repairstore
}

TEST(SupportCases, OemConsoleDumpIsReportedAndNothingIsScriptedForIt) {
  const auto plan = fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "cases" / "oem-console-dump" /
                    "expected" / "input-dump.plan";
  for (const auto& entry : fs::directory_iterator(plan)) {
    EXPECT_NE(entry.path().extension(), ".inf") << entry.path();
  }
  // The guessed name stays in the findings' evidence (summary.txt, plan.json), never in a script.
  for (const char* script : {"repair.cmd", "repair.ps1"}) {
    const auto text = slurp(plan / script);
    EXPECT_EQ(text.find("repairstore"), std::string::npos) << script;
    EXPECT_EQ(text.find("ller CA"), std::string::npos) << script;
  }
  const auto json = nlohmann::json::parse(slurp(plan / "plan.json"));
  ASSERT_EQ(json["refused"].size(), 1u);
  EXPECT_EQ(json["refused"][0]["rule"], "ksp-keyspec-not-zero");
  EXPECT_NE(json["refused"][0]["reason"].get<std::string>().find("cp850"), std::string::npos);
  const auto diagnosis =
      nlohmann::json::parse(slurp(plan.parent_path() / "input-dump.diagnosis.json"));
  EXPECT_EQ(diagnosis["findings"][0]["rule"], "dump-text-not-faithful");
}

TEST(SupportCases, NoInputValueReachesAScriptUnquoted) {
  const auto plan = fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "cases" / "hostile-names" /
                    "expected" / "input.plan";
  for (const char* script : {"repair.cmd", "repair.ps1"}) {
    const auto text = slurp(plan / script);
    for (const char* fragment : {"R&D", "100%", "O'Brien", "\xE6\x9C\xAC", "\"Root\""}) {
      EXPECT_EQ(text.find(fragment), std::string::npos) << script << " contains " << fragment;
    }
  }
  const auto json = nlohmann::json::parse(slurp(plan / "plan.json"));
  ASSERT_EQ(json["refused"].size(), 1u);
  EXPECT_NE(json["refused"][0]["reason"].get<std::string>().find("double quote"),
            std::string::npos);
}

}  // namespace
}  // namespace certbed::testing
