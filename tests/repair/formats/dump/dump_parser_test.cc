// Tests for the certutil store-dump parser: real published dumps (fixtures/dumps/real) and the
// damage real dumps suffer (encodings, truncation, wrapping, localization, elisions).
#include "certbed/repair/formats/dump/dump_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/dump/dump_format.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

namespace wc = wincrypt;

using Parsed = std::pair<std::vector<DumpCertificate>, DumpSummary>;

std::string read_fixture(const std::string& name) {
  const std::string path = std::string(CERTBED_SOURCE_DIR) + "/fixtures/dumps/real/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Parsed parse_ok(std::string_view text, const std::string& name = "test.txt") {
  auto result = parse_store_dump(text, name);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().to_string());
  if (!result.ok()) return {};
  return std::move(*result);
}

Parsed parse_fixture(const std::string& name) { return parse_ok(read_fixture(name), name); }

Parsed parse_in_chunks(std::string_view text, std::size_t chunk) {
  std::vector<DumpCertificate> certs;
  StoreDumpParser parser([&certs](DumpCertificate&& c) { certs.push_back(std::move(c)); }, "x");
  for (std::size_t i = 0; i < text.size(); i += chunk) parser.feed(text.substr(i, chunk));
  auto summary = parser.finish();
  EXPECT_TRUE(summary.ok());
  if (!summary.ok()) return {};
  return {std::move(certs), std::move(*summary)};
}

