// Runs the built certbed program the way a user does.
#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>

#include "support/files.h"
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

TEST(Cli, DiagnoseAndPlanTakeEveryApplicationProfileAndRefuseOthers) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.textproto"));
  ASSERT_EQ(run_command(certbed() + " init web-healthy -o " + snapshot).exit_code, 0);
  // web-healthy's TLS certificate is in the Software KSP: a warning for AD FS, an error for
  // Exchange (and SQL Server).
  for (const auto& [profile, rule, exit_code] :
       {std::tuple{"adfs", "adfs-cng-ssl-only", 0},
        std::tuple{"exchange", "exchange-owa-ecp-needs-csp", 1},
        std::tuple{"sql", "sql-tls-needs-capi-keyexchange", 1}}) {
    auto r = run_command(certbed() + " diagnose --profile " + profile + " " + snapshot);
    EXPECT_EQ(r.exit_code, exit_code) << profile << r.output;
    EXPECT_NE(r.output.find(rule), std::string::npos) << r.output;
    auto plan = run_command(certbed() + " plan --profile " + profile + " " + snapshot + " -o " +
                            shell_quote(dir.file(std::string("plan-") + profile)));
    EXPECT_EQ(plan.exit_code, 0) << plan.output;
  }
  auto unknown = run_command(certbed() + " diagnose --profile iis " + snapshot);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("exchange"), std::string::npos) << unknown.output;
}

TEST(Cli, InitListNamesTheSeedScenarios) {
  auto r = run_command(certbed() + " init --list");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("ca-ksp-keyspec2"), std::string::npos);
  EXPECT_NE(r.output.find("ca-ksp-healthy"), std::string::npos);
}

TEST(Cli, DemoTellsTheSeedStoryEndToEnd) {
  auto r = run_command(certbed() + " demo");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Renewal fails, the rule finds the KeySpec, the plan's INF says KeySpec=0, renewal succeeds.
  const auto failed = r.output.find("with the existing key pair failed");
  const auto finding = r.output.find("[error] ksp-keyspec-not-zero");
  const auto inf = r.output.find("_continue_ = \"KeySpec=0\"");
  const auto fixed = r.output.find("findings left: 0");
  const auto renewed = r.output.find("renewed the CA certificate of \"Contoso CA\"");
  for (auto at : {failed, finding, inf, fixed, renewed})
    ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_LT(failed, finding);
  EXPECT_LT(finding, inf);
  EXPECT_LT(inf, fixed);
  EXPECT_LT(fixed, renewed);
}

}  // namespace
}  // namespace certbed::testing

namespace certbed::testing {
namespace {

TEST(CliRepairStore, SeedFixTurnsKeySpecTwoIntoZeroAndChangesNothingElse) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  const auto t = shell_quote(dir.file("t.textproto"));
  const std::string inf =
      shell_quote(std::string(CERTBED_SOURCE_DIR) + "/fixtures/inf/KeyProv.inf");
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + s).exit_code, 0);
  auto repair = run_command(certbed() + " repairstore " + s + " 1f3a5c7e9b2d4f6081a3c5e7092b4d6f " +
                            inf + " -o " + t);
  ASSERT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_NE(repair.output.find("CertUtil: -repairstore command completed successfully."),
            std::string::npos);
  auto listing = run_command(certbed() + " store " + t);
  EXPECT_NE(listing.output.find("0 (XCN_AT_NONE)"), std::string::npos) << listing.output;
  // Exactly one line of the snapshot differs: property 2's value.
  auto diff = run_command("diff " + s + " " + t + " | grep -c '^[<>]'");
  EXPECT_EQ(diff.output, "2\n") << diff.output;
  // In place: the previous snapshot is backed up first.
  auto in_place = run_command(certbed() + " repairstore " + s + " 0 " + inf);
  ASSERT_EQ(in_place.exit_code, 0) << in_place.output;
  EXPECT_NE(in_place.output.find("backed up"), std::string::npos);
  EXPECT_EQ(run_command("cmp " + s + " " + t).exit_code, 0);
  auto backup = run_command("diff -q " + shell_quote(dir.file("s.textproto.bak")) + " " + t);
  EXPECT_EQ(backup.exit_code, 1) << "the backup holds the state before the repair";
}

