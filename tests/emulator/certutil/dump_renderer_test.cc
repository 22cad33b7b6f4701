#include "certbed/emulator/certutil/dump_renderer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/scenarios/scenarios.h"

namespace certbed::emulator {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string dump(const std::string& scenario, bool verbose, bool crlf = false) {
  auto machine = build_scenario(scenario).value();
  DumpOptions options;
  options.verbose = verbose;
  options.crlf = crlf;
  options.typed_store_name = "my";
  return render_store_dump(machine, *machine.find_store(StoreLocation::kLocalMachine, "My"),
                           options);
}

bool contains_line(const std::vector<std::string>& lines, const std::string& wanted) {
  return std::find(lines.begin(), lines.end(), wanted) != lines.end();
}

TEST(DumpRenderer, NonVerboseSeedHasCertutilsLayout) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  const auto& my = *machine.find_store(StoreLocation::kLocalMachine, "My");
  const auto& facts = my.at(0).facts;
  const auto lines = lines_of(dump("ca-ksp-keyspec2", false));
  const std::vector<std::string> expected = {
      "my \"Personal\"",
      "================ Certificate 0 ================",
      "Serial Number: 1f3a5c7e9b2d4f6081a3c5e7092b4d6f",
      "Issuer: CN=Contoso CA, DC=Contoso, DC=com",
      " NotBefore: 1/15/2024 10:00 AM",
      " NotAfter: 1/15/2034 10:10 AM",
      "Subject: CN=Contoso CA, DC=Contoso, DC=com",
      "CA Version: V0.0",
      "Signature matches Public Key",
      "Root Certificate: Subject matches Issuer",
      "Cert Hash(sha1): " + facts.sha1,
      "  Key Container = Contoso CA",
      "  Unique container name: " +
          machine.find_provider("Microsoft Software Key Storage Provider")
              ->containers()[0]
              .unique_name,
      "  Provider = Microsoft Software Key Storage Provider",
      // A software CA key is exportable, so no "Private key is NOT exportable" (dumps/14).
      "Signature test passed",
      "CertUtil: -store command completed successfully.",
  };
  EXPECT_EQ(lines, expected);
}

TEST(DumpRenderer, CrlfEndsEveryLineWithCarriageReturnLineFeed) {
  const auto text = dump("ca-ksp-keyspec2", true, true);
  std::size_t lf = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++lf;
      ASSERT_GT(i, 0u);
      EXPECT_EQ(text[i - 1], '\r') << "at byte " << i;
    }
  }
  EXPECT_GT(lf, 50u);
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
}

TEST(DumpRenderer, VerboseKeyProviderBlockKeepsCertutilsIndentQuirks) {
  const auto lines = lines_of(dump("ca-ksp-keyspec2", true));
  auto at = std::find(lines.begin(), lines.end(), "  CERT_KEY_PROV_INFO_PROP_ID(2):");
  ASSERT_NE(at, lines.end());
  ASSERT_GT(lines.end() - at, 8);
  EXPECT_EQ(at[1], "    Key Container = Contoso CA");
  EXPECT_EQ(at[2].rfind("  Unique container name: ", 0), 0u);  // two spaces (sic)
  EXPECT_EQ(at[3], "    Provider = Microsoft Software Key Storage Provider");
  EXPECT_EQ(at[4], "    ProviderType = 0");
  EXPECT_EQ(at[5], "  Flags = 20 (32)");  // two spaces (sic)
  EXPECT_EQ(at[6], "    CRYPT_MACHINE_KEYSET -- 20 (32)");
  EXPECT_EQ(at[7], "    KeySpec = 2 -- AT_SIGNATURE");
  EXPECT_EQ(at[8], "");
}

