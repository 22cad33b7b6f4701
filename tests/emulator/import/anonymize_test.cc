// Anonymization keeps what a repair depends on: quoting characters, non-ASCII, GUID and
// <hash>_<GUID> shapes, one replacement per original (a CA's key container stays named after
// the CA), positive serials, provider names and Microsoft's templates.
#include "certbed/emulator/import/anonymize.h"

#include <gtest/gtest.h>

#include <cctype>

namespace certbed::emulator {
namespace {

bool same_shape(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (std::isupper(x) != 0 && std::isupper(y) == 0) return false;
    if (std::islower(x) != 0 && std::islower(y) == 0) return false;
    if (std::isdigit(x) != 0 && std::isdigit(y) == 0) return false;
    if (std::isalnum(x) == 0 && x != y) return false;
  }
  return true;
}

TEST(Anonymizer, ANameKeepsItsQuotingCharactersAndCaseShape) {
  Anonymizer a;
  const std::string original = "R&D \"Lab\" 100% ^up 'x'";
  const std::string replaced = a.name(original);
  EXPECT_NE(replaced, original);
  EXPECT_TRUE(same_shape(original, replaced)) << replaced;
  EXPECT_EQ(a.name(original), replaced);  // consistent
  EXPECT_NE(a.name("R&D \"Lab\" 100% ^up 'y'"), replaced);
}

TEST(Anonymizer, NonAsciiStaysNonAscii) {
  Anonymizer a;
  const std::string replaced = a.name("M\xC3\xBCller");  // Müller
  EXPECT_EQ(replaced.find("\xC3\xBC"), std::string::npos);
  EXPECT_NE(replaced.find("\xC3\xA9"), std::string::npos) << replaced;
}

TEST(Anonymizer, UniqueContainerNamesKeepTheHashGuidShapeAndOneMachineGuid) {
  Anonymizer a;
  const std::string one = "3d40ebea7d109ee93b238b96721f0e6d_4be58f30-7127-42f5-9b76-f47187495247";
  const std::string two = "46f11b4056ad38609b08d1dea6880023_4be58f30-7127-42f5-9b76-f47187495247";
  const std::string r1 = a.container(one);
  const std::string r2 = a.container(two);
  ASSERT_EQ(r1.size(), one.size());
  EXPECT_EQ(r1[32], '_');
  EXPECT_NE(r1.substr(0, 32), one.substr(0, 32));
  EXPECT_NE(r1.substr(33), one.substr(33));
  EXPECT_EQ(r1.substr(33), r2.substr(33));  // the same machine GUID
  const std::string braced = a.container("{EA75381E-6D9B-4BDC-B6C7-5144C96507DD}");
  EXPECT_EQ(braced.front(), '{');
  EXPECT_EQ(braced.back(), '}');
  EXPECT_EQ(braced.size(), 38u);
  EXPECT_EQ(braced[9], '-');
  EXPECT_NE(braced, "{EA75381E-6D9B-4BDC-B6C7-5144C96507DD}");
  for (std::size_t i = 1; i + 1 < braced.size(); ++i) {
    if (i == 9 || i == 14 || i == 19 || i == 24) continue;
    EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(braced[i])) != 0 &&
                std::islower(static_cast<unsigned char>(braced[i])) == 0)
        << braced;  // upper-case hex, as the original
  }
}

TEST(Anonymizer, APlainContainerNamedAfterTheCaGetsTheCasReplacement) {
  Anonymizer a;
  EXPECT_EQ(a.container("Contoso CA"), a.name("Contoso CA"));
}

TEST(Anonymizer, SerialsStayPositiveDerIntegersOfTheSameLength) {
  Anonymizer a;
  const std::string plain = a.serial("7fe0000000000000000000000001");
  EXPECT_EQ(plain.size(), 28u);
  EXPECT_GE(plain[0], '1');
  EXPECT_LE(plain[0], '7');
  const std::string padded = a.serial("00ff12");
  EXPECT_EQ(padded.substr(0, 2), "00");
  EXPECT_GE(padded[2], '8');
}

TEST(Anonymizer, RecordsKeepProvidersAndBuiltinTemplatesAndLoseHashes) {
  repair::DumpCertificate r;
  r.subject = "CN=Contoso CA, DC=Contoso, DC=com";
  r.issuer = r.subject;
  r.serial = "1a2b3c";
  r.sha1 = "ff2771bd5bd1f7086ab96fb9532b594ed8619c3b";
  r.template_name = "SubCA";
  r.key_provider = repair::DumpKeyProvider{};
  r.key_provider->container = "Contoso CA";
  r.key_provider->provider = "Microsoft Software Key Storage Provider";
  repair::DumpCertificate custom = r;
  custom.template_name = "ContosoWebServer";
  std::vector<repair::DumpCertificate> records{r, custom};
  Anonymizer a;
  a.anonymize(records);
  EXPECT_EQ(records[0].key_provider->provider, "Microsoft Software Key Storage Provider");
  EXPECT_EQ(records[0].template_name, "SubCA");
  EXPECT_NE(records[1].template_name, "ContosoWebServer");
  EXPECT_TRUE(records[0].sha1.empty());
  EXPECT_EQ(records[0].subject, records[0].issuer);
  EXPECT_EQ(records[0].subject.find("Contoso"), std::string::npos);
  // The container still bears the CA's (replaced) name.
  EXPECT_EQ(records[0].subject.substr(3, 10), *records[0].key_provider->container);
}

}  // namespace
}  // namespace certbed::emulator
