// certbed diagnose and plan as a support engineer runs them on customer dumps: several inputs
// or a folder at once, one JSON line each, the worst exit status; and plans that target the
// store and location the input came from.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string certbed() { return shell_quote(CERTBED_BINARY); }

std::string real_dump(const std::string& name) {
  return (fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "dumps" / "real" / name).string();
}

std::vector<Json> json_lines(const std::string& text) {
  std::vector<Json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

TEST(DiagnoseBatch, JsonLinesGiveOneObjectPerInputAndTheWorstExitStatus) {
  const std::string command = certbed() + " diagnose --jsonl " +
                              shell_quote(real_dump("03-strong-csp-keyspec2-verbose.txt")) + " " +
                              shell_quote(real_dump("09-ca-ksp-keyspec2-verbose-elided.txt"));
  auto r = run_command(command, /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, 1) << r.output;  // 09 has an error finding, 03 none
  const auto lines = json_lines(r.output);
  ASSERT_EQ(lines.size(), 2u) << r.output;
  EXPECT_EQ(lines[0]["exit"], 0);
  EXPECT_TRUE(lines[0]["findings"].empty());
  EXPECT_EQ(lines[0]["store"]["location"], "LocalMachine");
  EXPECT_EQ(lines[1]["exit"], 1);
  // The article masked its thumbprint (id-masked) beside the KeySpec error.
  ASSERT_EQ(lines[1]["findings"].size(), 2u);
  EXPECT_EQ(lines[1]["findings"][0]["rule"], "id-masked");
  EXPECT_EQ(lines[1]["findings"][1]["rule"], "ksp-keyspec-not-zero");
  EXPECT_NE(lines[1]["input"].get<std::string>().find("09-ca-ksp"), std::string::npos);
}

TEST(DiagnoseBatch, AFolderStandsForItsFilesAndAnInputErrorIsWorstButDoesNotStopTheOthers) {
  TempDir dir;
  fs::create_directory(dir.file("case"));
  fs::copy_file(real_dump("09-ca-ksp-keyspec2-verbose-elided.txt"), dir.file("case/a-09.txt"));
  fs::copy_file(real_dump("24-smartcard-scinfo-csp-keyspec1-and-2.txt"), dir.file("case/b-24.txt"));
  fs::copy_file(real_dump("05-ksp-user-my-verbose-tabs.txt"), dir.file("case/c-05.txt"));
  std::ofstream(dir.file("case/.hidden")) << "not looked at";
  auto r = run_command(certbed() + " diagnose --jsonl " + shell_quote(dir.file("case")),
                       /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const auto lines = json_lines(r.output);
  ASSERT_EQ(lines.size(), 3u) << r.output;
  EXPECT_EQ(lines[0]["exit"], 1);
  EXPECT_EQ(lines[1]["exit"], 2);
  EXPECT_NE(lines[1]["error"].get<std::string>().find("certutil -SCInfo"), std::string::npos)
      << lines[1];
  EXPECT_EQ(lines[2]["exit"], 0);
  EXPECT_EQ(lines[2]["store"]["location"], "CurrentUser");
}

TEST(DiagnoseBatch, TextNamesEachInputAndJsonRefusesSeveral) {
  const std::string two = shell_quote(real_dump("03-strong-csp-keyspec2-verbose.txt")) + " " +
                          shell_quote(real_dump("21-enterprise-root-no-key.txt"));
  auto text = run_command(certbed() + " diagnose " + two, /*merge_stderr=*/false);
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("== " + real_dump("03-strong-csp-keyspec2-verbose.txt")),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("a trust store holds copies without keys"), std::string::npos);
  auto json = run_command(certbed() + " diagnose --json " + two);
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_NE(json.output.find("use --jsonl"), std::string::npos) << json.output;
}

TEST(DiagnoseStore, NoRuleFiresOnTheRootCopyOfTheCasOwnCertificate) {
  // certbed's own dump of the healthy CA's Root store, piped into diagnose.
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("ca.textproto"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-healthy -o " + snapshot).exit_code, 0);
  auto r = run_command(certbed() + " dump " + snapshot + " --store Root | " + certbed() +
                       " diagnose --json -");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto doc = Json::parse(r.output);
  EXPECT_TRUE(doc["findings"].empty()) << r.output;
  EXPECT_EQ(doc["store"]["name"], "Root");
  EXPECT_EQ(doc["store"]["role"], "trust");
}

TEST(DiagnoseServiceAccount, AnAccountNameThatCouldNotBeQuotedSafelyIsRefused) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("web.textproto"));
  ASSERT_EQ(run_command(certbed() + " init web-key-acl-denied -o " + snapshot).exit_code, 0);
  // A quote, a percent sign or a second backslash would reach the icacls command in the fix.
  for (const char* account : {"NT AUTHORITY\\NETWORK SERVICE\" & calc", "svc%PATH%", "A\\B\\C"}) {
    auto r = run_command(certbed() + " diagnose --json --service-account " + shell_quote(account) +
                         " " + snapshot);
    EXPECT_NE(r.exit_code, 0) << account;
    EXPECT_NE(r.output.find("--service-account"), std::string::npos) << r.output;
  }
  auto ok = run_command(certbed() + " diagnose --json --service-account " +
                        shell_quote("CONTOSO\\gmsa-adfs$") + " " + snapshot);
  EXPECT_EQ(ok.exit_code, 1) << ok.output;  // the key is denied to that account: an error
  EXPECT_EQ(Json::parse(ok.output)["findings"][0]["rule"], "key-acl-denied");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(PlanStore, CurrentUserAndCaStoreInputsGiveScriptsThatTargetThatStore) {
  TempDir dir;
  const auto dump = shell_quote(
      (fs::path(CERTBED_SOURCE_DIR) / "fixtures/cases/seed-ca-ksp-keyspec2/input-dump.txt")
          .string());
  auto user = run_command(certbed() + " plan --location CurrentUser " + dump + " -o " +
                          shell_quote(dir.file("user")));
  ASSERT_EQ(user.exit_code, 0) << user.output;
  const auto user_cmd = read_text(dir.file("user/repair.cmd"));
  EXPECT_NE(user_cmd.find("certutil.exe\" -user -repairstore \"My\" "), std::string::npos)
      << user_cmd;
  EXPECT_NE(user_cmd.find("export \"HKCU\\Software\\Microsoft\\SystemCertificates\\My\""),
            std::string::npos);
  EXPECT_EQ(Json::parse(read_text(dir.file("user/plan.json")))["location"], "CurrentUser");
  auto ca =
      run_command(certbed() + " plan --store CA " + dump + " -o " + shell_quote(dir.file("ca")));
  ASSERT_EQ(ca.exit_code, 0) << ca.output;
  const auto ca_cmd = read_text(dir.file("ca/repair.cmd"));
  EXPECT_NE(ca_cmd.find("-repairstore \"CA\" "), std::string::npos) << ca_cmd;
  EXPECT_NE(ca_cmd.find("export \"HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\CA\""),
            std::string::npos);
  EXPECT_EQ(ca_cmd.find("\"My\""), std::string::npos);
}

}  // namespace
}  // namespace certbed::testing
