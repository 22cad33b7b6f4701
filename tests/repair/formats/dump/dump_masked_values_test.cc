// Tests for values documentation masks ("aaaabbbb", "xxxx-xxxx", "<serial>", "..."): each gives
// a located warning and keeps its record out of INFs and scripts, while real values, and every
// published dump that is neither masked nor joined, give no such warning.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "support/files.h"

namespace certbed::repair {
namespace {

namespace fs = std::filesystem;

using Parsed = std::pair<std::vector<DumpCertificate>, DumpSummary>;

Parsed parse_ok(std::string_view text, const std::string& name = "masked.txt") {
  auto result = parse_store_dump(text, name);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().to_string());
  if (!result.ok()) return {};
  return std::move(*result);
}

bool has_warning_at(const DumpSummary& s, std::size_t line, std::string_view text) {
  for (const auto& w : s.warnings) {
    if (w.line == line && w.message.find(text) != std::string::npos) return true;
  }
  return false;
}

// A non-verbose record with `serial`, `sha1`, `container` and `unique` as printed.
std::string record(std::string_view serial, std::string_view sha1, std::string_view container,
                   std::string_view unique) {
  return "================ Certificate 0 ================\n"
         "Serial Number: " +
         std::string(serial) +
         "\n"
         "Issuer: CN=Contoso CA, DC=Contoso, DC=com\n"
         " NotBefore: 1/1/2025 12:00 AM\n"
         " NotAfter: 1/1/2030 12:00 AM\n"
         "Subject: CN=Contoso CA, DC=Contoso, DC=com\n"
         "Cert Hash(sha1): " +
         std::string(sha1) +
         "\n"
         "  Key Container = " +
         std::string(container) +
         "\n"
         "  Unique container name: " +
         std::string(unique) +
         "\n"
         "  Provider = Microsoft Software Key Storage Provider\n"
         "Signature test passed\n"
         "CertUtil: -store command completed successfully.\n";
}

constexpr std::string_view kSerial = "1f3a5c7e9b2d4f6081a3c5e7092b4d6f";
constexpr std::string_view kSha1 = "5fb91336bddb21d9610a7045f4521fd52f0645fd";
constexpr std::string_view kUnique =
    "b59b1bf4e1f3c52cb1e6f3b9d0b8c3a1_6e4d3030-8aae-40f0-9282-d69ccdd4ff34";

TEST(DumpMaskedValues, SeedArticleMaskedThumbprintAndContainerAreWarnedAndNotScripted) {
  auto [certs, summary] =
      parse_ok(testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                              "/fixtures/dumps/real/09-ca-ksp-keyspec2-verbose-elided.txt"),
               "09.txt");
  ASSERT_EQ(certs.size(), 1u);
  const DumpCertificate& c = certs[0];
  EXPECT_TRUE(has_warning_at(summary, 26,
                             "the Cert Hash(sha1) value '35599aaaabbbb0438686dd79915e943895d1e276' "
                             "looks masked ('aaaabbbb')"));
  EXPECT_TRUE(has_warning_at(summary, 32, "the Unique container name value '944d5680aaaabbbb"));
  EXPECT_TRUE(has_warning_at(summary, 32, "no script will name certificate 3 by it"));
  // The values stay as printed; the record's ids are marked so that no script names it by them,
  // while its Key Container (not masked) may still go into an INF.
  EXPECT_EQ(c.sha1, "35599aaaabbbb0438686dd79915e943895d1e276");
  EXPECT_TRUE(c.elided);
  // Only ids a script could use are looked at: the thumbprint and the unique name, not the
  // name, MD5 and SHA-256 hashes the article masks as well.
  ASSERT_EQ(c.masked.size(), 2u);
  EXPECT_EQ(c.masked[0].line, 26u);
  EXPECT_EQ(c.unfaithful_lines, 0u);
  EXPECT_FALSE(has_warning_at(summary, 25, "looks masked"));
  const CertFacts facts = c.to_cert_facts();
  EXPECT_TRUE(facts.unfaithful_text.empty());
  ASSERT_EQ(facts.masked_ids.size(), 2u);
  EXPECT_NE(facts.masked_ids[0].find("line 26: the Cert Hash(sha1) value looks masked"),
            std::string::npos)
      << facts.masked_ids[0];
}