bool has_warning_at(const DumpSummary& s, std::size_t line, std::string_view text) {
  for (const auto& w : s.warnings) {
    if (w.line == line && w.message.find(text) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::uint32_t> property_ids(const DumpCertificate& c) {
  std::vector<std::uint32_t> ids;
  for (const auto& p : c.properties) ids.push_back(p.id);
  return ids;
}

std::string to_crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string to_utf16(std::string_view utf8, bool big_endian) {
  auto le = utf8_to_utf16le(utf8);
  EXPECT_TRUE(le.has_value());
  std::string out = big_endian ? std::string("\xFE\xFF", 2) : std::string("\xFF\xFE", 2);
  for (std::size_t i = 0; i + 1 < le->size(); i += 2) {
    const char lo = static_cast<char>((*le)[i]);
    const char hi = static_cast<char>((*le)[i + 1]);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
  }
  return out;
}

KeyProvInfo decoded_key_prov_info(const DumpCertificate& c) {
  auto info = c.to_cert_facts().key_prov_info();
  EXPECT_TRUE(info.ok());
  if (!info.ok() || !info->has_value()) {
    ADD_FAILURE() << "no property 2 in " << c.to_string();
    return {};
  }
  return **info;
}

const char* const kAllRealDumps[] = {
    "02-ncipher-ksp-nonverbose.txt",           "03-strong-csp-keyspec2-verbose.txt",
    "05-ksp-user-my-verbose-tabs.txt",         "07-dc-my-missing-keyset-archived-nonverbose.txt",
    "08-user-my-csp-and-ksp-nonverbose.txt",   "09-ca-ksp-keyspec2-verbose-elided.txt",
    "10-securosys-hsm-ksp-repairstore.txt",    "13-cloudhsm-no-key-prov-info-mangled.txt",
    "14-no-key-prov-info-found-key-error.txt", "16-es-localized-verbose-garbled.txt",
    "21-enterprise-root-no-key.txt",           "24-smartcard-scinfo-csp-keyspec1-and-2.txt",
};

// ---- Real dumps -------------------------------------------------------------------------------

TEST(DumpParserRealDumps, Win8NcipherNonVerboseKeepsKeyNumbersUnknownAndNormalizesSpacedHash) {
  auto [certs, summary] = parse_fixture("02-ncipher-ksp-nonverbose.txt");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(summary.store_name, "My");
  EXPECT_EQ(summary.store_description, "");
  EXPECT_TRUE(summary.saw_completion_line);
  EXPECT_EQ(summary.completion_line, dump_format::kStoreCompletionLine);
  EXPECT_EQ(c.index, 5u);
  EXPECT_EQ(c.serial, "58efcfd8f929c5bd41152a8ec413051e");
  EXPECT_EQ(c.subject, "CN=test self-signed");
  EXPECT_EQ(c.not_before, "1/30/2013 3:24 PM");
  EXPECT_EQ(c.sha1, "db314da0d0ef87d42b42f74b9c38a1f9173ef7a2");
  EXPECT_EQ(c.template_name, "");
  EXPECT_EQ(c.is_root, true);
  ASSERT_TRUE(c.key_provider.has_value());
  EXPECT_EQ(c.key_provider->container, "PKContainer");
  EXPECT_EQ(c.key_provider->provider, "nCipher Security World Key Storage Provider");
  EXPECT_FALSE(c.key_provider->provider_type.has_value());
  EXPECT_FALSE(c.key_provider->key_spec.has_value());
  EXPECT_FALSE(c.key_provider->complete());
  EXPECT_EQ(c.key_status,
            (std::vector<std::string>{"Private key is NOT exportable", "Signature test passed"}));
  EXPECT_TRUE(c.complete);
  EXPECT_TRUE(summary.warnings.empty()) << summary.warnings.front().to_string();
  // Not printed by a non-verbose dump: inferred from the KSP name (documented in the header).
  const KeyProvInfo info = decoded_key_prov_info(c);
  EXPECT_EQ(info.provider_type, wc::PROV_CNG_KSP);
  EXPECT_EQ(info.key_spec, wc::AT_NONE);
}

TEST(DumpParserRealDumps, StrongCspVerboseReadsKeySpecTwoAcrossInsertedBlankLines) {
  auto [certs, summary] = parse_fixture("03-strong-csp-keyspec2-verbose.txt");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(summary.store_name, "my");
  EXPECT_EQ(summary.store_description, "Personal");
  EXPECT_TRUE(c.verbose);
  EXPECT_EQ(c.serial, "3f675d4b64156f9c48ccf30793121147");
  EXPECT_EQ(c.issuer, "CN=Intel Platform Key, O=Intel, L=Shanghai, S=Shanghai, C=CN");
  EXPECT_EQ(c.issuer_name_hash_sha1, "732312795479b01208e0ade51c695eddd8f2b2d7");
  EXPECT_EQ(c.sha1, "ff2771bd5bd1f7086ab96fb9532b594ed8619c3b");
  EXPECT_EQ(c.md5, "e95f4760524981cf90bc3198e3075f44");
  EXPECT_EQ(c.sha256, "3abc3ab573d67e1fb491b2fd7e4ae0e5d9941ac7d55ee085c1d73d684891001a");
  EXPECT_EQ(c.key_id_hash_rfc_sha1, "29c42c8b73d48fb46118895ae59806eac7bf0098");
  ASSERT_TRUE(c.key_provider.has_value());
  const DumpKeyProvider& kp = *c.key_provider;
  EXPECT_EQ(kp.container, "3d40ebea7d109ee93b238b96721f0e6d_4be58f30-7127-42f5-9b76-f47187495247");
  EXPECT_EQ(kp.simple_container, "{EA75381E-6D9B-4BDC-B6C7-5144C96507DD}");
  EXPECT_EQ(kp.provider, "Microsoft Strong Cryptographic Provider");
  EXPECT_EQ(kp.provider_type, 1u);
  EXPECT_EQ(kp.flags, wc::CRYPT_MACHINE_KEYSET);
  EXPECT_EQ(kp.key_spec, wc::AT_SIGNATURE);
  EXPECT_EQ(kp.flag_names, std::vector<std::string>{"CRYPT_MACHINE_KEYSET"});
  EXPECT_EQ(property_ids(c), (std::vector<std::uint32_t>{71, 2, 92, 3, 25, 20, 15, 4, 14}));
  EXPECT_EQ(c.properties[6].suffix, "disallowedHash");
  EXPECT_EQ(c.properties[8].raw_lines.size(), 3u);  // AccessState + two flag lines
  ASSERT_FALSE(c.key_details.empty());
  EXPECT_EQ(c.key_details.front(), "Provider = Microsoft Strong Cryptographic Provider");
  EXPECT_EQ(c.key_status,
            (std::vector<std::string>{"Private key is NOT exportable", "Signature test passed"}));
  EXPECT_TRUE(c.complete);

  const CertFacts facts = c.to_cert_facts();
  EXPECT_EQ(facts.public_key_id, "29c42c8b73d48fb46118895ae59806eac7bf0098");
  const KeyProvInfo info = decoded_key_prov_info(c);
  EXPECT_EQ(info, (KeyProvInfo{kp.container.value(),
                               "Microsoft Strong Cryptographic Provider",
                               1,
                               wc::CRYPT_MACHINE_KEYSET,
                               wc::AT_SIGNATURE,
                               {}}));
  const Bytes* bits = facts.properties.find(PropertyId::CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID);
  ASSERT_NE(bits, nullptr);
  EXPECT_EQ(*bits, (Bytes{0x00, 0x08, 0x00, 0x00}));
  const Bytes* access = facts.properties.find(PropertyId::CERT_ACCESS_STATE_PROP_ID);
  ASSERT_NE(access, nullptr);
  EXPECT_EQ(*access, (Bytes{6, 0, 0, 0}));
  const Bytes* sha1 = facts.properties.find(PropertyId::CERT_SHA1_HASH_PROP_ID);
  ASSERT_NE(sha1, nullptr);
  EXPECT_EQ(to_hex(*sha1), c.sha1);
}

TEST(DumpParserRealDumps, TabIndentedVerboseKspIsReadAndTruncationMarksRecordIncomplete) {
  auto [certs, summary] = parse_fixture("05-ksp-user-my-verbose-tabs.txt");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.index, 3u);
  EXPECT_EQ(c.serial, "4110b8f5b9f11d834c76b4b45db9c714");
  EXPECT_EQ(c.subject, "CN=CustomRoot, O=CustomOrg, C=US");
  EXPECT_EQ(c.not_after, "3/16/2028 12:00 AM");
  EXPECT_EQ(c.is_ca, true);  // Basic Constraints "Subject Type=CA"
  EXPECT_EQ(c.friendly_name, "CustomRoot");
  ASSERT_TRUE(c.key_provider.has_value());
  EXPECT_EQ(c.key_provider->container, "te-0125d557-d02e-41dc-8476-36f189060ce9");
  EXPECT_EQ(c.key_provider->unique_container,
            "b59b1bf435f36edf92e0609b0f6826a0_a1b49e9a-fc4c-4d42-a1f8-12bc38b17eb7");
  EXPECT_EQ(c.key_provider->provider_type, 0u);
  EXPECT_EQ(c.key_provider->flags, 0u);
  EXPECT_EQ(c.key_provider->key_spec, wc::AT_NONE);
  EXPECT_TRUE(c.key_provider->complete());
  EXPECT_EQ(property_ids(c), (std::vector<std::uint32_t>{4, 20, 2, 71, 11, 3, 25, 14}));
  EXPECT_FALSE(c.complete);
  EXPECT_FALSE(summary.saw_completion_line);
  EXPECT_EQ(summary.verb, "");
  EXPECT_EQ(summary.incomplete_certificates, 1u);
  EXPECT_TRUE(has_warning_at(summary, 128, "incomplete"));

  const CertFacts facts = c.to_cert_facts();
  EXPECT_EQ(facts.is_ca, true);
  const Bytes* name = facts.properties.find(PropertyId::CERT_FRIENDLY_NAME_PROP_ID);
  ASSERT_NE(name, nullptr);
  Bytes expected = *utf8_to_utf16le("CustomRoot");
  expected.push_back(0);
  expected.push_back(0);
  EXPECT_EQ(*name, expected);
}

TEST(DumpParserRealDumps, DomainControllerStoreHasThreeRecordsArchivedFlagAndMissingKeyset) {
  auto [certs, summary] = parse_fixture("07-dc-my-missing-keyset-archived-nonverbose.txt");
  ASSERT_EQ(certs.size(), 3u);
  EXPECT_EQ(summary.store_name, "My");
  EXPECT_EQ(summary.store_description, "Personal");
  EXPECT_TRUE(summary.saw_completion_line);
  EXPECT_TRUE(summary.warnings.empty());
  EXPECT_EQ(certs[0].index, 0u);
  EXPECT_EQ(certs[1].index, 1u);
  EXPECT_EQ(certs[2].index, 2u);
  EXPECT_TRUE(certs[0].archived);
  EXPECT_FALSE(certs[1].archived);
  EXPECT_EQ(certs[1].serial, "5800000002ca70ea4e42f218a6000000000002");
  EXPECT_EQ(certs[1].template_name, "DomainController");
  EXPECT_EQ(certs[1].is_root, false);
  EXPECT_EQ(certs[2].template_name, "CA");
  EXPECT_EQ(certs[2].ca_version, 0u);
  EXPECT_EQ(certs[2].is_ca, true);
  EXPECT_EQ(certs[1].key_provider->provider, "Microsoft RSA SChannel Cryptographic Provider");
  for (const auto& c : certs) {
    EXPECT_EQ(c.key_status, std::vector<std::string>{"Missing stored keyset"}) << c.to_string();
    EXPECT_TRUE(c.complete);
    EXPECT_FALSE(c.key_provider->unique_container.has_value());
  }
  EXPECT_EQ(certs[0].first_line, 2u);
  EXPECT_EQ(certs[1].first_line, 17u);

  const CertFacts archived = certs[0].to_cert_facts();
  const Bytes* prop19 = archived.properties.find(PropertyId::CERT_ARCHIVED_PROP_ID);
  ASSERT_NE(prop19, nullptr);
  EXPECT_TRUE(prop19->empty());
  EXPECT_EQ(decoded_key_prov_info(certs[1]).provider_type, wc::PROV_RSA_SCHANNEL);
  EXPECT_EQ(decoded_key_prov_info(certs[1]).key_spec, wc::AT_KEYEXCHANGE);
}

TEST(DumpParserRealDumps, IndentedTruncatedUserStoreKeepsCspSimpleNameAndKspUniqueName) {
  auto [certs, summary] = parse_fixture("08-user-my-csp-and-ksp-nonverbose.txt");
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(summary.store_name, "My");
  EXPECT_EQ(certs[0].subject,
            "E=winfed@deverett.info, CN=WinFed, OU=Users, OU=Corp, DC=corp, DC=deverett, "
            "DC=info");
  EXPECT_EQ(certs[0].template_name, "User");
  EXPECT_EQ(certs[0].key_provider->simple_container,
            "te-User-c7bcc4bd-0498-4411-af44-da2257f54387");
  EXPECT_EQ(certs[0].key_provider->provider, "Microsoft Enhanced Cryptographic Provider v1.0");
  EXPECT_EQ(certs[0].key_status, std::vector<std::string>{"Encryption test passed"});
  EXPECT_TRUE(certs[0].complete);
  EXPECT_EQ(certs[1].key_provider->unique_container,
            "bf4097e20d4480b8d6ebc139c9360f02_5834bfa9-1c4a-44a8-a128-c2267f712336");
  EXPECT_EQ(certs[1].key_status,
            (std::vector<std::string>{"Private key is NOT exportable", "Encryption test passed"}));
  EXPECT_FALSE(certs[1].complete);
  EXPECT_FALSE(summary.saw_completion_line);
}

TEST(DumpParserRealDumps, ElidedSeedArticleYieldsKspWithKeySpecTwoAndFlagsItPartial) {
  auto [certs, summary] = parse_fixture("09-ca-ksp-keyspec2-verbose-elided.txt");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.index, 3u);
  EXPECT_EQ(c.serial, "21000000044a30cdeaaaae7b08000000000004");
  EXPECT_EQ(c.issuer, "CN=ROOTCA-CA");
  EXPECT_EQ(c.subject, "CN=Contoso CA, DC=Contoso, DC=com");
  EXPECT_EQ(c.subject_name_hash_sha1, "01aad90aaaabbbbf368a509eed47be8ea0a3b78d");
  EXPECT_EQ(c.not_before, "");  // "<DateTime>" is a placeholder, not data
  EXPECT_TRUE(c.elided);
  EXPECT_TRUE(summary.elided);
  EXPECT_FALSE(c.complete);
  EXPECT_TRUE(has_warning_at(summary, 15, "placeholder"));
  EXPECT_TRUE(has_warning_at(summary, 22, "elision"));
  EXPECT_TRUE(has_warning_at(summary, 29, "elision"));
  const KeyProvInfo info = decoded_key_prov_info(c);
  EXPECT_EQ(info, (KeyProvInfo{"Contoso CA",
                               std::string(wc::MS_KEY_STORAGE_PROVIDER),
                               wc::PROV_CNG_KSP,
                               wc::CRYPT_MACHINE_KEYSET,
                               wc::AT_SIGNATURE,
                               {}}));
}

TEST(DumpParserRealDumps, RepairstoreOutputWithEuropeanDatesKeepsAllStatusLines) {
  auto [certs, summary] = parse_fixture("10-securosys-hsm-ksp-repairstore.txt");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].index, 43u);
  EXPECT_EQ(certs[0].not_before, "10.08.2021 14:14");
  EXPECT_EQ(certs[0].key_provider->provider, "Securosys Primus HSM Key Storage Provider");
  EXPECT_EQ(certs[0].key_status,
            (std::vector<std::string>{"Securosys Primus HSM Key Storage Provider: KeySpec=0",
                                      "AES256+RSAES_OAEP(RSA:CNG) test skipped",
                                      "Signature test passed"}));
  EXPECT_EQ(summary.completion_line, "CertUtil: -repairstore command completed successfully.");
  EXPECT_EQ(summary.verb, "repairstore");
  EXPECT_TRUE(summary.warnings.empty());
}

