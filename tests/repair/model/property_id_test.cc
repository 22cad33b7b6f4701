#include "certbed/repair/model/property_id.h"

#include <gtest/gtest.h>

namespace certbed::repair {
namespace {

TEST(PropertyId, NamesMatchWhatCertutilPrints) {
  EXPECT_EQ(property_name(PropertyId::CERT_KEY_PROV_INFO_PROP_ID), "CERT_KEY_PROV_INFO_PROP_ID");
  EXPECT_EQ(property_label(PropertyId::CERT_KEY_PROV_INFO_PROP_ID),
            "CERT_KEY_PROV_INFO_PROP_ID(2)");
  EXPECT_EQ(property_label(PropertyId::CERT_REQUEST_ORIGINATOR_PROP_ID),
            "CERT_REQUEST_ORIGINATOR_PROP_ID(71)");
  EXPECT_EQ(property_label(static_cast<PropertyId>(107)), "CERT_SHA256_HASH_PROP_ID(107)");
  EXPECT_EQ(property_label(static_cast<PropertyId>(128)),
            "CERT_DISALLOWED_CA_FILETIME_PROP_ID(128)");
}

TEST(PropertyId, UnknownIdsPrintAsUnknownProperty) {
  EXPECT_FALSE(property_name(static_cast<PropertyId>(200)).has_value());
  EXPECT_EQ(property_label(static_cast<PropertyId>(200)), "Unknown Property(200)");
  EXPECT_EQ(property_label(static_cast<PropertyId>(40)), "Unknown Property(40)");
}

TEST(PropertyId, NameLookupIsTheInverse) {
  for (std::uint32_t id = 1; id <= 128; ++id) {
    auto name = property_name(static_cast<PropertyId>(id));
    if (!name) continue;
    EXPECT_EQ(property_id_from_name(*name), static_cast<PropertyId>(id)) << *name;
  }
  EXPECT_FALSE(property_id_from_name("CERT_NOT_A_PROP_ID").has_value());
  EXPECT_FALSE(property_id_from_name("").has_value());
}

TEST(PropertyId, ElementIdsAndOutOfRangeIdsAreNotSettable) {
  EXPECT_TRUE(is_settable_property_id(2));
  EXPECT_TRUE(is_settable_property_id(0xFFFF));
  EXPECT_FALSE(is_settable_property_id(0));
  EXPECT_FALSE(is_settable_property_id(32));  // the certificate element itself
  EXPECT_FALSE(is_settable_property_id(35));
  EXPECT_FALSE(is_settable_property_id(0x10000));
}

}  // namespace
}  // namespace certbed::repair
