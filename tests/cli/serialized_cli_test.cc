// certbed sst and certbed reg, run the way a user runs them: the Windows-written .sst back byte
// for byte, its listing, a stale stored hash, property 2 in the documented layout, a registry
// export and its import.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "support/process.h"

namespace certbed::testing {
namespace {

std::string certbed() { return shell_quote(CERTBED_BINARY); }
const std::string kRealSst =
    std::string(CERTBED_SOURCE_DIR) + "/fixtures/sst/real/disallowedcert.sst";
const std::string kCaDer =
    std::string(CERTBED_SOURCE_DIR) + "/fixtures/contract/contoso-ca-ksp.der";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>(value >> shift);
}

std::string element(std::uint32_t id, const std::string& value) {
  std::string out;
  put_u32(out, id);
  put_u32(out, 1);
  put_u32(out, static_cast<std::uint32_t>(value.size()));
  return out + value;
}

std::string utf16z(const std::string& ascii) {
  std::string out;
  for (char c : ascii) out += std::string{c, '\0'};
  return out + std::string(2, '\0');
}

// Property 2 of the seed article's CA in the layout property-model.md 3.4 documents: the
// 28-byte header (container at 0x1c, provider at 0x32, type 0, flags 0x20, no parameters,
// KeySpec 2), then the two names in UTF-16LE.
std::string seed_key_prov_info() {
  std::string value;
  for (std::uint32_t field : {0x1cu, 0x32u, 0u, 0x20u, 0u, 0u, 2u}) put_u32(value, field);
  return value + utf16z("Contoso CA") + utf16z("Microsoft Software Key Storage Provider");
}

std::string sst_with_key_prov_info() {
  return std::string("\0\0\0\0CERT", 8) + element(2, seed_key_prov_info()) +
         element(32, read_file(kCaDer)) + std::string(12, '\0');
}

TEST(CliSst, ImportThenExportGivesTheWindowsFileBackByteForByte) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.pb"));
  auto imported = run_command(certbed() + " sst import " + shell_quote(kRealSst) + " -o " +
                              snapshot + " --store Disallowed");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("imported 95 certificate(s) into LocalMachine\\Disallowed"),
            std::string::npos)
      << imported.output;
  auto exported = run_command(certbed() + " sst export " + snapshot + " --store Disallowed -o " +
                              shell_quote(dir.file("back.sst")));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_EQ(read_file(dir.file("back.sst")), read_file(kRealSst));
}

TEST(CliSst, ListJsonGivesEachCertificatesPropertiesInFileOrder) {
  auto r = run_command(certbed() + " sst list " + shell_quote(kRealSst) + " --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto doc = nlohmann::json::parse(r.output);
  const auto& certificates = doc.at("certificates");
  ASSERT_EQ(certificates.size(), 95u);
  const auto& first = certificates.at(0);
  EXPECT_EQ(first.at("index"), 0);
  EXPECT_EQ(first.at("sha1").get<std::string>().size(), 40u);
  EXPECT_FALSE(first.at("subject").get<std::string>().empty());
  ASSERT_EQ(first.at("properties").size(), 1u);
  EXPECT_EQ(first.at("properties").at(0),
            (nlohmann::json{{"id", 3}, {"name", "CERT_SHA1_HASH_PROP_ID"}, {"bytes", 20}}));
  EXPECT_EQ(certificates.at(94).at("index"), 94);
}

TEST(CliSst, StaleStoredHashWarnsWithTheIndexAndSurvivesTheSnapshot) {
  TempDir dir;
  std::string data = read_file(kRealSst);
  // The first certificate's property 3 value starts after the 8-byte header and its 12-byte
  // element header.
  data[20] = static_cast<char>(data[20] ^ 0xFF);
  write_file(dir.file("stale.sst"), data);
  const auto snapshot = shell_quote(dir.file("s.pb"));
  auto imported = run_command(certbed() + " sst import " + shell_quote(dir.file("stale.sst")) +
                              " -o " + snapshot);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("warning: certificate 0 (offset 0x8): property "
                                 "CERT_SHA1_HASH_PROP_ID(3)"),
            std::string::npos)
      << imported.output;
  // The snapshot loads again with the stale value marked, and gives the same file back.
  auto listed = run_command(certbed() + " store " + snapshot + " --json", false);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  auto exported = run_command(certbed() + " sst export " + snapshot + " -o " +
                              shell_quote(dir.file("back.sst")));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_EQ(read_file(dir.file("back.sst")), data);
}

