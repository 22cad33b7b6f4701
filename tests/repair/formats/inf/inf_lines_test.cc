// read_inf_lines: the lexical layer's entries as the differential test against SetupAPI sees them.
#include "certbed/repair/formats/inf/inf_lines.h"

#include <gtest/gtest.h>

namespace certbed::repair {
namespace {

TEST(InfLines, EverySectionsEntriesInFileOrderWithStringsSubstituted) {
  const auto lines = read_inf_lines(
                         "[Version]\r\nSignature = \"$Windows NT$\"\r\n[Properties]\r\n"
                         "11 = \"{text}%name%\", b ; comment\r\nloneword\r\n"
                         "[Strings]\r\nname = \"Contoso %x%\"\r\n",
                         "t.inf")
                         .value();
  EXPECT_EQ(lines.encoding, "utf-8");
  ASSERT_EQ(lines.entries.size(), 4u);
  EXPECT_EQ(lines.entries[0], (InfEntry{"version", "Signature", "$Windows NT$", 2}));
  EXPECT_EQ(lines.entries[1], (InfEntry{"properties", "11", "{text}Contoso %x%,b", 4}));
  EXPECT_EQ(lines.entries[2], (InfEntry{"properties", std::nullopt, "loneword", 5}));
  // [Strings] values themselves are not substituted.
  EXPECT_EQ(lines.entries[3], (InfEntry{"strings", "name", "Contoso %x%", 7}));
  EXPECT_TRUE(lines.warnings.empty());
}

TEST(InfLines, WarnsAndErrsAsThePropertyParserDoes) {
  const auto warned = read_inf_lines("[Properties]\r\n11 = \"{text}a\" // note\r\n").value();
  ASSERT_EQ(warned.warnings.size(), 1u);
  EXPECT_EQ(warned.warnings[0].line, 2u);
  EXPECT_EQ(warned.entries.at(0).value, "{text}a");
  const auto refused = read_inf_lines("[Properties]\r\n11 = \"{text}a\r\n", "u.inf");
  ASSERT_FALSE(refused.ok());
  ASSERT_TRUE(refused.error().location.has_value());
  EXPECT_EQ(refused.error().location->line, 2u);
}

TEST(InfLines, DecodesUtf16WithBom) {
  const std::u16string text = u"\uFEFF[Properties]\r\n11 = {text}M\u00fcller\r\n";
  const std::string bytes(reinterpret_cast<const char*>(text.data()), text.size() * 2);
  const auto lines = read_inf_lines(bytes).value();
  EXPECT_EQ(lines.encoding, "utf-16le");
  EXPECT_EQ(lines.entries.at(0).value, "{text}M\xc3\xbcller");
}

}  // namespace
}  // namespace certbed::repair