TEST(DumpMaskedValues, MaskedSerialsAreWarnedAsMasksNotAsBadHex) {
  for (std::string_view serial :
       {"xxxx-xxxx", "<serial>", "...", "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "1f3a5c7eaaaabbbb6081a3c5e7092b4d6f"}) {
    SCOPED_TRACE(serial);
    auto [certs, summary] = parse_ok(record(serial, kSha1, "Contoso CA", kUnique));
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_TRUE(has_warning_at(summary, 2, "the Serial Number value"));
    EXPECT_TRUE(has_warning_at(summary, 2, "looks masked"));
    EXPECT_FALSE(has_warning_at(summary, 2, "expected a hex serial number"));
    EXPECT_EQ(certs[0].masked.size(), 1u);
    EXPECT_EQ(certs[0].unfaithful_lines, 0u);
    EXPECT_TRUE(certs[0].elided);
    EXPECT_TRUE(summary.elided);
  }
}

TEST(DumpMaskedValues, MaskedThumbprintsAndContainerNamesAreWarnedWhereTheyArePrinted) {
  struct Case {
    std::string_view sha1, container, unique;
    std::size_t line;
    std::string_view mask;
  };
  for (const Case& k : std::vector<Case>{
           {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "Contoso CA", kUnique, 7, "a run of 'x'"},
           {"0000000000000000000000000000000000000000", "Contoso CA", kUnique, 7,
            "a run of 40 '0'"},
           {"5f b9 13 36 bd db 21 d9 61 0a 70 45 f4 52 1f d5 2f 06 45 ...", "Contoso CA", kUnique,
            7, "an elision"},
           {kSha1, "te-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", kUnique, 8, "a run of 'x'"},
           {kSha1, "<container name>", kUnique, 8, "a placeholder"},
           {kSha1, "Contoso CA",
            "944d5680aaaabbbb95b1cb4f50ba2b71_6e4d3030-8aae-40f0-9282-d69ccdd4ff34", 9,
            "'aaaabbbb'"},
           {kSha1, "Contoso CA",
            "944d5680xxxxxxxx95b1cb4f50ba2b71_6e4d3030-8aae-40f0-9282-d69ccdd4ff34", 9,
            "a run of 'x'"},
       }) {
    SCOPED_TRACE(std::string(k.sha1) + " / " + std::string(k.container) + " / " +
                 std::string(k.unique));
    auto [certs, summary] = parse_ok(record(kSerial, k.sha1, k.container, k.unique));
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_TRUE(has_warning_at(summary, k.line, "looks masked (" + std::string(k.mask) + ")"))
        << (summary.warnings.empty() ? "no warning" : summary.warnings.front().to_string());
    EXPECT_EQ(summary.warnings.size(), 1u);
    // A masked Key Container would put a wrong name into an INF: the record is unfaithful. A
    // masked id only keeps scripts from naming the certificate by it.
    const bool name_in_inf = k.line == 8;
    const auto& marked = name_in_inf ? certs[0].unfaithful : certs[0].masked;
    ASSERT_EQ(marked.size(), 1u);
    EXPECT_EQ(marked[0].line, k.line);
    EXPECT_EQ((name_in_inf ? certs[0].masked : certs[0].unfaithful).size(), 0u);
  }
}

TEST(DumpMaskedValues, RealValuesThatRepeatDigitsOrHoldXAreNotMasks) {
  // AD CS serials hold runs of zeros; four equal digits occur in real hashes; 'x' inside a word
  // is a name; a 15-digit run in a hash is rare but not impossible for a real one.
  for (const auto& [serial, sha1, container] : std::vector<std::array<std::string_view, 3>>{
           {"72000000047f7f7a9d41851b4e000000000004", kSha1, "Exxxon CA"},
           {"21000000044a30cdeaaaae7b08000000000004", "db314da0d0ef87d42b42f74b9c38a1f9173ef7a2",
            "te-User-c7bcc4bd-0498-4411-af44-da2257f54387"},
           {"0a01", "00000000000000012345678901234567890abcde",
            "{8F6C0B1E-5A7D-4C2B-9E3F-1A2B3C4D5E6F}"},
           {"ffff", "7f d8 5c 00 27 bf 37 74 3d 71 5b 54 4e c0 94 20 45 75 bc 65", "Maxx Box"},
       }) {
    SCOPED_TRACE(std::string(serial) + " / " + std::string(sha1) + " / " + std::string(container));
    auto [certs, summary] = parse_ok(record(serial, sha1, container, kUnique));
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_TRUE(summary.warnings.empty()) << summary.warnings.front().to_string();
    EXPECT_TRUE(certs[0].unfaithful.empty());
    EXPECT_FALSE(certs[0].elided);
  }
}

TEST(DumpMaskedValues, PublishedDumpsThatAreNeitherMaskedNorJoinedGiveNoSuchWarning) {
  // The seed article's dump (09) masks its hashes and dump 13 is a reflowed paragraph; no other
  // published or emulated dump may give a mask or join warning.
  const fs::path root = fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "dumps";
  std::size_t checked = 0;
  for (const char* folder : {"real", "emulated"}) {
    for (const auto& entry : fs::directory_iterator(root / folder)) {
      const std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".txt" || name.starts_with("09-") ||
          name.starts_with("13-")) {
        continue;
      }
      SCOPED_TRACE(name);
      ++checked;
      auto [certs, summary] = parse_ok(testing::slurp(entry.path()), name);
      for (const auto& w : summary.warnings) {
        for (std::string_view damage : {"looks masked", "runs into", "paragraph"}) {
          EXPECT_EQ(w.message.find(damage), std::string::npos) << w.to_string();
        }
      }
      for (const auto& c : certs) {
        for (const auto& u : c.unfaithful) {
          EXPECT_EQ(u.reason.find("masked"), std::string::npos) << u.reason;
        }
      }
    }
  }
  EXPECT_GE(checked, 18u);
}

}  // namespace
}  // namespace certbed::repair