TEST(CliSst, KeyProviderInfoOfPropertyTwoShowsInStoreJson) {
  TempDir dir;
  write_file(dir.file("kpi.sst"), sst_with_key_prov_info());
  const auto snapshot = shell_quote(dir.file("s.pb"));
  auto imported = run_command(certbed() + " sst import " + shell_quote(dir.file("kpi.sst")) +
                              " -o " + snapshot);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  auto listed = run_command(certbed() + " store " + snapshot + " --json", false);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const auto doc = nlohmann::json::parse(listed.output);
  const auto& certificate = doc.at("certificates").at(0);
  EXPECT_EQ(certificate.at("key_provider"),
            (nlohmann::json{{"container", "Contoso CA"},
                            {"provider", "Microsoft Software Key Storage Provider"},
                            {"provider_type", 0},
                            {"flags", 0x20},
                            {"keyspec", 2}}));
  // Nothing derived was added: the file's one property is the certificate's only one.
  EXPECT_EQ(certificate.at("properties").size(), 1u);
  auto diagnosed = run_command(certbed() + " diagnose " + snapshot);
  EXPECT_NE(diagnosed.output.find("ksp-keyspec-not-zero"), std::string::npos) << diagnosed.output;
}

TEST(CliSst, CrlContextIsRefusedWithExitTwo) {
  TempDir dir;
  write_file(dir.file("crl.sst"), std::string("\0\0\0\0CERT", 8) +
                                      element(33, std::string{'\x30', '\x00'}) +
                                      std::string(12, '\0'));
  auto r = run_command(certbed() + " sst import " + shell_quote(dir.file("crl.sst")) + " -o " +
                       shell_quote(dir.file("s.pb")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("certificates only"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.pb")));
}

TEST(CliSst, TruncatedFileIsALocatedErrorWithExitTwo) {
  TempDir dir;
  write_file(dir.file("cut.sst"), read_file(kRealSst).substr(0, 1000));
  auto r = run_command(certbed() + " sst list " + shell_quote(dir.file("cut.sst")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("cut.sst"), std::string::npos) << r.output;
}

// In `dir`: kpi.sst (one certificate with property 2), imported into s.pb, then written by
// reg export as my.reg. Returns reg export's result.
CommandResult import_then_reg_export(const TempDir& dir) {
  write_file(dir.file("kpi.sst"), sst_with_key_prov_info());
  const auto snapshot = shell_quote(dir.file("s.pb"));
  auto imported = run_command(certbed() + " sst import " + shell_quote(dir.file("kpi.sst")) +
                              " -o " + snapshot);
  if (imported.exit_code != 0) return imported;
  return run_command(certbed() + " reg export " + snapshot + " -o " +
                     shell_quote(dir.file("my.reg")));
}

TEST(CliReg, ExportWritesOneKeyPerThumbprintWithItsBlob) {
  TempDir dir;
  auto r = import_then_reg_export(dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string reg = read_file(dir.file("my.reg"));
  ASSERT_GE(reg.size(), 2u);
  EXPECT_EQ(reg.substr(0, 2), "\xFF\xFE");
  std::string ascii;  // the file is ASCII in UTF-16LE
  for (std::size_t i = 2; i + 1 < reg.size(); i += 2) ascii += reg[i];
  EXPECT_TRUE(ascii.starts_with(
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\My\\Certificates]\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\My\\Certificates\\"))
      << ascii;
  // Property 2 first, as stored: id 2, encoding 1, length 0x82.
  EXPECT_NE(ascii.find("]\r\n\"Blob\"=hex:02,00,00,00,01,00,00,00,82,00,00,00,1c,00,00,00,32,"
                       "00,00,00,00,00,\\\r\n  00,00,20,00,00,00,"),
            std::string::npos)
      << ascii;

  auto back = run_command(certbed() + " reg import " + shell_quote(dir.file("my.reg")) + " -o " +
                          shell_quote(dir.file("back.pb")));
  ASSERT_EQ(back.exit_code, 0) << back.output;
  EXPECT_NE(back.output.find("imported 1 certificate(s) into LocalMachine\\My"), std::string::npos)
      << back.output;
  ASSERT_EQ(run_command(certbed() + " sst export " + shell_quote(dir.file("back.pb")) + " -o " +
                        shell_quote(dir.file("back.sst")))
                .exit_code,
            0);
  EXPECT_EQ(read_file(dir.file("back.sst")), read_file(dir.file("kpi.sst")));
}

TEST(CliReg, ImportRefusesAKeyWhoseNameIsNotItsCertificatesThumbprint) {
  TempDir dir;
  auto exported = import_then_reg_export(dir);
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  std::string reg = read_file(dir.file("my.reg"));
  // The thumbprint key's name starts after "...\Certificates\"; change its first digit.
  const std::string marker = std::string("C\0e\0r\0t\0i\0f\0i\0c\0a\0t\0e\0s\0\\\0", 26);
  const std::size_t at = reg.rfind(marker);
  ASSERT_NE(at, std::string::npos);
  char& digit = reg[at + marker.size()];
  digit = digit == '0' ? '1' : '0';
  write_file(dir.file("renamed.reg"), reg);
  auto r = run_command(certbed() + " reg import " + shell_quote(dir.file("renamed.reg")) + " -o " +
                       shell_quote(dir.file("back.pb")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("renamed.reg:5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("crypt32 ignores such a key"), std::string::npos) << r.output;
}

TEST(CliReg, ImportRefusesValuesOutsideACertificateKey) {
  TempDir dir;
  std::string text =
      "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]\r\n"
      "\"Blob\"=hex:01\r\n";
  std::string reg = "\xFF\xFE";
  for (char c : text) reg += std::string{c, '\0'};
  write_file(dir.file("other.reg"), reg);
  auto r = run_command(certbed() + " reg import " + shell_quote(dir.file("other.reg")) + " -o " +
                       shell_quote(dir.file("s.pb")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("other.reg:3"), std::string::npos) << r.output;
}

TEST(CliSst, ImportIntoAnExistingSnapshotKeepsItsContentAndBacksItUp) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.pb"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + snapshot).exit_code, 0);
  ASSERT_EQ(run_command("cp " + snapshot + " " + shell_quote(dir.file("orig.pb"))).exit_code, 0);
  auto imported = run_command(certbed() + " sst import " + shell_quote(kRealSst) + " -o " +
                              snapshot + " --store Disallowed");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("backed up to"), std::string::npos) << imported.output;
  EXPECT_EQ(read_file(dir.file("s.pb.bak")), read_file(dir.file("orig.pb")));
  auto my = run_command(certbed() + " store " + snapshot + " --json", false);
  ASSERT_EQ(my.exit_code, 0) << my.output;
  EXPECT_EQ(nlohmann::json::parse(my.output).at("certificates").size(), 1u);
  // The same file again: every certificate is already there, so nothing is written.
  const std::string before = read_file(dir.file("s.pb"));
  auto again = run_command(certbed() + " sst import " + shell_quote(kRealSst) + " -o " + snapshot +
                           " --store Disallowed");
  EXPECT_NE(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already in LocalMachine\\Disallowed; nothing was added"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(read_file(dir.file("s.pb")), before);
}

}  // namespace
}  // namespace certbed::testing
