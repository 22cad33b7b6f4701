// certbed renew, run the way a user runs it.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.h"

namespace certbed::testing {
namespace {

std::string certbed() { return shell_quote(CERTBED_BINARY); }

TEST(CliRenew, SeedReuseKeysFailsWithExitOneAndLeavesTheSnapshotAlone) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  const auto copy = shell_quote(dir.file("copy.textproto"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + s).exit_code, 0);
  ASSERT_EQ(run_command("cp " + s + " " + copy).exit_code, 0);
  auto r = run_command(certbed() + " renew " + s + " --reuse-keys");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("KeySpec 2 (AT_SIGNATURE)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("renewal FAILED"), std::string::npos) << r.output;
  EXPECT_EQ(run_command("cmp " + s + " " + copy).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.textproto.bak")));
}

TEST(CliRenew, RepairThenRenewWithTheExistingKeySucceeds) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  const auto t = shell_quote(dir.file("t.textproto"));
  const std::string inf =
      shell_quote(std::string(CERTBED_SOURCE_DIR) + "/fixtures/inf/KeyProv.inf");
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + s).exit_code, 0);
  ASSERT_EQ(run_command(certbed() + " repairstore " + s + " 0 " + inf).exit_code, 0);
  auto r = run_command(certbed() + " renew " + s + " --reuse-keys -o " + t);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(CA Version V1.0)"), std::string::npos) << r.output;
  auto listing = run_command(certbed() + " store " + t);
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  // Two CA certificates now, both on container "Contoso CA" with KeySpec 0.
  std::size_t count = 0;
  for (std::size_t at = listing.output.find("0 (XCN_AT_NONE)"); at != std::string::npos;
       at = listing.output.find("0 (XCN_AT_NONE)", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << listing.output;
}

TEST(CliRenew, InPlaceRenewalBacksUpTheSnapshotFirst) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.pb"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-healthy -o " + s).exit_code, 0);
  ASSERT_EQ(run_command("cp " + s + " " + shell_quote(dir.file("orig.pb"))).exit_code, 0);
  auto r = run_command(certbed() + " renew " + s);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("V1.1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("backed up"), std::string::npos) << r.output;
  EXPECT_EQ(run_command("cmp " + shell_quote(dir.file("s.pb.bak")) + " " +
                        shell_quote(dir.file("orig.pb")))
                .exit_code,
            0);
  EXPECT_NE(run_command("cmp " + s + " " + shell_quote(dir.file("orig.pb"))).exit_code, 0);
}

TEST(CliRenew, SubordinateWritesARequestOpenSslVerifies) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  const std::string request = dir.file("renew.req");
  ASSERT_EQ(run_command(certbed() + " init subca-ksp-healthy -o " + s).exit_code, 0);
  ASSERT_EQ(run_command("cp " + s + " " + shell_quote(dir.file("orig.textproto"))).exit_code, 0);
  auto r = run_command(certbed() + " renew " + s + " --reuse-keys --request-out " +
                       shell_quote(request));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto verify = run_command("openssl req -in " + shell_quote(request) + " -noout -verify -subject");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("Contoso Issuing CA"), std::string::npos) << verify.output;
  // With the existing key nothing on the machine changes, so the snapshot is not rewritten.
  EXPECT_EQ(run_command("cmp " + s + " " + shell_quote(dir.file("orig.textproto"))).exit_code, 0);

  // Without --request-out the request gets the name Windows gives it, beside the output.
  auto named = run_command(certbed() + " renew " + s + " --reuse-keys -o " +
                           shell_quote(dir.file("out.textproto")));
  ASSERT_EQ(named.exit_code, 0) << named.output;
  EXPECT_TRUE(std::filesystem::exists(dir.file("ca01.contoso.com_Contoso Issuing CA(1).req")))
      << named.output;
}

TEST(CliRenew, SeveralIndexesFailUntilEveryCertificateHasKeySpecZero) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2-renewed -o " + s).exit_code, 0);
  auto r = run_command(certbed() + " renew " + s + " --reuse-keys");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("CA certificate index 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CA certificate index 1"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("CA certificate index 2 ("), std::string::npos) << r.output;
}

TEST(CliRenew, InputErrorsExitWithTwo) {
  TempDir dir;
  EXPECT_EQ(run_command(certbed() + " renew " + shell_quote(dir.file("missing.pb"))).exit_code, 2);
  const auto web = shell_quote(dir.file("web.textproto"));
  // A machine without a CA cannot be renewed.
  ASSERT_EQ(run_command(certbed() + " init random --certificates 3 -o " + web).exit_code, 0);
  auto r = run_command(certbed() + " renew " + web);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("hosts no CA"), std::string::npos) << r.output;
  EXPECT_EQ(run_command(certbed() + " renew --help").exit_code, 0);
}

}  // namespace
}  // namespace certbed::testing
