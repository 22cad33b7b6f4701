#include "certbed/repair/model/key_prov_info.h"

#include <gtest/gtest.h>

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

namespace wc = wincrypt;

KeyProvInfo seed_info(std::uint32_t key_spec) {
  return KeyProvInfo{"Contoso CA",     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                     wc::PROV_CNG_KSP, wc::CRYPT_MACHINE_KEYSET,
                     key_spec,         {}};
}

std::uint32_t u32_at(const Bytes& b, std::size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

// The layout Wine 8 wrote byte for byte for the seed state (reference/property-model.md 3.4):
// value length 0x82, container at 0x1c, provider at 0x32.
TEST(KeyProvInfoEncoding, SeedValueHasTheLayoutWindowsWrites) {
  auto bytes = encode_key_prov_info(seed_info(wc::AT_SIGNATURE));
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 0x82u);
  EXPECT_EQ(u32_at(*bytes, 0), 0x1cu);
  EXPECT_EQ(u32_at(*bytes, 4), 0x32u);
  EXPECT_EQ(u32_at(*bytes, 8), 0u);
  EXPECT_EQ(u32_at(*bytes, 12), 0x20u);
  EXPECT_EQ(u32_at(*bytes, 16), 0u);
  EXPECT_EQ(u32_at(*bytes, 20), 0u);
  EXPECT_EQ(u32_at(*bytes, 24), 2u);
  EXPECT_EQ((*bytes)[0x1c], 'C');
  EXPECT_EQ((*bytes)[0x1d], 0);
  EXPECT_EQ((*bytes)[0x32], 'M');
}

TEST(KeyProvInfoEncoding, KeySpecZeroChangesOnlyTheKeySpecDword) {
  auto two = encode_key_prov_info(seed_info(wc::AT_SIGNATURE));
  auto zero = encode_key_prov_info(seed_info(wc::AT_NONE));
  ASSERT_TRUE(two.ok() && zero.ok());
  ASSERT_EQ(two->size(), zero->size());
  for (std::size_t i = 0; i < two->size(); ++i) {
    if (i == 24) {
      EXPECT_EQ((*two)[i], 2);
      EXPECT_EQ((*zero)[i], 0);
    } else {
      EXPECT_EQ((*two)[i], (*zero)[i]) << "byte " << i;
    }
  }
}

TEST(KeyProvInfoEncoding, RoundTripsUnicodeNamesAndParameters) {
  KeyProvInfo info{"te-\xC3\xA9l\xC3\xA8ve & \"quoted\" \xF0\x9F\x94\x91",
                   "Fabrikam HSM KSP",
                   0,
                   wc::CRYPT_MACHINE_KEYSET | wc::CRYPT_SILENT,
                   0,
                   {KeyProvParam{5, Bytes{1, 2, 3}, 0}, KeyProvParam{9, {}, 7}}};
  auto bytes = encode_key_prov_info(info);
  ASSERT_TRUE(bytes.ok());
  auto decoded = decode_key_prov_info(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, info);
}

TEST(KeyProvInfoDecoding, RejectsShortValues) {
  auto r = decode_key_prov_info(Bytes(27, 0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_NE(r.error().message.find("28 bytes"), std::string::npos);
}

TEST(KeyProvInfoDecoding, RejectsOffsetsOutsideTheValue) {
  auto bytes = encode_key_prov_info(seed_info(2)).value();
  bytes[0] = 0xF0;  // container offset past the end
  auto r = decode_key_prov_info(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("container name offset"), std::string::npos);
}

TEST(KeyProvInfoDecoding, RejectsUnterminatedStrings) {
  auto bytes = encode_key_prov_info(seed_info(2)).value();
  bytes.resize(bytes.size() - 2);  // drop the provider's NUL
  auto r = decode_key_prov_info(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("NUL-terminated"), std::string::npos);
}

TEST(KeyProvInfoDecoding, RejectsHugeParameterCountsWithoutAllocating) {
  auto bytes = encode_key_prov_info(seed_info(2)).value();
  bytes[16] = 0xFF, bytes[17] = 0xFF, bytes[18] = 0xFF, bytes[19] = 0x7F;  // cProvParam
  bytes[20] = 28;                                                          // rgProvParam
  auto r = decode_key_prov_info(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not fit"), std::string::npos);
}

TEST(KeyProvInfo, NullNamesDecodeAsEmpty) {
  KeyProvInfo info;
  info.key_spec = 1;
  auto bytes = encode_key_prov_info(info).value();
  EXPECT_EQ(bytes.size(), 28u);
  auto decoded = decode_key_prov_info(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, info);
  EXPECT_FALSE(decoded->is_ksp() && decoded->key_spec == 0);
}

TEST(KeyProvInfo, ToStringNamesTheKeySpec) {
  const auto text = seed_info(2).to_string();
  EXPECT_NE(text.find("key_spec=2 (AT_SIGNATURE)"), std::string::npos) << text;
  EXPECT_NE(text.find("flags=0x00000020"), std::string::npos) << text;
}

}  // namespace
}  // namespace certbed::repair