TEST(DumpParserRealDumps, NoKeyProviderInformationRecordsWhatCertutilFoundBySearching) {
  auto [certs, summary] = parse_fixture("14-no-key-prov-info-found-key-error.txt");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.index, 8u);
  EXPECT_TRUE(c.no_key_provider_info);
  EXPECT_FALSE(c.key_provider.has_value());
  ASSERT_TRUE(c.found_key.has_value());
  EXPECT_EQ(c.found_key->provider, std::string(wc::MS_KEY_STORAGE_PROVIDER));
  EXPECT_EQ(c.found_key->simple_container, "Certificate-LTD-CA");
  EXPECT_EQ(c.found_key->unique_container,
            "26b68cbdfcd6f5e467996e3f3810f3ca_7989b711-2e3f-4107-9aae-fb8df2e3b958");
  EXPECT_EQ(c.key_status,
            (std::vector<std::string>{std::string(dump_format::kMissingKeyAssociation),
                                      "Signature test passed"}));
  EXPECT_FALSE(c.complete);
  EXPECT_FALSE(c.to_cert_facts().properties.contains(PropertyId::CERT_KEY_PROV_INFO_PROP_ID));
}

TEST(DumpParserRealDumps, GarbledSpanishCaptureYieldsNoRecordButIsRecognizedAndWarned) {
  auto [certs, summary] = parse_fixture("16-es-localized-verbose-garbled.txt");
  EXPECT_TRUE(certs.empty());
  EXPECT_EQ(summary.store_name, "My");
  EXPECT_TRUE(summary.saw_completion_line);
  EXPECT_EQ(summary.completion_line, "CertUtil: -store comando completado correctamente.");
  EXPECT_EQ(summary.verb, "store");
  EXPECT_TRUE(has_warning_at(summary, 59, "outside any certificate record"));
  EXPECT_TRUE(has_warning_at(summary, 0, "no certificate record"));
}

TEST(DumpParserRealDumps, EnterpriseRootWithoutKeyEndsWithCannotFindLine) {
  auto [certs, summary] = parse_fixture("21-enterprise-root-no-key.txt");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(summary.store_name, "Root");
  EXPECT_EQ(summary.store_description, "Trusted Root Certification Authorities");
  EXPECT_EQ(certs[0].serial, "26373e51a6ab669340c47caef2232ce1");
  EXPECT_EQ(certs[0].sha1, "b805e6ab548f6e7c57d3989f61de7fe6a51031d1");
  EXPECT_TRUE(certs[0].no_key_provider_info);
  EXPECT_FALSE(certs[0].found_key.has_value());
  EXPECT_EQ(certs[0].key_status,
            std::vector<std::string>{std::string(dump_format::kCannotFindCertAndKey)});
  EXPECT_TRUE(certs[0].complete);
}

