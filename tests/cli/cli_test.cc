// Runs the built certbed program the way a user does.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.h"

namespace certbed::testing {
namespace {

std::string certbed() { return shell_quote(CERTBED_BINARY); }

TEST(Cli, InitThenStoreListsTheSeedCa) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.textproto"));
  auto init = run_command(certbed() + " init ca-ksp-keyspec2 -o " + snapshot);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  auto store = run_command(certbed() + " store " + snapshot);
  ASSERT_EQ(store.exit_code, 0) << store.output;
  EXPECT_NE(store.output.find("CN=Contoso CA, DC=Contoso, DC=com"), std::string::npos)
      << store.output;
  EXPECT_NE(store.output.find("Microsoft Software Key Storage Provider"), std::string::npos);
  EXPECT_NE(store.output.find("2 (AT_SIGNATURE)"), std::string::npos);
  auto json = run_command(certbed() + " store --json " + snapshot);
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.output.find("\"keyspec\": 2"), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"provider_type\": 0"), std::string::npos);
}

TEST(Cli, ExportWritesDerThatOpenSslAcceptsWithTheSameThumbprint) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.pb"));
  ASSERT_EQ(run_command(certbed() + " init web-healthy -o " + snapshot).exit_code, 0);
  auto listing = run_command(certbed() + " store --json " + snapshot);
  ASSERT_EQ(listing.exit_code, 0);
  for (const char* which : {"0", "1"}) {
    const auto der = dir.file(std::string("c") + which + ".der");
    auto exported =
        run_command(certbed() + " export " + snapshot + " " + which + " -o " + shell_quote(der));
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    auto openssl =
        run_command("openssl x509 -inform DER -noout -fingerprint -sha1 -in " + shell_quote(der));
    ASSERT_EQ(openssl.exit_code, 0) << openssl.output;
    std::string fingerprint;
    for (char c : openssl.output.substr(openssl.output.find('=') + 1)) {
      if (c != ':' && c != '\n') fingerprint += static_cast<char>(std::tolower(c));
    }
    EXPECT_NE(exported.output.find(fingerprint), std::string::npos) << exported.output;
    EXPECT_NE(listing.output.find(fingerprint), std::string::npos);
  }
}

TEST(Cli, ExportBySerialAndUnknownIdExitCodes) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.textproto"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + snapshot).exit_code, 0);
  auto by_serial = run_command(certbed() + " export " + snapshot +
                               " \"1f 3a 5c 7e 9b 2d 4f 60 81 a3 c5 e7 09 2b 4d 6f\" -o " +
                               shell_quote(dir.file("ca.der")));
  EXPECT_EQ(by_serial.exit_code, 0) << by_serial.output;
  auto unknown = run_command(certbed() + " export " + snapshot + " deadbeef -o " +
                             shell_quote(dir.file("x.der")));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("matches no certificate"), std::string::npos) << unknown.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.der")));
}

TEST(Cli, MalformedSnapshotIsAnInputErrorWithItsLocation) {
  TempDir dir;
  const auto path = dir.file("bad.textproto");
  ASSERT_EQ(run_command("printf 'format_version: 1\\nstores {\\n  bogus: 1\\n}\\n' > " +
                        shell_quote(path))
                .exit_code,
            0);
  auto r = run_command(certbed() + " store " + shell_quote(path));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.textproto:3:"), std::string::npos) << r.output;
}

TEST(Cli, UsageErrorsExitWithTwoAndHelpWorksForEveryCommand) {
  EXPECT_EQ(run_command(certbed()).exit_code, 2);
  EXPECT_EQ(run_command(certbed() + " frobnicate").exit_code, 2);
  EXPECT_EQ(run_command(certbed() + " init no-such-scenario -o /tmp/x.textproto").exit_code, 2);
  for (const char* cmd : {"", " init", " store", " export", " demo"}) {
    auto help = run_command(certbed() + cmd + " --help");
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.output.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(Cli, InitListNamesTheSeedScenarios) {
  auto r = run_command(certbed() + " init --list");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("ca-ksp-keyspec2"), std::string::npos);
  EXPECT_NE(r.output.find("ca-ksp-healthy"), std::string::npos);
}

TEST(Cli, DemoShowsTheSeedCase) {
  auto r = run_command(certbed() + " demo");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("KeySpec 2 (AT_SIGNATURE)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Microsoft Software Key Storage Provider"), std::string::npos);
}

}  // namespace
}  // namespace certbed::testing