TEST(DumpRenderer, VerboseX509SectionHasTheHashesOfTheCertificate) {
  auto machine = build_scenario("ca-ksp-healthy").value();
  const auto& facts = machine.find_store(StoreLocation::kLocalMachine, "My")->at(0).facts;
  const auto lines = lines_of(dump("ca-ksp-healthy", true));
  EXPECT_EQ(lines[2], "X509 Certificate:");
  EXPECT_TRUE(contains_line(lines, "Public Key: UnusedBits = 0"));
  EXPECT_TRUE(contains_line(lines, "Signature: UnusedBits=0"));
  EXPECT_TRUE(contains_line(lines, "    2.5.29.15: Flags = 1(Critical), Length = 4"));
  EXPECT_TRUE(contains_line(
      lines,
      "        Digital Signature, Certificate Signing, Off-line CRL Signing, CRL Signing (86)"));
  EXPECT_TRUE(contains_line(lines, "        V0.0"));
  EXPECT_TRUE(contains_line(lines, "Key Id Hash(rfc-sha1): " + facts.public_key_id));
  EXPECT_TRUE(contains_line(lines, "Cert Hash(sha1): " + facts.sha1));
  EXPECT_TRUE(contains_line(lines, "Cert Hash(sha256): " + facts.sha256));
  EXPECT_TRUE(contains_line(lines, "Signature Hash: " + facts.signature_hash));
  EXPECT_TRUE(contains_line(lines, "    KeySpec = 0 -- XCN_AT_NONE"));
  EXPECT_EQ(lines.back(), "CertUtil: -store command completed successfully.");
}

TEST(DumpRenderer, CspCaRunsTheEncryptionTestWithKeySpecOne) {
  const auto lines = lines_of(dump("ca-csp-keyspec1", true));
  EXPECT_TRUE(contains_line(lines, "    ProviderType = 1"));
  EXPECT_TRUE(contains_line(lines, "    KeySpec = 1 -- AT_KEYEXCHANGE"));
  EXPECT_TRUE(contains_line(lines, "Encryption test passed"));
}

TEST(DumpRenderer, LostAssociationShowsWhatCertutilFindsBySearching) {
  const auto lines = lines_of(dump("web-lost-key-association", false));
  auto at = std::find(lines.begin(), lines.end(), "No key provider information");
  ASSERT_NE(at, lines.end());
  EXPECT_EQ(at[1], "  Provider = Microsoft Software Key Storage Provider");
  EXPECT_EQ(at[2], "  Simple container name: te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59");
  EXPECT_EQ(at[3].rfind("  Unique container name: ", 0), 0u);
  EXPECT_EQ(at[4], "  ERROR: missing key association property: CERT_KEY_IDENTIFIER_PROP_ID");
  EXPECT_EQ(at[5], "Encryption test passed");
}

TEST(DumpRenderer, DanglingContainerIsAMissingStoredKeyset) {
  const auto lines = lines_of(dump("web-missing-keyset", false));
  EXPECT_TRUE(contains_line(lines, "  Key Container = te-WebServer-0d9e8f7a-restored-from-backup"));
  EXPECT_TRUE(contains_line(lines, "Missing stored keyset"));
  // Blank line between certificates, none before the closing line.
  EXPECT_TRUE(contains_line(lines, ""));
  EXPECT_NE(lines[lines.size() - 2], "");
}

TEST(DumpRenderer, DatesUseTheUsShortFormatWithoutSeconds) {
  EXPECT_EQ(certutil_date("2024-01-15T10:00:00Z"), "1/15/2024 10:00 AM");
  EXPECT_EQ(certutil_date("2018-12-08T20:07:59Z"), "12/8/2018 8:07 PM");
  EXPECT_EQ(certutil_date("2020-06-01T00:05:00Z"), "6/1/2020 12:05 AM");
  EXPECT_EQ(certutil_date("2020-06-01T12:00:00Z"), "6/1/2020 12:00 PM");
}