TEST(DumpParserRealDumps, PercentPrefixedScinfoYieldsBothSmartCardKeySpecs) {
  auto [certs, summary] = parse_fixture("24-smartcard-scinfo-csp-keyspec1-and-2.txt");
  ASSERT_EQ(certs.size(), 4u);
  EXPECT_EQ(summary.command_line, "C:\\Users\\dashl\\Documents>certutil -scinfo");
  EXPECT_EQ(summary.completion_line, "CertUtil: -SCInfo command completed successfully.");
  EXPECT_EQ(summary.verb, "SCInfo");
  const DumpCertificate& sig = certs[0];
  EXPECT_EQ(sig.index, 0u);
  EXPECT_EQ(sig.serial, "65c7bf928db4fff3558e09aa30e8c49e");
  EXPECT_EQ(sig.not_before, "8/16/2024 1:46 AM");  // the chain's indented NotBefore is ignored
  EXPECT_EQ(sig.issuer, "CN=Certum Code Signing 2021 CA, O=Asseco Data Systems S.A., C=PL");
  ASSERT_TRUE(sig.key_provider.has_value());
  EXPECT_EQ(sig.key_provider->container, "CFC2BAB12D160BF78F203DDC1E78D95A7E7D644");
  EXPECT_EQ(sig.key_provider->provider, std::string(wc::MS_SCARD_PROV));
  EXPECT_EQ(sig.key_provider->provider_type, 1u);
  EXPECT_EQ(sig.key_provider->flags, 1u);
  EXPECT_EQ(sig.key_provider->flag_names, std::vector<std::string>{"0x1"});
  EXPECT_EQ(sig.key_provider->key_spec, wc::AT_SIGNATURE);
  const DumpCertificate& kx = certs[1];
  EXPECT_FALSE(kx.index.has_value());
  EXPECT_EQ(kx.serial, sig.serial);
  EXPECT_EQ(kx.key_provider->key_spec, wc::AT_KEYEXCHANGE);
  EXPECT_EQ(certs[2].key_provider->provider, std::string(wc::MS_SMART_CARD_KEY_STORAGE_PROVIDER));
  EXPECT_EQ(certs[2].key_status,
            std::vector<std::string>{"Cannot open the  key for reader: ACS ACR39U ICC Reader 0"});
  EXPECT_EQ(certs[3].index, 1u);
}

// ---- Streaming and encodings ---------------------------------------------------------------

TEST(DumpParserStreaming, FeedingOneByteAtATimeGivesTheSameResultAsTheWholeFile) {
  for (const char* name : kAllRealDumps) {
    const std::string text = to_crlf(read_fixture(name));
    auto whole = parse_in_chunks(text, text.size() + 1);
    auto bytewise = parse_in_chunks(text, 1);
    auto odd = parse_in_chunks(text, 7);
    EXPECT_EQ(whole.first, bytewise.first) << name;
    EXPECT_EQ(whole.second, bytewise.second) << name;
    EXPECT_EQ(whole.first, odd.first) << name;
  }
}

TEST(DumpParserStreaming, CrlfUtf16LeTwinHasTheSameFactsAsTheUtf8Original) {
  for (const char* name : kAllRealDumps) {
    const std::string utf8 = read_fixture(name);
    auto original = parse_ok(utf8, "x");
    for (const std::string& twin : {to_utf16(to_crlf(utf8), false), to_utf16(to_crlf(utf8), true),
                                    "\xEF\xBB\xBF" + to_crlf(utf8)}) {
      auto bytewise = parse_in_chunks(twin, 1);
      EXPECT_EQ(bytewise.first, original.first) << name;
      EXPECT_EQ(bytewise.second.warnings, original.second.warnings) << name;
      EXPECT_EQ(bytewise.second.store_name, original.second.store_name) << name;
    }
  }
  auto le =
      parse_ok(to_utf16(read_fixture("07-dc-my-missing-keyset-archived-nonverbose.txt"), false));
  EXPECT_EQ(le.second.encoding, "utf-16le");
  EXPECT_EQ(le.first.size(), 3u);
}

TEST(DumpParserStreaming, SurrogatePairSplitAcrossChunksDecodesToOneCharacter) {
  const std::string dump =
      "================ Certificate 0 ================\n"
      "Serial Number: 01\n"
      "Subject: CN=smile \xF0\x9F\x98\x80 and \xC3\xA9\n"
      "CertUtil: -store command completed successfully.\n";
  auto parsed = parse_in_chunks(to_utf16(dump, false), 1);
  ASSERT_EQ(parsed.first.size(), 1u);
  EXPECT_EQ(parsed.first[0].subject, "CN=smile \xF0\x9F\x98\x80 and \xC3\xA9");
  EXPECT_TRUE(parsed.second.warnings.empty());
}

TEST(DumpParserStreaming, Utf16WithoutBomIsDetectedByItsNulBytes) {
  std::string text = to_utf16(read_fixture("21-enterprise-root-no-key.txt"), false).substr(2);
  auto parsed = parse_ok(text);
  ASSERT_EQ(parsed.first.size(), 1u);
  EXPECT_EQ(parsed.first[0].serial, "26373e51a6ab669340c47caef2232ce1");
  EXPECT_EQ(parsed.second.encoding, "utf-16le (no BOM)");
}

TEST(DumpParserStreaming, Windows1252BytesAreTranscodedWithOneWarningAndMarkedAsAGuess) {
  const std::string dump =
      "================ Certificate 0 ================\n"
      "Serial Number: 01\n"
      "Subject: CN=Jos\xE9 P\xE9rez\n"
      "CertUtil: -store command completed successfully.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].subject, "CN=Jos\xC3\xA9 P\xC3\xA9rez");
  EXPECT_TRUE(has_warning_at(summary, 3, "8-bit code page"));
  EXPECT_EQ(summary.encoding,
            "utf-8 with 8-bit lines: windows-1252 (detected from its accented "
            "letters)");
  ASSERT_EQ(certs[0].unfaithful.size(), 1u);
  EXPECT_EQ(certs[0].unfaithful[0].line, 3u);
  EXPECT_NE(certs[0].unfaithful[0].reason.find("decoded as windows-1252"), std::string::npos);
}

TEST(DumpParserStreaming, OemCodePageIsDetectedFromAccentedLetters) {
  // certutil -store my > file.txt on a Western European console: cp850. "ü" is 0x81 there, a
  // byte Windows-1252 does not define.
  const std::string dump =
      "================ Certificate 0 ================\n"
      "Serial Number: 01\n"
      "Subject: CN=M\x81ller CA\n"
      "  Key Container = M\x81ller CA\n"
      "  Provider = Microsoft Software Key Storage Provider\n"
      "CertUtil: -store command completed successfully.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].subject, "CN=M\xC3\xBCller CA");
  EXPECT_EQ(summary.encoding,
            "utf-8 with 8-bit lines: cp850 or cp437 (OEM, detected from its accented letters)");
  ASSERT_EQ(certs[0].unfaithful.size(), 2u);
  EXPECT_EQ(certs[0].unfaithful[1].line, 4u);
  const auto facts = certs[0].to_cert_facts();
  ASSERT_EQ(facts.unfaithful_text.size(), 2u);
  EXPECT_EQ(facts.unfaithful_text[1].rfind("line 4: not UTF-8", 0), 0u) << facts.unfaithful_text[1];
  // 0xA2 is "ó" in cp850 and cp437 but "¢" in Windows-1252; 0x9B is "ø" in cp850, "¢" in cp437.
  auto cp850 = parse_ok(
                   "Serial Number: 01\nSubject: CN=Espa\xA4"
                   "a Sj\x9B"
                   "berg\n")
                   .second;
  EXPECT_EQ(cp850.encoding,
            "utf-8 with 8-bit lines: cp850 (OEM, detected from its accented letters)");
}

