// certbed case new and case expect, run the way a support engineer runs them: a customer's dump
// becomes a case folder that replays the failure, and a case's expected results are the ones
// the commands give.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;

std::string certbed() { return shell_quote(CERTBED_BINARY); }
const std::string kSeedDump =
    std::string(CERTBED_SOURCE_DIR) + "/fixtures/dumps/real/09-ca-ksp-keyspec2-verbose-elided.txt";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(CliCase, TheSeedDumpBecomesACaseThatFailsRenewalBeforeItsPlanAndRenewsAfterIt) {
  TempDir dir;
  auto r = run_command(certbed() + " case new seed --from " + shell_quote(kSeedDump) +
                       " --store My --anonymize --cases " + shell_quote(dir.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path c = dir.path() / "seed";
  const fs::path e = c / "expected";
  EXPECT_EQ(trimmed(slurp(c / "args")), "--store My");
  EXPECT_NE(slurp(c / "README.md").find("anonymized"), std::string::npos);
  // The case's dump is the anonymized machine's, printed -v as the original was.
  const std::string dump = slurp(c / "input-dump.txt");
  EXPECT_NE(dump.find("CERT_KEY_PROV_INFO_PROP_ID(2)"), std::string::npos);
  EXPECT_EQ(dump.find("Contoso"), std::string::npos);
  for (const auto* stem : {"input-dump", "input-imported"}) {
    const std::string diagnosis = slurp(e / (std::string(stem) + ".diagnosis.json"));
    EXPECT_NE(diagnosis.find("\"rule\": \"ksp-keyspec-not-zero\""), std::string::npos) << stem;
    EXPECT_TRUE(fs::exists(e / (std::string(stem) + ".plan") / "plan.json")) << stem;
  }
  EXPECT_EQ(trimmed(slurp(e / "input-imported.apply-exit")), "0");
  EXPECT_EQ(trimmed(slurp(e / "input-imported.renew-before")), "1");
  EXPECT_EQ(trimmed(slurp(e / "input-imported.renew-after")), "0");
  EXPECT_FALSE(fs::exists(e / "input-dump.apply-exit"));  // a dump cannot be applied
}

TEST(CliCase, AnExistingCaseFolderIsRefusedAndLeftAsItWas) {
  TempDir dir;
  fs::create_directories(dir.path() / "seed");
  std::ofstream(dir.path() / "seed" / "README.md") << "reviewed\n";
  auto r = run_command(certbed() + " case new seed --from " + shell_quote(kSeedDump) +
                       " --store My --cases " + shell_quote(dir.path().string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("exists already"), std::string::npos) << r.output;
  EXPECT_EQ(slurp(dir.path() / "seed" / "README.md"), "reviewed\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "seed"), {}), 1);
}

TEST(CliCase, ANameThatIsNotLowerCaseWordsAndHyphensIsRefused) {
  TempDir dir;
  for (const std::string name : {"../escape", "Upper", "a b", "-lead", "a/b", ""}) {
    auto r = run_command(certbed() + " case new " + shell_quote(name) + " --from " +
                         shell_quote(kSeedDump) + " --store My --cases " +
                         shell_quote(dir.path().string()));
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.output;
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), {}), 0);
  EXPECT_FALSE(fs::exists(dir.path().parent_path() / "escape"));
}

TEST(CliCase, ExpectWritesTheCommittedExpectedFilesOfAnImportedCase) {
  TempDir dir;
  const fs::path committed = fs::path(CERTBED_SOURCE_DIR) / "fixtures/cases/seed-article-dump";
  const fs::path copy = dir.path() / "seed-article-dump";
  fs::create_directories(copy);
  for (const auto& e : fs::directory_iterator(committed)) {
    if (e.is_regular_file()) fs::copy_file(e.path(), copy / e.path().filename());
  }
  auto r = run_command(certbed() + " case expect " + shell_quote(copy.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(committed / "expected")) {
    if (!e.is_regular_file()) continue;
    const auto relative = fs::relative(e.path(), committed);
    EXPECT_EQ(slurp(copy / relative), slurp(e.path())) << relative;
    ++files;
  }
  EXPECT_GE(files, 10u);
  std::size_t written = 0;
  for (const auto& e : fs::recursive_directory_iterator(copy / "expected")) {
    written += e.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(written, files);
}

TEST(CliCase, ExpectOnAFolderWithoutInputsExitsTwo) {
  TempDir dir;
  auto r = run_command(certbed() + " case expect " + shell_quote(dir.path().string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a case folder"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace certbed::testing