// dumps/05 (a real Windows 10 dump) prints an RSA key's bits and its bcrypt key id hashes;
// the same bits must give the same hashes here.
TEST(BcryptKeyBlob, MatchesTheHashesARealDumpPrints) {
  const auto bits =
      repair::parse_hex(
          "3082010a0282010100ce12c8a4260071681df7693127f4dcf4854056d866d69c48a9795beeab1d2b91fd6237"
          "6fc3f2a4fe8de12d4e2fb815eb1c94e330e8a0a46624220c1e76f0d4863f86c0fa3bd4bd76871423460c09aa"
          "81840ad8e08209887467b5a672bf9db5c16b5f2e1b03fa7e472debc699efe8a1983eff7e56c34e9d9826c38b"
          "53e3f991161195f748bbdd98ad39db99c088f4881d76362999b0722567780eb66e75ae9a4c0bec5d6a6fca18"
          "0152760502fc5fb5e91e9603165e781c67b9a97ef94ad7b438e20b010f42edc944a53e4055b56f7fecb969f8"
          "12016e611e7731f62e5d721098c191b2bf3465b1de79b42f8b5070d2a14fd381651c51a85a9bb7a2c9477833"
          "590203010001")
          .value();
  // SubjectPublicKeyInfo = SEQUENCE { rsaEncryption NULL, BIT STRING { 00 bits } }.
  repair::Bytes spki = {0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                        0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00};
  spki.insert(spki.end(), bits.begin(), bits.end());
  const unsigned char* p = spki.data();
  ossl::PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  ASSERT_TRUE(key);
  const auto blob = bcrypt_public_key_blob(key.get());
  EXPECT_EQ(repair::to_hex(sha1(blob)), "d6ffce5bc269db040f4f438833154a80ef32ddb7");
  EXPECT_EQ(repair::to_hex(sha256(blob)),
            "f014194c5688b3c3221199eb63f9c2cab05142cf909ee7aa3e68a278daa963b3");
  EXPECT_EQ(public_key_id(key.get()), "c2f300d811eba073aeb33a36f882363a3f8ddbf3");
  EXPECT_EQ(repair::to_hex(sha1(public_key_info_der(key.get()))),
            "a168d886679e9449a5c7d8aa6f88c3353bd17a4a");
}

// The key lines of a block (after "Cert Hash(sha1):", before the closing line) as shapes: the
// indentation and label up to " = ", or the whole line for a status line.
std::vector<std::string> key_line_shapes(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  bool in_keys = false;
  for (const auto& line : lines) {
    if (line.rfind("Cert Hash(sha1):", 0) == 0) {
      in_keys = true;
      continue;
    }
    if (!in_keys || line.rfind("CertUtil:", 0) == 0) continue;
    const auto equals = line.find(" = ");
    out.push_back(equals == std::string::npos ? line : line.substr(0, equals + 3));
  }
  return out;
}

// fixtures/dumps/real/02: certutil -store on an nCipher HSM KSP key (Windows 8 era). An HSM KSP
// prints no "Unique container name:" line, and its key is not exportable.
TEST(DumpRenderer, HsmKspKeyLinesHaveTheShapeOfARealHsmDump) {
  std::ifstream in(std::string(CERTBED_SOURCE_DIR) +
                   "/fixtures/dumps/real/02-ncipher-ksp-nonverbose.txt");
  ASSERT_TRUE(in.good());
  std::vector<std::string> real;
  // The publisher indented every line by 4 spaces (its .source); certutil did not.
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    real.push_back(line.rfind("    ", 0) == 0 ? line.substr(4) : line);
  }
  const auto expected = key_line_shapes(real);
  ASSERT_EQ(expected, (std::vector<std::string>{
                          "  Key Container = ", "  Provider = ", "Private key is NOT exportable",
                          "Signature test passed"}));
  EXPECT_EQ(key_line_shapes(lines_of(dump("ca-hsm-ksp-keyspec2", false))), expected);
}

}  // namespace
}  // namespace certbed::emulator