TEST(DumpParserStreaming, AmbiguousEightBitTextSaysTheCodePageIsUnknown) {
  // 0xE1 is "ß" in the OEM pages and "á" in Windows-1252: a lower-case letter in each.
  auto [certs, summary] = parse_ok(
      "Serial Number: 01\nSubject: CN=Stra\xE1"
      "e\n");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(summary.encoding,
            "utf-8 with 8-bit lines: an unknown 8-bit code page (read as "
            "windows-1252)");
  EXPECT_EQ(certs[0].unfaithful.size(), 1u);
}

TEST(DumpParserStreaming, ReplacementCharactersNulsAndCutLinesAreMarkedUnfaithful) {
  // An unpaired surrogate in UTF-16 input becomes U+FFFD.
  std::string utf16 =
      to_utf16(std::string("Serial Number: 01\n  Key Container = ab") + "\n", false);
  const std::size_t at = utf16.size() - 2;  // before the last "\n"
  utf16.insert(at, std::string("\x00\xD8", 2));
  auto [a, sa] = parse_ok(utf16);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(a[0].unfaithful.size(), 1u);
  EXPECT_EQ(a[0].unfaithful[0].line, 2u);
  EXPECT_NE(a[0].unfaithful[0].reason.find("U+FFFD"), std::string::npos);

  const std::string nul = std::string("Serial Number: 01\n  Key Container = Con") + '\0' + "toso\n";
  auto [b, sb] = parse_ok(nul);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(b[0].unfaithful.size(), 1u);
  EXPECT_NE(b[0].unfaithful[0].reason.find("NUL"), std::string::npos);

  DumpParserOptions small;
  small.max_line_bytes = 64;
  const std::string long_line =
      "Serial Number: 01\n  Key Container = " + std::string(100, 'k') + "\n";
  auto cut = parse_store_dump(long_line, "cut.txt", small).value();
  ASSERT_EQ(cut.first.size(), 1u);
  ASSERT_EQ(cut.first[0].unfaithful.size(), 1u);
  EXPECT_NE(cut.first[0].unfaithful[0].reason.find("line limit"), std::string::npos);

  auto [clean, sc] = parse_ok("Serial Number: 01\n  Key Container = M\xC3\xBCller\n");
  ASSERT_EQ(clean.size(), 1u);
  EXPECT_TRUE(clean[0].unfaithful.empty());
}

TEST(DumpParserStreaming, UnfaithfulLineAfterAConsoleWideLineKeepsItsReason) {
  // An 80-column line is held as a possible console wrap; the 8-bit line after it is not its
  // continuation, so both go on separately and the second keeps its own reason.
  const std::string wide = "  Subject: CN=" + std::string(80 - 14, 'w');
  ASSERT_EQ(wide.size(), 80u);
  auto [certs, summary] = parse_ok("Serial Number: 01\n" + wide +
                                   "\n  Key Container = M\x81ller CA\n"
                                   "  Provider = P\n");
  ASSERT_EQ(certs.size(), 1u);
  ASSERT_EQ(certs[0].unfaithful.size(), 1u);
  EXPECT_EQ(certs[0].unfaithful[0].line, 3u);
  EXPECT_NE(certs[0].unfaithful[0].reason.find("not UTF-8"), std::string::npos)
      << "reason: '" << certs[0].unfaithful[0].reason << "'";
}

// ---- Tolerance ---------------------------------------------------------------------------------

TEST(DumpParserTolerance, TruncatedFileKeepsCompleteRecordsAndMarksTheLastIncomplete) {
  const std::string full = read_fixture("07-dc-my-missing-keyset-archived-nonverbose.txt");
  const std::string cut = full.substr(0, full.find("Template: CA, Root"));
  auto [certs, summary] = parse_ok(cut);
  ASSERT_EQ(certs.size(), 3u);
  EXPECT_TRUE(certs[0].complete);
  EXPECT_TRUE(certs[1].complete);
  EXPECT_FALSE(certs[2].complete);
  EXPECT_EQ(certs[2].serial, "75b2f4bbf31f108945147b466131bdca");
  EXPECT_FALSE(certs[2].key_provider.has_value());
  EXPECT_FALSE(summary.saw_completion_line);
  EXPECT_EQ(summary.incomplete_certificates, 1u);
}

TEST(DumpParserTolerance, InputThatIsNotADumpIsAnErrorNamingTheSource) {
  for (const std::string& junk :
       {std::string("hello\nworld\nthis is a shopping list\n"), std::string(),
        std::string("\x7F"
                    "ELF\x02\x01\x01\x00\x00\x00\xFF\xFE\x00\x80",
                    14)}) {
    auto result = parse_store_dump(junk, "notes.txt");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kParse);
    EXPECT_NE(result.error().message.find("notes.txt is not a certutil store dump"),
              std::string::npos)
        << result.error().message;
  }
}

TEST(DumpParserTolerance, EmptyStoreWithOnlyHeaderAndCompletionIsNotAnError) {
  auto [certs, summary] = parse_ok(
      "CA \"Intermediate Certification Authorities\"\n"
      "CertUtil: -store command completed successfully.\n");
  EXPECT_TRUE(certs.empty());
  EXPECT_EQ(summary.store_name, "CA");
  EXPECT_TRUE(summary.saw_completion_line);
}

TEST(DumpParserTolerance, UnknownPropertiesAndSectionsAreKeptNotFatal) {
  const std::string dump =
      "================ Certificate 0 ================\n"
      "X509 Certificate:\n"
      "Version: 3\n"
      "Serial Number: 0a1b\n"
      "Brand New Section: 42\n"
      "Cert Hash(sha1): 00112233445566778899aabbccddeeff00112233\n"
      "\n"
      "  Unknown Property(200):\n"
      "    3b 7f 96 00 00 80 31 80  58 43 65 72 74 75 6d 30   ;.....1.XCertum0\n"
      "    31 82 90 00                                        1...\n"
      "\n"
      "  CERT_ENHKEY_USAGE_PROP_ID(9):\n"
      "    Client Authentication (1.3.6.1.5.5.7.3.2)\n"
      "\n"
      "Signature test passed\n"
      "CertUtil: -store command completed successfully.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(property_ids(c), (std::vector<std::uint32_t>{200, 9}));
  EXPECT_EQ(c.properties[0].name, "Unknown Property");
  EXPECT_EQ(c.properties[0].raw_lines.size(), 2u);
  EXPECT_EQ(c.key_status, std::vector<std::string>{"Signature test passed"});
  EXPECT_TRUE(has_warning_at(summary, 5, "unrecognized line 'Brand New Section: 42'"));
  const CertFacts facts = c.to_cert_facts();
  const Bytes* unknown = facts.properties.find(static_cast<PropertyId>(200));
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(to_hex(*unknown), "3b7f9600008031805843657274756d3031829000");
  // Decoded text cannot be turned back into bytes: left out of the bag, kept in the record.
  EXPECT_FALSE(facts.properties.contains(PropertyId::CERT_ENHKEY_USAGE_PROP_ID));
}

