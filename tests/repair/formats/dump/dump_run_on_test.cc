// Tests for certutil lines that run on into the next one (a documentation tool or a mail client
// joined them): the parser cuts them at certutil's labels, or keeps a name whole, and always says
// where.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/model/property_id.h"
#include "support/files.h"

namespace certbed::repair {
namespace {

using Parsed = std::pair<std::vector<DumpCertificate>, DumpSummary>;

Parsed parse_ok(std::string_view text) {
  auto result = parse_store_dump(text, "joined.txt");
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().to_string());
  if (!result.ok()) return {};
  return std::move(*result);
}

std::size_t warnings_with(const DumpSummary& s, std::string_view text) {
  std::size_t n = 0;
  for (const auto& w : s.warnings) n += w.message.find(text) != std::string::npos ? 1 : 0;
  return n;
}

bool has_warning_at(const DumpSummary& s, std::size_t line, std::string_view text) {
  for (const auto& w : s.warnings) {
    if (w.line == line && w.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(DumpParserRunOn, ReflowedCloudHsmDocIsCutAtItsLabelsAndKeptOutOfRepairs) {
  // AWS's documentation made the record one paragraph (lines joined with nothing between them)
  // and wrapped it again at about 90 columns behind three tabs.
  auto [certs, summary] =
      parse_ok(testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                              "/fixtures/dumps/real/13-cloudhsm-no-key-prov-info-mangled.txt"));
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.index, 1u);
  EXPECT_EQ(c.serial, "72000000047f7f7a9d41851b4e000000000004");
  EXPECT_EQ(c.issuer, "CN=Enterprise-CA");
  EXPECT_EQ(c.not_before, "10/8/2019 11:50 AM");  // "11:50" ends line 2, "AM" starts line 3
  EXPECT_EQ(c.not_after, "11/8/2020 12:00 PM");
  EXPECT_EQ(c.subject,
            "CN=www.example.com, OU=Certificate Management, O=Information Technology, "
            "L=Seattle, S=Washington, C=US");
  EXPECT_EQ(c.is_root, false);
  EXPECT_EQ(c.sha1, "7fd85c0027bf37743d715b544ec094204575bc65");
  EXPECT_TRUE(c.no_key_provider_info);
  EXPECT_FALSE(c.key_provider.has_value());
  ASSERT_TRUE(c.found_key.has_value());
  EXPECT_EQ(c.found_key->simple_container, "CertReq-39c04db0-6aa9-4310-93db-db0d9669f42c");
  EXPECT_EQ(c.found_key->unique_container, "CertReq-39c04db0-6aa9-4310-93db-db0d9669f42c");
  EXPECT_FALSE(c.complete);

  EXPECT_TRUE(has_warning_at(summary, 1, "lines 1-7 are certificate lines that a documentation"));
  EXPECT_TRUE(has_warning_at(summary, 2, "value of 'Serial Number' runs into 'Issuer:'"));
  EXPECT_TRUE(has_warning_at(summary, 2, "value of 'Issuer' runs into 'NotBefore:'"));
  EXPECT_TRUE(has_warning_at(summary, 4, "'Non-root Certificate' runs into 'Cert Hash(sha1):'"));
  EXPECT_TRUE(
      has_warning_at(summary, 5, "'Cert Hash(sha1)' runs into 'No key provider information'"));
  EXPECT_TRUE(has_warning_at(summary, 6, "runs into 'Unique container name:'"));
  EXPECT_EQ(warnings_with(summary, "unrecognized line"), 0u);
  EXPECT_EQ(warnings_with(summary, "runs into"), 9u);
  // Paragraph, nine cuts and the truncation, all raised while the record was open.
  EXPECT_EQ(c.warnings, 11u);
  // Where the lines broke is a guess: nothing from the record goes into a repair.
  ASSERT_EQ(c.unfaithful.size(), 1u);
  EXPECT_EQ(c.unfaithful[0].line, 1u);
  EXPECT_NE(c.unfaithful[0].reason.find("with lines 2-7"), std::string::npos);
  EXPECT_FALSE(c.to_cert_facts().unfaithful_text.empty());
}

TEST(DumpParserRunOn, LinesJoinedWithASpaceAreCutAtTheNextLabelWhereTheyJoin) {
  // A domain controller's CA certificate (dump 07's first record) pasted into a mail client
  // that joined pairs of lines.
  auto [certs, summary] = parse_ok(
      "My \"Personal\"\n"
      "================ Certificate 0 ================\n"
      "Serial Number: 472cb6148184a9894f6d4d2587b1b165 Issuer: CN=certificate-DC01-CA, "
      "DC=certificate, DC=htb\n"
      " NotBefore: 11/3/2024 5:55 PM NotAfter: 11/3/2029 6:05 PM\n"
      "Subject: CN=certificate-DC01-CA, DC=certificate, DC=htb Certificate Template Name "
      "(Certificate Type): CA\n"
      "CA Version: V0.0 Signature matches Public Key\n"
      "Root Certificate: Subject matches IssuerTemplate: CA, Root Certification Authority\n"
      "Cert Hash(sha1): 82ad1e0c20a332c8d6adac3e5ea243204b85d3a7\n"
      "  Key Container = certificate-DC01-CA\n"
      "  Provider = Microsoft Software Key Storage Provider\n"
      "Missing stored keyset CertUtil: -store command completed successfully.\n");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.serial, "472cb6148184a9894f6d4d2587b1b165");
  EXPECT_EQ(c.issuer, "CN=certificate-DC01-CA, DC=certificate, DC=htb");
  EXPECT_EQ(c.not_before, "11/3/2024 5:55 PM");
  EXPECT_EQ(c.not_after, "11/3/2029 6:05 PM");
  EXPECT_EQ(c.subject, "CN=certificate-DC01-CA, DC=certificate, DC=htb");
  EXPECT_EQ(c.template_name, "CA");
  EXPECT_EQ(c.ca_version, 0u);
  EXPECT_EQ(c.is_root, true);
  EXPECT_EQ(c.sha1, "82ad1e0c20a332c8d6adac3e5ea243204b85d3a7");
  EXPECT_EQ(c.key_status, std::vector<std::string>{"Missing stored keyset"});
  EXPECT_TRUE(c.complete);
  EXPECT_TRUE(summary.saw_completion_line);

  EXPECT_TRUE(has_warning_at(summary, 3, "value of 'Serial Number' runs into 'Issuer:'"));
  EXPECT_TRUE(has_warning_at(summary, 4, "value of 'NotBefore' runs into 'NotAfter:'"));
  EXPECT_TRUE(has_warning_at(
      summary, 5, "value of 'Subject' runs into 'Certificate Template Name (Certificate Type):'"));
  EXPECT_TRUE(
      has_warning_at(summary, 6, "value of 'CA Version' runs into 'Signature matches Public Key'"));
  EXPECT_TRUE(has_warning_at(summary, 7, "runs into 'Template:'"));
  EXPECT_TRUE(has_warning_at(summary, 11, "'Missing stored keyset' runs into 'CertUtil: -'"));
  EXPECT_EQ(summary.warnings.size(), 6u);
  EXPECT_EQ(c.warnings, 6u);
  // Each cut value is exactly what certutil printed: the record stays usable.
  EXPECT_TRUE(c.unfaithful.empty());
}

TEST(DumpParserRunOn, AContainerOrProviderNameThatRunsIntoALabelIsKeptWholeWithAWarning) {
  // A name may hold any text, so "Key Container = a Provider = b" may be one name: it is not
  // cut, and without a Provider line there is no property 2 for a repair to use.
  auto [certs, summary] = parse_ok(
      "================ Certificate 0 ================\n"
      "Serial Number: 0a01\n"
      "Cert Hash(sha1): 0102030405060708090a0b0c0d0e0f1011121314\n"
      "  Key Container = web01 Provider = Microsoft Software Key Storage Provider\n"
      "Signature test passed\n"
      "CertUtil: -store command completed successfully.\n");
  ASSERT_EQ(certs.size(), 1u);
  ASSERT_TRUE(certs[0].key_provider.has_value());
  EXPECT_EQ(certs[0].key_provider->container,
            "web01 Provider = Microsoft Software Key Storage Provider");
  EXPECT_FALSE(certs[0].key_provider->provider.has_value());
  EXPECT_TRUE(has_warning_at(summary, 4,
                             "value of 'Key Container' runs into what looks like 'Provider =': "
                             "kept as printed"));
  EXPECT_EQ(certs[0].warnings, 1u);
  EXPECT_FALSE(
      certs[0].to_cert_facts().properties.contains(PropertyId::CERT_KEY_PROV_INFO_PROP_ID));
}

TEST(DumpParserRunOn, NamesThatHoldColonsOrQuotedLabelsAreNotCut) {
  // ": " is common in RDN values; a label right after '=' starts a value, one inside quotes (as
  // certutil quotes a value holding ',') is part of it, and a label certutil prints before the
  // line's own (Serial Number before Subject) is no join.
  auto [certs, summary] = parse_ok(
      "================ Certificate 0 ================\n"
      "Serial Number: 0a01\n"
      "Issuer: CN=Support: Tier 2, OU=Issuer: Root, O=\"Fabrikam, NotBefore: 1/1/2020\"\n"
      " NotBefore: 1/1/2025 12:00 AM\n"
      " NotAfter: 1/1/2026 12:00 AM\n"
      "Subject: CN=Device Serial Number: 12345, OU=Test NotBefore: soon\n"
      "Cert Hash(sha1): 0102030405060708090a0b0c0d0e0f1011121314\n"
      "CertUtil: -store command completed successfully.\n");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].issuer,
            "CN=Support: Tier 2, OU=Issuer: Root, O=\"Fabrikam, NotBefore: 1/1/2020\"");
  EXPECT_EQ(certs[0].not_before, "1/1/2025 12:00 AM");
  EXPECT_EQ(certs[0].subject, "CN=Device Serial Number: 12345, OU=Test NotBefore: soon");
  EXPECT_EQ(certs[0].serial, "0a01");
  EXPECT_TRUE(summary.warnings.empty()) << summary.warnings.front().to_string();
}

TEST(DumpParserRunOn, OnlyTheFirstLineBreakLostAfterTheSeparatorLeavesTheRecordAsPrinted) {
  // The separator ran into the serial line; the lines after it are whole, so they are not
  // joined into a paragraph and the record keeps its values usable.
  auto [certs, summary] = parse_ok(
      "================ Certificate 2 ================ Serial Number: 0a01\n"
      "Issuer: CN=Contoso CA\n"
      " NotBefore: 1/1/2025 12:00 AM\n"
      " NotAfter: 1/1/2026 12:00 AM\n"
      "Subject: CN=web01\n"
      "Cert Hash(sha1): 0102030405060708090a0b0c0d0e0f1011121314\n"
      "CertUtil: -store command completed successfully.\n");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].index, 2u);
  EXPECT_EQ(certs[0].serial, "0a01");
  EXPECT_EQ(certs[0].issuer, "CN=Contoso CA");
  EXPECT_EQ(certs[0].subject, "CN=web01");
  EXPECT_TRUE(has_warning_at(summary, 1, "text after the certificate separator"));
  EXPECT_EQ(summary.warnings.size(), 1u);
  EXPECT_TRUE(certs[0].unfaithful.empty());
}

}  // namespace
}  // namespace certbed::repair
