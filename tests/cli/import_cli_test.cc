// certbed import-dump, run the way a support engineer runs it: the seed article's dump replayed
// (renewal fails, the plan repairs it, renewal succeeds), a dump that does not say its store, and
// the imported caller that certbed dump prints as.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.h"

namespace certbed::testing {
namespace {

std::string certbed() { return shell_quote(CERTBED_BINARY); }
std::string real_dump(const std::string& name) {
  return shell_quote(std::string(CERTBED_SOURCE_DIR) + "/fixtures/dumps/real/" + name);
}

TEST(CliImportDump, TheSeedArticleDumpFailsRenewalBeforeItsPlanAndRenewsAfterIt) {
  TempDir dir;
  const auto s = shell_quote(dir.file("seed.textproto"));
  const auto plan = shell_quote(dir.file("plan"));
  auto imported = run_command(certbed() + " import-dump " +
                              real_dump("09-ca-ksp-keyspec2-verbose-elided.txt") + " -o " + s);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("a CA configuration"), std::string::npos) << imported.output;
  auto before = run_command(certbed() + " renew " + s + " --reuse-keys");
  EXPECT_EQ(before.exit_code, 1) << before.output;
  EXPECT_NE(before.output.find("NTE_BAD_PROV_TYPE"), std::string::npos) << before.output;
  ASSERT_EQ(run_command(certbed() + " plan " + s + " -o " + plan).exit_code, 0);
  auto applied = run_command(certbed() + " apply " + s + " " + plan);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto after = run_command("cd " + shell_quote(dir.path().string()) + " && " + certbed() +
                           " renew " + s + " --reuse-keys");
  EXPECT_EQ(after.exit_code, 0) << after.output;
  EXPECT_NE(after.output.find("with the existing key pair (CA Version V1.0)"), std::string::npos)
      << after.output;
}

TEST(CliImportDump, ADumpWithoutItsStoreNameExitsTwoAndNamesTheOption) {
  TempDir dir;
  auto r = run_command(certbed() + " import-dump " +
                       real_dump("14-no-key-prov-info-found-key-error.txt") + " -o " +
                       shell_quote(dir.file("s.textproto")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("say which with --store"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.textproto")));
}

TEST(CliImportDump, DumpPrintsAnImportedMachineAsTheCallerTheDumpShowed) {
  TempDir dir;
  const auto s = shell_quote(dir.file("dc.textproto"));
  ASSERT_EQ(run_command(certbed() + " import-dump " +
                        real_dump("07-dc-my-missing-keyset-archived-nonverbose.txt") +
                        " --location LocalMachine -o " + s)
                .exit_code,
            0);
  auto as_recorded = run_command(certbed() + " dump " + s, false);
  EXPECT_NE(as_recorded.output.find("Missing stored keyset"), std::string::npos)
      << as_recorded.output;
  auto as_admin = run_command(certbed() + " dump " + s + " --as administrator", false);
  EXPECT_EQ(as_admin.output.find("Missing stored keyset"), std::string::npos) << as_admin.output;
  EXPECT_NE(as_admin.output.find("test passed"), std::string::npos) << as_admin.output;
}

}  // namespace
}  // namespace certbed::testing
