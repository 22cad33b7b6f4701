// The numeric values Windows uses (wincrypt.h, ncrypt.h), in one place, with Windows' own names.
#pragma once

#include <cstdint>
#include <string_view>

namespace certbed::repair::wincrypt {

// KeySpec (CRYPT_KEY_PROV_INFO.dwKeySpec).
inline constexpr std::uint32_t AT_NONE = 0;  // CNG key: "no concept of key specification"
inline constexpr std::uint32_t AT_KEYEXCHANGE = 1;
inline constexpr std::uint32_t AT_SIGNATURE = 2;

// CRYPT_KEY_PROV_INFO.dwFlags bits.
inline constexpr std::uint32_t CERT_SET_KEY_CONTEXT_PROP_ID_FLAG = 0x00000001;
inline constexpr std::uint32_t CRYPT_MACHINE_KEYSET = 0x00000020;  // = NCRYPT_MACHINE_KEY_FLAG
inline constexpr std::uint32_t CRYPT_SILENT = 0x00000040;          // = NCRYPT_SILENT_FLAG

// CERT_ACCESS_STATE_PROP_ID(14) bits (wincrypt.h): crypt32 computes the property from the store a
// certificate was read from.
inline constexpr std::uint32_t CERT_ACCESS_STATE_WRITE_PERSIST_FLAG = 0x1;
inline constexpr std::uint32_t CERT_ACCESS_STATE_SYSTEM_STORE_FLAG = 0x2;
inline constexpr std::uint32_t CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG = 0x4;
inline constexpr std::uint32_t CERT_ACCESS_STATE_GP_SYSTEM_STORE_FLAG = 0x8;

// Provider types; 0 has no PROV_ constant and means a CNG Key Storage Provider.
inline constexpr std::uint32_t PROV_CNG_KSP = 0;
inline constexpr std::uint32_t PROV_RSA_FULL = 1;
inline constexpr std::uint32_t PROV_RSA_SIG = 2;
inline constexpr std::uint32_t PROV_DSS = 3;
inline constexpr std::uint32_t PROV_RSA_SCHANNEL = 12;
inline constexpr std::uint32_t PROV_DSS_DH = 13;
inline constexpr std::uint32_t PROV_DH_SCHANNEL = 18;
inline constexpr std::uint32_t PROV_RSA_AES = 24;

// Provider names (MS_*_PROV, MS_*_KEY_STORAGE_PROVIDER).
inline constexpr std::string_view MS_DEF_PROV = "Microsoft Base Cryptographic Provider v1.0";
inline constexpr std::string_view MS_ENHANCED_PROV =
    "Microsoft Enhanced Cryptographic Provider v1.0";
inline constexpr std::string_view MS_STRONG_PROV = "Microsoft Strong Cryptographic Provider";
inline constexpr std::string_view MS_ENH_RSA_AES_PROV =
    "Microsoft Enhanced RSA and AES Cryptographic Provider";
inline constexpr std::string_view MS_DEF_RSA_SCHANNEL_PROV =
    "Microsoft RSA SChannel Cryptographic Provider";
inline constexpr std::string_view MS_SCARD_PROV = "Microsoft Base Smart Card Crypto Provider";
inline constexpr std::string_view MS_KEY_STORAGE_PROVIDER =
    "Microsoft Software Key Storage Provider";
inline constexpr std::string_view MS_PLATFORM_CRYPTO_PROVIDER =
    "Microsoft Platform Crypto Provider";
inline constexpr std::string_view MS_SMART_CARD_KEY_STORAGE_PROVIDER =
    "Microsoft Smart Card Key Storage Provider";
inline constexpr std::string_view MS_NGC_KEY_STORAGE_PROVIDER =
    "Microsoft Passport Key Storage Provider";

// Property ids outside the user range that are serialized-element ids, not properties.
inline constexpr std::uint32_t CERT_CERT_PROP_ID = 32;
inline constexpr std::uint32_t CERT_CRL_PROP_ID = 33;
inline constexpr std::uint32_t CERT_CTL_PROP_ID = 34;
inline constexpr std::uint32_t CERT_KEYID_PROP_ID = 35;
// Applications may store their own properties in CERT_FIRST_USER_PROP_ID..CERT_LAST_USER_PROP_ID.
inline constexpr std::uint32_t CERT_FIRST_USER_PROP_ID = 0x8000;
inline constexpr std::uint32_t CERT_LAST_USER_PROP_ID = 0xFFFF;

// OIDs certbed writes or reads.
inline constexpr std::string_view szOID_CERTSRV_CA_VERSION = "1.3.6.1.4.1.311.21.1";
inline constexpr std::string_view szOID_CERTSRV_PREVIOUS_CERT_HASH = "1.3.6.1.4.1.311.21.2";
// The v1 template extension ("Certificate Template Name (Certificate Type)"): a BMPString.
inline constexpr std::string_view szOID_ENROLL_CERTTYPE_EXTENSION = "1.3.6.1.4.1.311.20.2";
// The v2 template extension ("Certificate Template Information"): template OID and versions.
inline constexpr std::string_view szOID_CERTIFICATE_TEMPLATE = "1.3.6.1.4.1.311.21.7";
// Application Policies: PolicyInformation entries naming usages (wincrypt.h).
inline constexpr std::string_view szOID_APPLICATION_CERT_POLICIES = "1.3.6.1.4.1.311.21.10";
// The user principal name as a Subject Alternative Name other name (wincrypt.h).
inline constexpr std::string_view szOID_NT_PRINCIPAL_NAME = "1.3.6.1.4.1.311.20.2.3";
inline constexpr std::string_view szOID_PKIX_KP_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
inline constexpr std::string_view szOID_PKIX_KP_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

// "0 -- XCN_AT_NONE", "1 -- AT_KEYEXCHANGE", "2 -- AT_SIGNATURE" as certutil prints them.
std::string_view key_spec_name(std::uint32_t key_spec);

}  // namespace certbed::repair::wincrypt