TEST(CliRepairStore, MalformedInfIsALocatedInputError) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  const auto inf = dir.file("bad.inf");
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + s).exit_code, 0);
  ASSERT_EQ(
      run_command("printf '[Properties]\\n2 = \"{text}Container=c&Provider=p&KeySpec=7\"\\n' > " +
                  shell_quote(inf))
          .exit_code,
      0);
  auto check = run_command(certbed() + " inf check " + shell_quote(inf));
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.output.find("bad.inf:2:"), std::string::npos) << check.output;
  const auto before = run_command("cat " + s).output;
  auto repair = run_command(certbed() + " repairstore " + s + " 0 " + shell_quote(inf));
  EXPECT_EQ(repair.exit_code, 2);
  EXPECT_EQ(run_command("cat " + s).output, before);
}

TEST(CliInfCheck, PrintsPropertiesInFileOrderAsJson) {
  const std::string inf =
      shell_quote(std::string(CERTBED_SOURCE_DIR) + "/fixtures/inf/certutil-help-example.inf");
  auto r = run_command(certbed() + " inf check --json " + inf);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto friendly = r.output.find("\"Friendly Name\"");
  const auto keyprov = r.output.find("\"provider\": \"Microsoft Strong Cryptographic Provider\"");
  const auto eku = r.output.find("\"1.3.6.1.5.5.7.3.2\"");
  ASSERT_NE(friendly, std::string::npos);
  ASSERT_NE(keyprov, std::string::npos);
  ASSERT_NE(eku, std::string::npos);
  EXPECT_LT(friendly, keyprov);
  EXPECT_LT(keyprov, eku);
  EXPECT_NE(r.output.find("\"keyspec\": 2"), std::string::npos);
}

TEST(CliRepairStore, WithoutInfRepairsTheKeyAssociation) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.pb"));
  ASSERT_EQ(run_command(certbed() + " init web-lost-key-association -o " + s).exit_code, 0);
  auto r = run_command(certbed() + " repairstore " + s + " 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Microsoft Software Key Storage Provider: KeySpec=0"), std::string::npos);
  auto dump = run_command(certbed() + " dump " + s);
  EXPECT_EQ(dump.output.find("No key provider information"), std::string::npos) << dump.output;
  auto again = run_command(certbed() + " repairstore " + s + " 1");
  EXPECT_NE(again.output.find("nothing changed"), std::string::npos) << again.output;
}

TEST(CliRepairStore, WithoutInfAsAStandardUserFailsOnTheMachineKeyAndLeavesTheSnapshot) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.pb"));
  ASSERT_EQ(run_command(certbed() + " init web-lost-key-association -o " + s).exit_code, 0);
  const auto before = slurp(dir.file("s.pb"));
  auto r = run_command(certbed() + " repairstore " + s + " 1 --as standard-user");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("-repairstore command FAILED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("could not be opened"), std::string::npos) << r.output;
  EXPECT_EQ(slurp(dir.file("s.pb")), before);
  auto bad = run_command(certbed() + " repairstore " + s + " 1 --as nobody");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST(Cli, StandardUserDumpShowsMissingStoredKeysetForMachineKeys) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.pb"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + s).exit_code, 0);
  auto admin = run_command(certbed() + " dump " + s);
  ASSERT_EQ(admin.exit_code, 0) << admin.output;
  EXPECT_NE(admin.output.find("Signature test passed"), std::string::npos) << admin.output;
  EXPECT_EQ(admin.output.find("Missing stored keyset"), std::string::npos) << admin.output;
  auto user = run_command(certbed() + " dump " + s + " --as standard-user");
  ASSERT_EQ(user.exit_code, 0) << user.output;
  EXPECT_NE(user.output.find("Missing stored keyset"), std::string::npos) << user.output;
  EXPECT_EQ(user.output.find("Signature test passed"), std::string::npos) << user.output;
  // A caller certbed does not model is an input error.
  auto bad = run_command(certbed() + " dump " + s + " --as nobody");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

}  // namespace
}  // namespace certbed::testing