TEST(DumpParserTolerance, WarningsQuoteInputWithTerminalControlsEscaped) {
  auto [certs, summary] = parse_ok(
      "================ Certificate 0 ================\n"
      "Serial Number: 0a1b\n"
      "Brand \x1b]0;pwned\x07 New\x1b[2J \xC2\x9B\xE2\x80\xAE: 42\n"
      "Cert Hash(sha1): 00112233445566778899aabbccddeeff00112233\n");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_TRUE(has_warning_at(summary, 3,
                             "unrecognized line 'Brand \\x1b]0;pwned\\x07 New\\x1b[2J "
                             "\\u009b\\u202e: 42'"));
  for (const auto& w : summary.warnings) {
    EXPECT_EQ(w.message.find('\x1b'), std::string::npos) << w.message;
  }
}

TEST(DumpParserTolerance, Windows8LayoutWithBareFlagsAndKeySpecAndSpacedHashes) {
  const std::string dump =
      "my\n"
      "================ Certificate 1 ================\n"
      "X509 Certificate:\n"
      "Version: 3\n"
      "Serial Number: 61 0a 2b\n"
      "Issuer:\n"
      "    CN=Old CA\n"
      "\n"
      " NotBefore: 1/30/2013 3:24 PM\n"
      " NotAfter: 1/30/2019 3:34 PM\n"
      "\n"
      "Subject:\n"
      "    CN=old.example\n"
      "    O=Example\n"
      "\n"
      "Key Id Hash(rfc-sha1): ea c7 7d 7e e8 cd 84 9b e8 aa 71 6d f4 b7 e5 09 d9 b6 32 1b\n"
      "Cert Hash(md5): 1B 42 5A 00 11 22 33 44 55 66 77 88 99 AA BB CC\n"
      "Cert Hash(sha1): db 31 4d a0 d0 ef 87 d4 2b 42 f7 4b 9c 38 a1 f9 17 3e f7 a2\n"
      "\n"
      "  CERT_KEY_PROV_INFO_PROP_ID(2):\n"
      "    Key Container = Old CA\n"
      "    Provider = Microsoft Software Key Storage Provider\n"
      "    ProviderType = 0\n"
      "  Flags = 20\n"
      "    KeySpec = 0\n"
      "\n"
      "Signature test passed\n"
      "CertUtil: -store command completed successfully.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.serial, "610a2b");
  EXPECT_EQ(c.issuer, "CN=Old CA");
  EXPECT_EQ(c.subject, "CN=old.example, O=Example");
  EXPECT_EQ(c.key_id_hash_rfc_sha1, "eac77d7ee8cd849be8aa716df4b7e509d9b6321b");
  EXPECT_EQ(c.md5, "1b425a00112233445566778899aabbcc");
  EXPECT_EQ(c.sha1, "db314da0d0ef87d42b42f74b9c38a1f9173ef7a2");
  ASSERT_TRUE(c.key_provider.has_value());
  EXPECT_EQ(c.key_provider->flags, 0x20u);  // hex even without "(32)"
  EXPECT_EQ(c.key_provider->key_spec, 0u);
  EXPECT_TRUE(c.key_provider->flag_names.empty());
  EXPECT_TRUE(summary.warnings.empty()) << summary.warnings.front().to_string();
}

TEST(DumpParserTolerance, ConsoleWrappedUniqueContainerNameIsJoinedWithAWarning) {
  // certutil printed a 95-column line into an 80-column console: the rest wraps to column 0.
  const std::string unique =
      "bf4097e20d4480b8d6ebc139c9360f02_5834bfa9-1c4a-44a8-a128-c2267f712336";
  const std::string line = "  Unique container name: " + unique;
  const std::string dump =
      "================ Certificate 1 ================\n"
      "Serial Number: 367fbdd7e6e4103dec9b91f93959ac56\n"
      "Cert Hash(sha1): 37378a1b06dcef1b4d4753f7d21e4f20b18fbfec\n"
      "  Key Container = 31685cae-af6f-48fb-ac37-845c69b4c097\n" +
      line.substr(0, 80) + "\n" + line.substr(80) + "\n" +
      "  Provider = Microsoft Software Key Storage Provider\n"
      "Encryption test passed\n"
      "CertUtil: -store command completed successfully.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].key_provider->unique_container, unique);
  EXPECT_EQ(certs[0].key_provider->provider, std::string(wc::MS_KEY_STORAGE_PROVIDER));
  EXPECT_TRUE(has_warning_at(summary, 6, "console-wrapped"));
}

TEST(DumpParserTolerance, LocalizedLabelsAreReadByTheirShapeAndWarned) {
  // German-style labels: the separator word, serial, names, hashes and key lines are translated;
  // the structure (hex, one-space dates, RDNs, "(sha1)", " = ") is not.
  const std::string dump =
      "My \"Eigene Zertifikate\"\n"
      "================ Zertifikat 2 ================\n"
      "Seriennummer: 58efcfd8f929c5bd41152a8ec413051e\n"
      "Aussteller: CN=Test CA, DC=corp\n"
      " G\xC3\xBCltig ab: 30.01.2013 15:24\n"
      " G\xC3\xBCltig bis: 30.01.2019 15:34\n"
      "Antragsteller: CN=server.corp\n"
      "Zertifikathash(sha1): db314da0d0ef87d42b42f74b9c38a1f9173ef7a2\n"
      "  Schl\xC3\xBC"
      "sselcontainer = PKContainer\n"
      "  Anbieter = Microsoft Software Key Storage Provider\n"
      "Signaturtest wurde bestanden.\n"
      "CertUtil: -store-Befehl wurde erfolgreich ausgef\xC3\xBChrt.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_EQ(c.index, 2u);
  EXPECT_EQ(summary.store_name, "My");
  EXPECT_EQ(c.serial, "58efcfd8f929c5bd41152a8ec413051e");
  EXPECT_EQ(c.issuer, "CN=Test CA, DC=corp");
  EXPECT_EQ(c.not_before, "30.01.2013 15:24");
  EXPECT_EQ(c.not_after, "30.01.2019 15:34");
  EXPECT_EQ(c.subject, "CN=server.corp");
  EXPECT_EQ(c.sha1, "db314da0d0ef87d42b42f74b9c38a1f9173ef7a2");
  ASSERT_TRUE(c.key_provider.has_value());
  EXPECT_EQ(c.key_provider->container, "PKContainer");
  EXPECT_EQ(c.key_provider->provider, std::string(wc::MS_KEY_STORAGE_PROVIDER));
  EXPECT_EQ(c.key_status, std::vector<std::string>{"Signaturtest wurde bestanden."});
  EXPECT_TRUE(c.complete);
  EXPECT_TRUE(has_warning_at(summary, 3, "non-English label 'Seriennummer'"));
  EXPECT_TRUE(summary.saw_completion_line);
}

