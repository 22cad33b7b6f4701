// The "X509 Certificate:" section certbed renders for a real AD CS-issued certificate, compared
// line by line with the section certutil printed for the same certificate on Windows
// (fixtures/certutil/x509: the certificate's PEM and certutil's text, with their .source).
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/machine/machine.h"
#include "support/files.h"

namespace certbed::emulator {
namespace {

const std::string kDir = std::string(CERTBED_SOURCE_DIR) + "/fixtures/certutil/x509/";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// The lines from "X509 Certificate:" through "Signature Hash:".
std::vector<std::string> x509_section(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  bool in = false;
  for (const auto& line : lines) {
    if (line == "X509 Certificate:") in = true;
    if (in) out.push_back(line);
    if (in && line.rfind("Signature Hash: ", 0) == 0) break;
  }
  return out;
}

// The X509 section of a verbose dump of a store holding only `cert`; empty if it cannot be added.
std::vector<std::string> rendered_section(const X509* cert) {
  Machine machine;
  if (!machine.store(StoreLocation::kLocalMachine, "My").add(certificate_der(cert), {}).ok())
    return {};
  DumpOptions options;
  options.verbose = true;
  return x509_section(lines_of(render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options)));
}

std::vector<std::string> rendered_section(const std::string& pem_file) {
  const std::string pem = testing::slurp(kDir + pem_file);
  ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  return cert ? rendered_section(cert.get()) : std::vector<std::string>{};
}

// 25: a user certificate of the ESC9 template from ESSOS-CA (GOAD lab), printed by
// certutil -view on the CA. Two normalizations, both of what the emulator does not model:
// - certutil named the template from Active Directory; the emulator has no directory, so it
//   prints the bare OID, as CryptFormatObject does unresolved;
// - this certutil build appends the time zone to NotBefore and NotAfter (" GMT"); the real
//   store dumps the renderer follows (fixtures/dumps/real 03, 05, 07, 09) print none.
TEST(RealCertificateText, AnEnterpriseUserCertificateRendersAsCertutilPrintedIt) {
  auto real = x509_section(lines_of(testing::slurp(kDir + "25-essos-esc9-user-view.txt")));
  ASSERT_GT(real.size(), 100u);
  const std::string resolved =
      "Template=ESC9(1.3.6.1.4.1.311.21.8.3914223.11151747.14434950.1182173.15338666.248."
      "80278587.62986658)";
  bool normalized = false;
  for (auto& line : real) {
    if (const auto at = line.find(resolved); at != std::string::npos) {
      line = line.substr(0, at) +
             "Template=1.3.6.1.4.1.311.21.8.3914223.11151747.14434950.1182173.15338666.248."
             "80278587.62986658";
      normalized = true;
    }
  }
  ASSERT_TRUE(normalized);
  for (auto& line : real) {
    const bool date = line.rfind(" NotBefore: ", 0) == 0 || line.rfind(" NotAfter: ", 0) == 0;
    if (date && line.ends_with(" GMT")) line.resize(line.size() - 4);
  }
  const auto rendered = rendered_section("25-essos-esc9-user-view.pem");
  const std::size_t n = std::min(real.size(), rendered.size());
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(rendered[i], real[i]) << "line " << (i + 1) << " of the X509 section";
  }
  EXPECT_EQ(rendered.size(), real.size());
}

// The lines of the extension `oid`: its "OID: Flags = ..., Length = ..." line through the line
// before the blank that ends it.
std::vector<std::string> extension_block(const std::vector<std::string>& section,
                                         const std::string& oid) {
  std::vector<std::string> out;
  bool in = false;
  for (const auto& line : section) {
    if (line.rfind("    " + oid + ": Flags = ", 0) == 0) in = true;
    if (in && line.empty()) break;
    if (in) out.push_back(line);
  }
  return out;
}

