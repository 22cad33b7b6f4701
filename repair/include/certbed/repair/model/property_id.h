// Certificate context property ids (CERT_*_PROP_ID) and the names certutil prints for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certbed::repair {

// Any 32-bit value is representable (unknown ids are kept by number); the enumerators name the
// ids certbed reasons about.
enum class PropertyId : std::uint32_t {
  CERT_KEY_PROV_INFO_PROP_ID = 2,
  CERT_SHA1_HASH_PROP_ID = 3,
  CERT_MD5_HASH_PROP_ID = 4,
  CERT_KEY_SPEC_PROP_ID = 6,
  CERT_ENHKEY_USAGE_PROP_ID = 9,
  CERT_FRIENDLY_NAME_PROP_ID = 11,
  CERT_DESCRIPTION_PROP_ID = 13,
  CERT_ACCESS_STATE_PROP_ID = 14,
  CERT_SIGNATURE_HASH_PROP_ID = 15,
  CERT_ARCHIVED_PROP_ID = 19,
  CERT_KEY_IDENTIFIER_PROP_ID = 20,
  CERT_AUTO_ENROLL_PROP_ID = 21,
  CERT_SUBJECT_PUBLIC_KEY_MD5_HASH_PROP_ID = 25,
  CERT_ENROLLMENT_PROP_ID = 26,
  CERT_SUBJECT_NAME_MD5_HASH_PROP_ID = 29,
  CERT_REQUEST_ORIGINATOR_PROP_ID = 71,
  CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID = 92,
  CERT_SHA256_HASH_PROP_ID = 107,
};

constexpr std::uint32_t to_number(PropertyId id) { return static_cast<std::uint32_t>(id); }

// "CERT_KEY_PROV_INFO_PROP_ID" for 2; nullopt for ids certutil has no name for.
std::optional<std::string_view> property_name(PropertyId id);

// The header certutil prints: "CERT_KEY_PROV_INFO_PROP_ID(2)" or "Unknown Property(200)".
std::string property_label(PropertyId id);

// Inverse of property_name (exact, case-sensitive match of Windows' symbol).
std::optional<PropertyId> property_id_from_name(std::string_view name);

// Ids that may be stored as properties: 1..0xFFFF except the serialized-element ids 32..35.
bool is_settable_property_id(std::uint32_t id);

// Properties Windows computes from the certificate's encoding (hashes, key identifier).
bool is_derived_property(PropertyId id);

}  // namespace certbed::repair