TEST(DumpParserTolerance, SpanishVerboseKeyProviderBlockIsReadByPosition) {
  const std::string dump =
      "================ Certificado 0 ================\n"
      "Serial Number: 01\n"
      "Cert Hash(sha1): 419586341a0b857738d9fa1c4b96730c644c989d\n"
      "\n"
      "  CERT_KEY_PROV_INFO_PROP_ID(2):\n"
      "    Contenedor de claves = te-User-1\n"
      "  Nombre de contenedor exclusivo: "
      "d72ae6d3560b2e24d3fbe1fc3a816e44_caabdf74-6fe2-47d3-a3ea-f1f1ca13972a\n"
      "    Proveedor = Microsoft Enhanced Cryptographic Provider v1.0\n"
      "    Tipo de proveedor = 1\n"
      "  Marcas = 0\n"
      "    Especificaci\xC3\xB3n de clave = 1 -- AT_KEYEXCHANGE\n"
      "\n"
      "Prueba de cifrado correcta\n"
      "CertUtil: -store comando completado correctamente.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 1u);
  const DumpKeyProvider& kp = certs[0].key_provider.value();
  EXPECT_EQ(kp.container, "te-User-1");
  EXPECT_EQ(kp.unique_container,
            "d72ae6d3560b2e24d3fbe1fc3a816e44_caabdf74-6fe2-47d3-a3ea-f1f1ca13972a");
  EXPECT_EQ(kp.provider, "Microsoft Enhanced Cryptographic Provider v1.0");
  EXPECT_EQ(kp.provider_type, 1u);
  EXPECT_EQ(kp.flags, 0u);
  EXPECT_EQ(kp.key_spec, wc::AT_KEYEXCHANGE);
  EXPECT_EQ(certs[0].key_status, std::vector<std::string>{"Prueba de cifrado correcta"});
  EXPECT_TRUE(has_warning_at(summary, 6, "non-English label 'Contenedor de claves'"));
}

TEST(DumpParserTolerance, PromptsPasswordLinesAndOtherOutputAroundTheDumpAreSkipped) {
  const std::string dump =
      "Microsoft Windows [Version 10.0.17763.1]\n"
      "C:\\>certutil -exportPFX MY 01 out.pfx\n"
      "MY \"Personal\"\n"
      "================ Certificate 0 ================\n"
      "Serial Number: 01\n"
      "Cert Hash(sha1): 00112233445566778899aabbccddeeff00112233\n"
      "  Key Container = k1\n"
      "  Provider = Microsoft Software Key Storage Provider\n"
      "Signature test passed\n"
      "Enter new password for output file out.pfx:\n"
      "CertUtil: -exportPFX command FAILED: 0x80090016 (-2146893802 NTE_BAD_KEYSET)\n"
      "CertUtil: Keyset does not exist\n"
      "\n"
      "C:\\>certutil -store my\n"
      "================ Certificate 4 ================\n"
      "Serial Number: 02\n"
      "C:\\>dir\n"
      " Volume in drive C has no label.\n";
  auto [certs, summary] = parse_ok(dump);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(summary.store_name, "MY");
  EXPECT_EQ(summary.command_line, "C:\\>certutil -exportPFX MY 01 out.pfx");
  ASSERT_TRUE(summary.failure.has_value());
  EXPECT_EQ(*summary.failure,
            "CertUtil: -exportPFX command FAILED: 0x80090016 (-2146893802 NTE_BAD_KEYSET); "
            "CertUtil: Keyset does not exist");
  EXPECT_EQ(summary.verb, "exportPFX");
  EXPECT_TRUE(certs[0].complete);
  EXPECT_EQ(certs[0].key_provider->container, "k1");
  EXPECT_EQ(certs[1].serial, "02");
  EXPECT_FALSE(certs[1].complete);  // cut by the next command's prompt
  EXPECT_TRUE(has_warning_at(summary, 17, "shell prompt"));
}

TEST(DumpParserTolerance, OverlongLineIsTruncatedAndOversizedRecordIsCut) {
  DumpParserOptions options;
  options.max_line_bytes = 64;
  options.max_record_bytes = 400;
  std::string dump =
      "================ Certificate 0 ================\n"
      "Serial Number: 01\n"
      "Subject: CN=" +
      std::string(200, 'x') + "\n";
  for (int i = 0; i < 50; ++i) dump += "  Unknown Property(300):\n    00 11 22 33\n\n";
  dump +=
      "================ Certificate 1 ================\n"
      "Serial Number: 02\n"
      "CertUtil: -store command completed successfully.\n";
  auto result = parse_store_dump(dump, "big.txt", options);
  ASSERT_TRUE(result.ok());
  auto& [certs, summary] = *result;
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[0].subject.size(), 64u - std::string("Subject: ").size());
  EXPECT_TRUE(has_warning_at(summary, 3, "truncated"));
  EXPECT_FALSE(certs[0].complete);  // cut
  EXPECT_LT(certs[0].properties.size(), 50u);
  EXPECT_EQ(certs[1].serial, "02");
  EXPECT_TRUE(certs[1].complete);
}

TEST(DumpParserTolerance, WarningsAreCappedAndTheRestCounted) {
  DumpParserOptions options;
  options.max_warnings = 3;
  std::string dump = "================ Certificate 0 ================\nSerial Number: 01\n";
  for (int i = 0; i < 10; ++i) dump += "mystery line " + std::to_string(i) + "\n";
  auto result = parse_store_dump(dump, "", options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->second.warnings.size(), 3u);
  EXPECT_EQ(result->second.suppressed_warnings, 8u);  // 7 more lines + truncation at the end
  EXPECT_EQ(result->first[0].warnings, 11u);
}

TEST(DumpParserTolerance, DumpStartingAtSerialNumberHasNoIndex) {
  auto [certs, summary] = parse_ok(
      "    Serial Number: 0102\n"
      "    Issuer: CN=x\n"
      "     NotBefore: 1/1/2020 1:00 AM\n"
      "    Cert Hash(sha1): 00112233445566778899aabbccddeeff00112233\n");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_FALSE(certs[0].index.has_value());
  EXPECT_EQ(certs[0].issuer, "CN=x");
  EXPECT_EQ(certs[0].not_before, "1/1/2020 1:00 AM");
  EXPECT_TRUE(has_warning_at(summary, 1, "store index is unknown"));
}

// ---- Input that is not a dump is refused early ------------------------------------------------

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kChunk = std::size_t{64} << 10;

