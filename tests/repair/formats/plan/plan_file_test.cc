// The plan file format: the writer, the reader's round trip on every committed plan, and a
// located error for every malformed shape under fixtures/plans/malformed.
#include "certbed/repair/formats/plan/plan_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "certbed/repair/apply/apply_plan.h"
#include "support/files.h"

namespace certbed::repair {
namespace {

namespace fs = std::filesystem;

Finding seed_finding() {
  Finding f;
  f.rule = "ksp-keyspec-not-zero";
  f.severity = Severity::kError;
  f.serial = "1f3a5c7e9b2d4f6081a3c5e7092b4d6f";
  f.sha1 = "5fb91336bddb21d9610a7045f4521fd52f0645fd";
  f.subject = "CN=Contoso CA, DC=Contoso, DC=com";
  f.is_ca = true;
  f.evidence = "ProviderType 0 (a KSP) with KeySpec 2";
  f.fix = "rewrite property 2 with KeySpec 0";
  f.fix_kind = FixKind::kPropertyInf;
  KeyProvInfo kp;
  kp.container = "Contoso CA";
  kp.provider = "Microsoft Software Key Storage Provider";
  kp.provider_type = 0;
  kp.flags = 0x20;
  kp.key_spec = 0;
  f.key_provider = kp;
  return f;
}

TEST(PlanFile, WrittenPlanReadsBackToTheSamePlan) {
  PlanOptions options;
  options.ca_host = true;
  auto plan = make_repair_plan({seed_finding()}, options);
  ASSERT_TRUE(plan.ok()) << plan.error().to_string();
  const PlanFile file = plan_file_of(*plan);
  ASSERT_EQ(file.inf_files.size(), 1u);
  const std::string text = write_plan_file(file);
  auto read = read_plan_file(text, "plan.json");
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  // The JSON does not carry a finding's index or key provider: compare what it does carry.
  PlanFile expected = file;
  for (auto& f : expected.findings) {
    f.index.reset();
    f.key_provider.reset();
  }
  EXPECT_EQ(*read, expected);
  EXPECT_EQ(write_plan_file(*read), text);
}

TEST(PlanFile, EveryCommittedCasePlanReadsAndWritesBackByteForByte) {
  std::size_t plans = 0;
  for (const auto& entry : fs::recursive_directory_iterator(CERTBED_SOURCE_DIR "/fixtures/cases")) {
    if (entry.path().filename() != "plan.json") continue;
    ++plans;
    const std::string text = testing::slurp(entry.path());
    auto read = read_plan_file(text, entry.path().string());
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_EQ(write_plan_file(*read), text) << entry.path();
  }
  EXPECT_GE(plans, 12u);
}

TEST(PlanFile, EveryMalformedShapeIsAParseErrorSayingWhereAndWhat) {
  // What the message must say for each file (after "plan.json: " or "plan.json:L:C: ").
  const std::map<std::string, std::string> expected = {
      {"ca-host-string.json", "ca_host: expected true or false, found string"},
      {"cert-id-not-hex.json", "steps[0].cert_id: a repairstore step needs a certificate id"},
      {"cert-id-number.json", "steps[0].cert_id: expected string or null, found number"},
      {"deep-nesting.json", "nested deeper than a plan file is"},
      {"empty.json", "not JSON:"},
      {"finding-not-object.json", "findings[0]: expected object, found string"},
      {"format-number-no-findings.json", "missing \"store\""},
      {"huge-integer.json", "refused: expected array, found number"},
      {"huge-number.json", "not JSON: number overflow parsing '1e999999'"},
      {"inf-not-listed.json", "steps[0].inf: \"keyprov-"},
      {"inf-path-traversal.json", "is not a plain file name"},
      {"invalid-utf8.json", "not JSON:"},
      {"missing-findings.json", "missing \"findings\""},
      {"not-json.json", "not JSON:"},
      {"refused-missing-reason.json", "refused[0]: missing \"reason\""},
      {"root-array.json", "expected object, found array"},
      {"rules-not-strings.json", "steps[0].rules[0]: expected string, found number"},
      {"severity-unknown.json", "findings[0].severity: expected info, warning or error"},
      {"step-kind-unknown.json", "steps[0].kind: expected backup, repairstore"},
      {"steps-not-array.json", "steps: expected array, found object"},
      {"truncated.json", "not JSON:"},
      {"unknown-key.json", "unknown key \"extra\""},
      {"wrong-format.json", "format: expected \"certbed-plan-1\", found \"certbed-plan-2\""},
  };
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(CERTBED_SOURCE_DIR "/fixtures/plans/malformed")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    auto read = read_plan_file(testing::slurp(entry.path()), "plan.json");
    ASSERT_FALSE(read.ok()) << name;
    EXPECT_EQ(read.error().code, ErrorCode::kParse) << name;
    const std::string message = read.error().to_string();
    EXPECT_EQ(message.rfind("plan.json:", 0), 0u) << name << ": " << message;
    ASSERT_TRUE(expected.count(name)) << "no expectation for " << name;
    EXPECT_NE(message.find(expected.at(name)), std::string::npos) << name << ": " << message;
  }
  EXPECT_EQ(files, expected.size());
}

TEST(PlanFile, NotJsonErrorGivesLineAndColumn) {
  auto read = read_plan_file("{\n  \"format\": certbed\n}\n", "plan.json");
  ASSERT_FALSE(read.ok());
  ASSERT_TRUE(read.error().location.has_value());
  EXPECT_EQ(read.error().location->line, 2u);
  EXPECT_EQ(read.error().location->column, 13u);
  EXPECT_EQ(read.error().to_string().rfind("plan.json:2:13: not JSON: ", 0), 0u)
      << read.error().to_string();
}

TEST(PlanFile, ControlCharactersFromTheFileAreNotEchoedIntoMessages) {
  auto read = read_plan_file(
      R"({"format": "\u001b[31mred", "store": "my", "location": "LocalMachine", "ca_host": false,)"
      R"( "ca_hsm_provider": null,)"
      R"( "findings": [],)"
      R"( "steps": [], "inf_files": [], "refused": []})",
      "plan.json");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message.find('\x1b'), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("\\x1b[31mred"), std::string::npos) << read.error().message;
}

TEST(ApplyStepsOf, KeepsOnlyRepairStoreStepsWithTheirInfs) {
  PlanStep backup{StepKind::kBackup, "back up", "", "", std::nullopt, {}};
  PlanStep with_inf{StepKind::kRepairStore, "fix", "", "aa", "keyprov-aa.inf", {"r"}};
  PlanStep without{StepKind::kRepairStore, "fix", "", "bb", std::nullopt, {"r"}};
  std::vector<std::string> asked;
  auto steps = apply_steps_of({backup, with_inf, without}, [&](const std::string& name) {
    asked.push_back(name);
    return parse_property_inf("[Properties]\r\n11 = \"{text}x\"\r\n", name);
  });
  ASSERT_TRUE(steps.ok()) << steps.error().to_string();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].cert_id, "aa");
  ASSERT_TRUE((*steps)[0].inf.has_value());
  EXPECT_EQ((*steps)[0].inf->properties.size(), 1u);
  EXPECT_EQ((*steps)[1].cert_id, "bb");
  EXPECT_FALSE((*steps)[1].inf.has_value());
  EXPECT_EQ(asked, std::vector<std::string>{"keyprov-aa.inf"});
}

TEST(ApplyStepsOf, FailsWhenAnInfCannotBeLoaded) {
  PlanStep with_inf{StepKind::kRepairStore, "fix", "", "aa", "keyprov-aa.inf", {"r"}};
  auto steps = apply_steps_of({with_inf}, [](const std::string& name) -> Result<PropertyInf> {
    return make_error(ErrorCode::kNotFound, name + ": no such file");
  });
  ASSERT_FALSE(steps.ok());
  EXPECT_EQ(steps.error().message, "keyprov-aa.inf: no such file");
}

}  // namespace
}  // namespace certbed::repair
