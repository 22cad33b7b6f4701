// Property ids with the names certutil prints for them.
#include "certbed/repair/model/property_id.h"

#include <array>

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

// Names from the Windows SDK wincrypt.h (ids 1..128); empty where the SDK has none.
constexpr std::array<std::string_view, 129> kNames = {
    "",
    "CERT_KEY_PROV_HANDLE_PROP_ID",
    "CERT_KEY_PROV_INFO_PROP_ID",
    "CERT_SHA1_HASH_PROP_ID",
    "CERT_MD5_HASH_PROP_ID",
    "CERT_KEY_CONTEXT_PROP_ID",
    "CERT_KEY_SPEC_PROP_ID",
    "CERT_IE30_RESERVED_PROP_ID",
    "CERT_PUBKEY_HASH_RESERVED_PROP_ID",
    "CERT_ENHKEY_USAGE_PROP_ID",
    "CERT_NEXT_UPDATE_LOCATION_PROP_ID",
    "CERT_FRIENDLY_NAME_PROP_ID",
    "CERT_PVK_FILE_PROP_ID",
    "CERT_DESCRIPTION_PROP_ID",
    "CERT_ACCESS_STATE_PROP_ID",
    "CERT_SIGNATURE_HASH_PROP_ID",
    "CERT_SMART_CARD_DATA_PROP_ID",
    "CERT_EFS_PROP_ID",
    "CERT_FORTEZZA_DATA_PROP_ID",
    "CERT_ARCHIVED_PROP_ID",
    "CERT_KEY_IDENTIFIER_PROP_ID",
    "CERT_AUTO_ENROLL_PROP_ID",
    "CERT_PUBKEY_ALG_PARA_PROP_ID",
    "CERT_CROSS_CERT_DIST_POINTS_PROP_ID",
    "CERT_ISSUER_PUBLIC_KEY_MD5_HASH_PROP_ID",
    "CERT_SUBJECT_PUBLIC_KEY_MD5_HASH_PROP_ID",
    "CERT_ENROLLMENT_PROP_ID",
    "CERT_DATE_STAMP_PROP_ID",
    "CERT_ISSUER_SERIAL_NUMBER_MD5_HASH_PROP_ID",
    "CERT_SUBJECT_NAME_MD5_HASH_PROP_ID",
    "CERT_EXTENDED_ERROR_INFO_PROP_ID",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",  // 36..45 reserved element ids
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",  // 46..55
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",  // 56..63
    "CERT_RENEWAL_PROP_ID",
    "CERT_ARCHIVED_KEY_HASH_PROP_ID",
    "CERT_AUTO_ENROLL_RETRY_PROP_ID",
    "CERT_AIA_URL_RETRIEVED_PROP_ID",
    "CERT_AUTHORITY_INFO_ACCESS_PROP_ID",
    "CERT_BACKED_UP_PROP_ID",
    "CERT_OCSP_RESPONSE_PROP_ID",
    "CERT_REQUEST_ORIGINATOR_PROP_ID",
    "CERT_SOURCE_LOCATION_PROP_ID",
    "CERT_SOURCE_URL_PROP_ID",
    "CERT_NEW_KEY_PROP_ID",
    "CERT_OCSP_CACHE_PREFIX_PROP_ID",
    "CERT_SMART_CARD_ROOT_INFO_PROP_ID",
    "CERT_NO_AUTO_EXPIRE_CHECK_PROP_ID",
    "CERT_NCRYPT_KEY_HANDLE_PROP_ID",
    "CERT_HCRYPTPROV_OR_NCRYPT_KEY_HANDLE_PROP_ID",
    "CERT_SUBJECT_INFO_ACCESS_PROP_ID",
    "CERT_CA_OCSP_AUTHORITY_INFO_ACCESS_PROP_ID",
    "CERT_CA_DISABLE_CRL_PROP_ID",
    "CERT_ROOT_PROGRAM_CERT_POLICIES_PROP_ID",
    "CERT_ROOT_PROGRAM_NAME_CONSTRAINTS_PROP_ID",
    "CERT_SUBJECT_OCSP_AUTHORITY_INFO_ACCESS_PROP_ID",
    "CERT_SUBJECT_DISABLE_CRL_PROP_ID",
    "CERT_CEP_PROP_ID",
    "",
    "CERT_SIGN_HASH_CNG_ALG_PROP_ID",
    "CERT_SCARD_PIN_ID_PROP_ID",
    "CERT_SCARD_PIN_INFO_PROP_ID",
    "CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID",
    "CERT_PUB_KEY_CNG_ALG_BIT_LENGTH_PROP_ID",
    "CERT_ISSUER_PUB_KEY_BIT_LENGTH_PROP_ID",
    "CERT_ISSUER_CHAIN_SIGN_HASH_CNG_ALG_PROP_ID",
    "CERT_ISSUER_CHAIN_PUB_KEY_CNG_ALG_BIT_LENGTH_PROP_ID",
    "CERT_NO_EXPIRE_NOTIFICATION_PROP_ID",
    "CERT_AUTH_ROOT_SHA256_HASH_PROP_ID",
    "CERT_NCRYPT_KEY_HANDLE_TRANSFER_PROP_ID",
    "CERT_HCRYPTPROV_TRANSFER_PROP_ID",
    "CERT_SMART_CARD_READER_PROP_ID",
    "CERT_SEND_AS_TRUSTED_ISSUER_PROP_ID",
    "CERT_KEY_REPAIR_ATTEMPTED_PROP_ID",
    "CERT_DISALLOWED_FILETIME_PROP_ID",
    "CERT_ROOT_PROGRAM_CHAIN_POLICIES_PROP_ID",
    "CERT_SMART_CARD_READER_NON_REMOVABLE_PROP_ID",
    "CERT_SHA256_HASH_PROP_ID",
    "CERT_SCEP_SERVER_CERTS_PROP_ID",
    "CERT_SCEP_RA_SIGNATURE_CERT_PROP_ID",
    "CERT_SCEP_RA_ENCRYPTION_CERT_PROP_ID",
    "CERT_SCEP_CA_CERT_PROP_ID",
    "CERT_SCEP_SIGNER_CERT_PROP_ID",
    "CERT_SCEP_NONCE_PROP_ID",
    "CERT_SCEP_ENCRYPT_HASH_CNG_ALG_PROP_ID",
    "CERT_SCEP_FLAGS_PROP_ID",
    "CERT_SCEP_GUID_PROP_ID",
    "CERT_SERIALIZABLE_KEY_CONTEXT_PROP_ID",
    "CERT_ISOLATED_KEY_PROP_ID",
    "CERT_SERIAL_CHAIN_PROP_ID",
    "CERT_KEY_CLASSIFICATION_PROP_ID",
    "CERT_OCSP_MUST_STAPLE_PROP_ID",
    "CERT_DISALLOWED_ENHKEY_USAGE_PROP_ID",
    "CERT_NONCOMPLIANT_ROOT_URL_PROP_ID",
    "CERT_PIN_SHA256_HASH_PROP_ID",
    "CERT_CLR_DELETE_KEY_PROP_ID",
    "CERT_NOT_BEFORE_FILETIME_PROP_ID",
    "CERT_NOT_BEFORE_ENHKEY_USAGE_PROP_ID",
    "CERT_DISALLOWED_CA_FILETIME_PROP_ID",
};

}  // namespace

std::optional<std::string_view> property_name(PropertyId id) {
  const auto n = to_number(id);
  if (n >= kNames.size() || kNames[n].empty()) return std::nullopt;
  return kNames[n];
}

std::string property_label(PropertyId id) {
  const auto n = std::to_string(to_number(id));
  if (auto name = property_name(id)) return std::string(*name) + "(" + n + ")";
  return "Unknown Property(" + n + ")";
}

std::optional<PropertyId> property_id_from_name(std::string_view name) {
  if (name.empty()) return std::nullopt;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<PropertyId>(i);
  }
  return std::nullopt;
}

bool is_settable_property_id(std::uint32_t id) {
  return id >= 1 && id <= wincrypt::CERT_LAST_USER_PROP_ID &&
         !(id >= wincrypt::CERT_CERT_PROP_ID && id <= wincrypt::CERT_KEYID_PROP_ID);
}

bool is_derived_property(PropertyId id) {
  switch (id) {
    case PropertyId::CERT_SHA1_HASH_PROP_ID:
    case PropertyId::CERT_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SIGNATURE_HASH_PROP_ID:
    case PropertyId::CERT_SHA256_HASH_PROP_ID:
      return true;
    default:
      return false;
  }
}

}  // namespace certbed::repair
