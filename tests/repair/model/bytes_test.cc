#include "certbed/repair/model/bytes.h"

#include <gtest/gtest.h>

namespace certbed::repair {
namespace {

TEST(Hex, EncodesLowerCaseWithoutSeparators) {
  EXPECT_EQ(to_hex(Bytes{0x00, 0x1b, 0xff, 0xA0}), "001bffa0");
  EXPECT_EQ(to_hex(Bytes{}), "");
}

TEST(Hex, ParsesAnyCaseAndIgnoresSpaces) {
  auto bytes = parse_hex("ea c7 7D 7e\t00");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, (Bytes{0xea, 0xc7, 0x7d, 0x7e, 0x00}));
}

TEST(Hex, RejectsOddDigitCountsAndNonHex) {
  EXPECT_FALSE(parse_hex("abc").has_value());
  EXPECT_FALSE(parse_hex("zz").has_value());
  EXPECT_FALSE(parse_hex("0x20").has_value());
}

TEST(Hex, NormalizeKeepsCertutilIdentifiersComparable) {
  EXPECT_EQ(normalize_hex("21 00 00 00 04 4A"), "21000000044a");
  EXPECT_FALSE(normalize_hex("Contoso").has_value());
}

TEST(Utf16, RoundTripsAsciiAccentsAndAstralCharacters) {
  const std::string text = "Contoso CA \xC3\xA9\xE2\x82\xAC \xF0\x9F\x94\x91";  // é € 🔑
  auto wide = utf8_to_utf16le(text);
  ASSERT_TRUE(wide.has_value());
  // "C" is 43 00; the key emoji is a surrogate pair 3d d8 11 dd.
  EXPECT_EQ((*wide)[0], 0x43);
  EXPECT_EQ((*wide)[1], 0x00);
  EXPECT_EQ(wide->size(), 2u * 16u);
  EXPECT_EQ((*wide)[wide->size() - 4], 0x3d);
  EXPECT_EQ((*wide)[wide->size() - 3], 0xd8);
  auto back = utf16le_to_utf8(*wide);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, text);
}

TEST(Utf16, RejectsMalformedInput) {
  EXPECT_FALSE(utf8_to_utf16le("\xC3").has_value());             // truncated sequence
  EXPECT_FALSE(utf8_to_utf16le("\xC0\xAF").has_value());         // overlong
  EXPECT_FALSE(utf8_to_utf16le("\xED\xA0\x80").has_value());     // encoded surrogate
  EXPECT_FALSE(utf16le_to_utf8(Bytes{0x41}).has_value());        // odd length
  EXPECT_FALSE(utf16le_to_utf8(Bytes{0x00, 0xdc}).has_value());  // lone low surrogate
  EXPECT_FALSE(utf16le_to_utf8(Bytes{0x3d, 0xd8}).has_value());  // high surrogate at end
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

}  // namespace
}  // namespace certbed::repair