// The factory writes the extensions AD CS wrote into certificate 25: given the same values, each
// renders to the same lines, lengths included.
TEST(RealCertificateText, TheFactoryWritesAnEnterpriseCasExtensionsAsAdCsDid) {
  const auto real = x509_section(lines_of(testing::slurp(kDir + "25-essos-esc9-user-view.txt")));
  CertificateSpec spec;
  spec.subject = DistinguishedName{{{"CN", "viserys.targaryen"}}};
  spec.serial_hex = "2000000055b6d772ba7b06d5ea000000000055";
  spec.not_before = utc_seconds(2025, 8, 17, 18, 25, 35);
  spec.not_after = utc_seconds(2026, 8, 17, 18, 25, 35);
  spec.ekus = {"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4", "1.3.6.1.4.1.311.10.3.4"};
  spec.crl_urls = {
      "ldap:///CN=ESSOS-CA,CN=braavos,CN=CDP,CN=Public%20Key%20Services,CN=Services,"
      "CN=Configuration,DC=essos,DC=local?certificateRevocationList?base?objectClass="
      "cRLDistributionPoint"};
  spec.ca_issuer_urls = {
      "ldap:///CN=ESSOS-CA,CN=AIA,CN=Public%20Key%20Services,CN=Services,CN=Configuration,"
      "DC=essos,DC=local?cACertificate?base?objectClass=certificationAuthority"};
  spec.template_info = CertificateSpec::TemplateInfo{
      "1.3.6.1.4.1.311.21.8.3914223.11151747.14434950.1182173.15338666.248.80278587.62986658", 100,
      4};
  spec.application_policies = spec.ekus;
  spec.user_principal_name = "administrator";
  spec.smime_capabilities = true;
  auto key = KeySource::deterministic().next(KeyAlgorithm::kRsa2048).value();
  auto cert = issue_certificate(spec, key.get(), std::nullopt, true).value();
  const auto rendered = rendered_section(cert.get());
  ASSERT_FALSE(rendered.empty());

  for (const char* oid : {"2.5.29.31", "1.3.6.1.5.5.7.1.1", "1.3.6.1.4.1.311.21.10",
                          "1.2.840.113549.1.9.15", "2.5.29.37"}) {
    const auto want = extension_block(real, oid);
    ASSERT_FALSE(want.empty()) << oid;
    EXPECT_EQ(extension_block(rendered, oid), want) << oid;
  }
  // The template's name comes from Active Directory (see above); the rest is the same.
  auto want = extension_block(real, "1.3.6.1.4.1.311.21.7");
  ASSERT_EQ(want.size(), 5u);
  want[2] = "        Template=" + spec.template_info->oid;
  EXPECT_EQ(extension_block(rendered, "1.3.6.1.4.1.311.21.7"), want);
  // AD CS marked the name critical because the subject is empty; this subject is not.
  want = extension_block(real, "2.5.29.17");
  ASSERT_EQ(want.size(), 4u);
  EXPECT_EQ(want[0], "    2.5.29.17: Flags = 1(Critical), Length = 21");
  want[0] = "    2.5.29.17: Flags = 0, Length = 21";
  EXPECT_EQ(extension_block(rendered, "2.5.29.17"), want);
}