struct EarlyStop {
  std::size_t fed_when_done = 0;  // bytes fed when done() first held; 0 if it never did
  Result<DumpSummary> finished = DumpSummary{};
};

// Feeds `input` in `chunk`-byte pieces; with `stop_when_done` the loop stops at done(), as a
// reader would, otherwise it feeds everything.
EarlyStop feed_until_done(std::string_view input, std::size_t chunk, bool stop_when_done) {
  EarlyStop out;
  StoreDumpParser parser([](DumpCertificate&&) {}, "junk.bin");
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    if (stop_when_done && parser.done()) break;
    parser.feed(input.substr(at, chunk));
    if (parser.done() && out.fed_when_done == 0) {
      out.fed_when_done = std::min(at + chunk, input.size());
    }
  }
  out.finished = parser.finish();
  EXPECT_TRUE(parser.done());
  return out;
}

void expect_refused_within_the_limit(const std::string& junk) {
  const EarlyStop run = feed_until_done(junk, kChunk, /*stop_when_done=*/false);
  EXPECT_GT(run.fed_when_done, 4 * kMiB);
  EXPECT_LE(run.fed_when_done, 4 * kMiB + kChunk);
  ASSERT_FALSE(run.finished.ok());
  const Error& error = run.finished.error();
  EXPECT_EQ(error.code, ErrorCode::kParse);
  EXPECT_NE(error.message.find("junk.bin is not a certutil store dump"), std::string::npos)
      << error.message;
  EXPECT_NE(error.message.find("in the first 4 MiB ("), std::string::npos) << error.message;
  // What was fed after done() changed nothing: stopping there gives the same error.
  const EarlyStop stopped = feed_until_done(junk, kChunk, /*stop_when_done=*/true);
  ASSERT_FALSE(stopped.finished.ok());
  EXPECT_EQ(stopped.finished.error(), error);
}

TEST(DumpParserEvidenceLimit, NulBytesAreRefusedAfterFourMebibytes) {
  expect_refused_within_the_limit(std::string(5 * kMiB, '\0'));
}

TEST(DumpParserEvidenceLimit, RandomBytesAreRefusedAfterFourMebibytes) {
  std::string junk(5 * kMiB, '\0');
  std::uint32_t state = 0x2545F491u;  // xorshift32, fixed seed
  for (char& c : junk) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    c = static_cast<char>(state & 0xFFu);
  }
  expect_refused_within_the_limit(junk);
}

TEST(DumpParserEvidenceLimit, Utf16InputIsMeasuredInRawBytes) {
  // 5 MiB raw is 2.5 MiB of text: still refused after 4 MiB fed.
  std::string junk = "\xFF\xFE";
  while (junk.size() < 5 * kMiB) junk += std::string("n\0o\0t\0e\0s\0\n\0", 12);
  expect_refused_within_the_limit(junk);
}

TEST(DumpParserEvidenceLimit, RealDumpIsParsedAsBeforeAndNotDoneUntilFinish) {
  const std::string text = read_fixture("07-dc-my-missing-keyset-archived-nonverbose.txt");
  std::vector<DumpCertificate> certs;
  StoreDumpParser parser([&certs](DumpCertificate&& c) { certs.push_back(std::move(c)); }, "x");
  for (std::size_t at = 0; at < text.size(); at += 97) {
    parser.feed(std::string_view(text).substr(at, 97));
    EXPECT_FALSE(parser.done()) << "after " << at + 97 << " bytes";
  }
  auto summary = parser.finish();
  EXPECT_TRUE(parser.done());
  ASSERT_TRUE(summary.ok()) << summary.error().to_string();
  const Parsed whole = parse_ok(text, "x");
  EXPECT_EQ(certs, whole.first);
  EXPECT_EQ(*summary, whole.second);
  EXPECT_EQ(certs.size(), 3u);
}

TEST(DumpParserEvidenceLimit, DumpAfterThreeMebibytesOfBlankLinesStillParses) {
  const std::string dump = read_fixture("07-dc-my-missing-keyset-archived-nonverbose.txt");
  const std::string text = std::string(3 * kMiB, '\n') + dump;
  std::vector<DumpCertificate> certs;
  StoreDumpParser parser([&certs](DumpCertificate&& c) { certs.push_back(std::move(c)); }, "x");
  for (std::size_t at = 0; at < text.size(); at += kChunk) {
    parser.feed(std::string_view(text).substr(at, kChunk));
    EXPECT_FALSE(parser.done()) << "after " << at + kChunk << " bytes";
  }
  auto summary = parser.finish();
  ASSERT_TRUE(summary.ok()) << summary.error().to_string();
  const Parsed plain = parse_ok(dump, "x");
  ASSERT_EQ(certs.size(), plain.first.size());
  for (std::size_t i = 0; i < certs.size(); ++i) {
    EXPECT_EQ(certs[i].serial, plain.first[i].serial);
    EXPECT_EQ(certs[i].key_provider, plain.first[i].key_provider);
    EXPECT_EQ(certs[i].first_line, plain.first[i].first_line + 3 * kMiB);
  }
}

TEST(DumpFormat, SeparatorAndCompletionLinesHaveTheRealShape) {
  EXPECT_EQ(dump_format::separator_line(43), "================ Certificate 43 ================");
  EXPECT_EQ(dump_format::completion_line("repairstore"),
            "CertUtil: -repairstore command completed successfully.");
}

}  // namespace
}  // namespace certbed::repair

namespace certbed::repair {
namespace {

// Found by fuzz_dump_round_trip: values that end like a key test status line stay values.
TEST(DumpParserValues, ValuesEndingLikeStatusLinesStayValues) {
  const std::string dump =
      "my \"Personal\"\n"
      "================ Certificate 0 ================\n"
      "Serial Number: 0a01\n"
      "Issuer: CN=Smoke test passed\n"
      " NotBefore: 1/1/2025 12:00 AM\n"
      " NotAfter: 1/1/2026 12:00 AM\n"
      "Subject: CN=Smoke test passed\n"
      "Non-root Certificate\n"
      "Cert Hash(sha1): 0102030405060708090a0b0c0d0e0f1011121314\n"
      "  Key Container = Contoso: KeySpec=2\n"
      "  Provider = Load test FAILED\n"
      "Signature test passed\n"
      "CertUtil: -store command completed successfully.\n";
  auto parsed = parse_store_dump(dump, "values.txt");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed->first.size(), 1u);
  const auto& c = parsed->first[0];
  EXPECT_EQ(c.subject, "CN=Smoke test passed");
  EXPECT_EQ(c.issuer, "CN=Smoke test passed");
  ASSERT_TRUE(c.key_provider.has_value());
  EXPECT_EQ(c.key_provider->container, "Contoso: KeySpec=2");
  EXPECT_EQ(c.key_provider->provider, "Load test FAILED");
  EXPECT_EQ(c.key_status, std::vector<std::string>{"Signature test passed"});
}

}  // namespace
}  // namespace certbed::repair