// Certificate Policies with a CPS qualifier and an AIA OCSP entry have no certutil sample here;
// their text is CryptFormatObject's, the formatter certutil uses, from a public sample of
// X509Extension.Format(true) for www.microsoft.com's 2019 certificate (a README of a .NET tool,
// ExtractCert.exe; repository not resolved), under certutil's eight-space margin.
TEST(RealCertificateText, PoliciesAndOcspRenderAsCryptFormatObjectFormatsThem) {
  CertificateSpec spec;
  spec.subject = DistinguishedName{{{"CN", "www.microsoft.com"}}};
  spec.serial_hex = "01";
  spec.not_before = utc_seconds(2019, 10, 21);
  spec.not_after = utc_seconds(2021, 10, 21);
  spec.certificate_policies = {{"1.3.6.1.4.1.311.42.1", "http://www.microsoft.com/pki/mscorp/cps"}};
  spec.ca_issuer_urls = {"http://www.microsoft.com/pki/mscorp/Microsoft%20IT%20TLS%20CA%205.crt"};
  spec.ocsp_urls = {"http://ocsp.msocsp.com"};
  auto key = KeySource::deterministic().next(KeyAlgorithm::kRsa2048).value();
  auto cert = issue_certificate(spec, key.get(), std::nullopt, true).value();
  const auto rendered = rendered_section(cert.get());
  ASSERT_FALSE(rendered.empty());
  auto body = [&](const std::string& oid) {
    auto block = extension_block(rendered, oid);
    return std::vector<std::string>(block.size() > 2 ? block.begin() + 2 : block.end(),
                                    block.end());
  };
  const std::vector<std::string> policies{
      "        [1]Certificate Policy:",
      "             Policy Identifier=1.3.6.1.4.1.311.42.1",
      "             [1,1]Policy Qualifier Info:",
      "                  Policy Qualifier Id=CPS",
      "                  Qualifier:",
      "                       http://www.microsoft.com/pki/mscorp/cps"};
  EXPECT_EQ(body("2.5.29.32"), policies);
  const std::string kEscapedUrlLine =
      "                  URL=http://www.microsoft.com/pki/mscorp/Microsoft IT TLS CA 5.crt "
      "(http://www.microsoft.com/pki/mscorp/Microsoft%20IT%20TLS%20CA%205.crt)";
  const std::vector<std::string> aia{
      "        [1]Authority Info Access",
      "             Access Method=Certification Authority Issuer (1.3.6.1.5.5.7.48.2)",
      "             Alternative Name:",
      kEscapedUrlLine,
      "        [2]Authority Info Access",
      "             Access Method=On-line Certificate Status Protocol (1.3.6.1.5.5.7.48.1)",
      "             Alternative Name:",
      "                  URL=http://ocsp.msocsp.com"};
  EXPECT_EQ(body("1.3.6.1.5.5.7.1.1"), aia);
  EXPECT_EQ(extension_block(rendered, "2.5.29.32")[1], "    Certificate Policies");
}

// A customer's certificate may hold a known extension whose value does not decode (found by
// fuzz_certificate_text): it prints as an extension certutil does not know, its OID and a hex
// dump, instead of crashing the renderer.
TEST(RealCertificateText, AKnownExtensionThatDoesNotDecodePrintsAsOidAndHex) {
  CertificateSpec spec;
  spec.subject = DistinguishedName{{{"CN", "odd.contoso.com"}}};
  spec.serial_hex = "02";
  spec.not_before = utc_seconds(2025, 1, 1);
  spec.not_after = utc_seconds(2026, 1, 1);
  auto key = KeySource::deterministic().next(KeyAlgorithm::kRsa2048).value();
  auto cert = issue_certificate(spec, key.get(), std::nullopt, true).value();
  // Replace the Subject Key Identifier's OCTET STRING by a NULL, and sign again.
  const int at = X509_get_ext_by_NID(cert.get(), NID_subject_key_identifier, -1);
  ASSERT_GE(at, 0);
  X509_EXTENSION* ski = X509_get_ext(cert.get(), at);
  const unsigned char null_value[] = {0x05, 0x00};
  ASSERT_EQ(ASN1_OCTET_STRING_set(X509_EXTENSION_get_data(ski), null_value, 2), 1);
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  const auto rendered = rendered_section(cert.get());
  ASSERT_FALSE(rendered.empty());
  const std::vector<std::string> want{
      "    2.5.29.14: Flags = 0, Length = 2", "    2.5.29.14",
      "        05 00                                              .."};
  EXPECT_EQ(extension_block(rendered, "2.5.29.14"), want);
}

}  // namespace
}  // namespace certbed::emulator
