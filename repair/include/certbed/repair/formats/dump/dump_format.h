// The labels and layout of `certutil [-v] -store` output (reference/certutil-dump-format.md),
// in one place so that the parser here and the renderer in emulator/ print and read the same text.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace certbed::repair::dump_format {

// ---- Overall shape (section 1) -------------------------------------------------------------
// "================ Certificate 43 ================": 16 '=', the (localized) word, the index
// in the whole store, 16 '='. Parsers match the shape, not the word.
inline constexpr std::string_view kSeparatorRule = "================";
inline constexpr std::string_view kCertificateWord = "Certificate";
inline constexpr std::string_view kSeparatorPrefix = "================ Certificate ";
inline constexpr std::string_view kSeparatorSuffix = " ================";

// "CertUtil: -store command completed successfully." (the verb follows the command:
// -repairstore, -exportPFX, -SCInfo ...) or "CertUtil: -store command FAILED: 0x80090011 (...)".
inline constexpr std::string_view kCertUtilPrefix = "CertUtil: ";
inline constexpr std::string_view kCompletionPrefix = "CertUtil: -";
inline constexpr std::string_view kCompletedSuccessfully = " command completed successfully.";
inline constexpr std::string_view kCommandFailed = " command FAILED: ";
inline constexpr std::string_view kStoreCompletionLine =
    "CertUtil: -store command completed successfully.";

// ---- Non-verbose certificate block (section 2) -----------------------------------------------
inline constexpr std::string_view kArchived = "Archived!";
inline constexpr std::string_view kSerialNumber = "Serial Number: ";
inline constexpr std::string_view kIssuer = "Issuer: ";  // verbose: "Issuer:" then one RDN a line
inline constexpr std::string_view kSubject = "Subject: ";
inline constexpr std::string_view kNotBefore = " NotBefore: ";  // exactly one leading space
inline constexpr std::string_view kNotAfter = " NotAfter: ";
inline constexpr std::string_view kTemplateName = "Certificate Template Name (Certificate Type): ";
inline constexpr std::string_view kCaVersion = "CA Version: ";
inline constexpr std::string_view kNonRootCertificate = "Non-root Certificate";
inline constexpr std::string_view kSignatureMatchesPublicKey = "Signature matches Public Key";
inline constexpr std::string_view kRootCertificate = "Root Certificate: Subject matches Issuer";
inline constexpr std::string_view kTemplate = "Template:";  // "Template: CA, Root ..." or empty
inline constexpr std::string_view kCertHashPrefix = "Cert Hash(";     // "Cert Hash(sha1): <hex>"
inline constexpr std::string_view kKeyIdHashPrefix = "Key Id Hash(";  // "Key Id Hash(rfc-sha1): "
inline constexpr std::string_view kNameHashPrefix = "Name Hash(";     // "  Name Hash(sha1): "
inline constexpr std::string_view kHashSuffix = "): ";
inline constexpr std::string_view kSignatureHash = "Signature Hash: ";

// ---- Verbose header (section 3) ----------------------------------------------------------------
inline constexpr std::string_view kX509Certificate = "X509 Certificate:";
inline constexpr std::string_view kVersion = "Version: ";
inline constexpr std::string_view kSignatureAlgorithm = "Signature Algorithm:";
inline constexpr std::string_view kAlgorithmObjectId = "Algorithm ObjectId: ";
inline constexpr std::string_view kAlgorithmParameters = "Algorithm Parameters:";
inline constexpr std::string_view kPublicKeyAlgorithm = "Public Key Algorithm:";
inline constexpr std::string_view kPublicKeyLength = "Public Key Length: ";
inline constexpr std::string_view kPublicKey = "Public Key: UnusedBits = ";  // spaces around '='
inline constexpr std::string_view kSignature = "Signature: UnusedBits=";     // none (sic)
inline constexpr std::string_view kCertificateExtensions = "Certificate Extensions: ";
inline constexpr std::string_view kExtensionFlags =
    ": Flags = ";  // "2.5.29.15: Flags = 1(Critical), Length = 4"
inline constexpr std::string_view kSubjectTypeCa = "Subject Type=CA";
inline constexpr std::string_view kSubjectTypeEndEntity = "Subject Type=End Entity";
inline constexpr std::string_view kTemplateEquals = "Template=";  // v2 template extension body
inline constexpr std::string_view kOidBasicConstraints = "2.5.29.19";
inline constexpr std::string_view kOidEnhancedKeyUsage = "2.5.29.37";
inline constexpr std::string_view kOidCaVersion = "1.3.6.1.4.1.311.21.1";
inline constexpr std::string_view kOidTemplateNameV1 = "1.3.6.1.4.1.311.20.2";
inline constexpr std::string_view kOidTemplateInfoV2 = "1.3.6.1.4.1.311.21.7";

// ---- Property list (section 3.2): "  CERT_KEY_PROV_INFO_PROP_ID(2):"
// -----------------------------
inline constexpr std::string_view kPropertyIdSuffix = "_PROP_ID";
inline constexpr std::string_view kUnknownProperty =
    "Unknown Property";  // "Unknown Property(200):"
inline constexpr std::string_view kKeyProvInfoHeader = "CERT_KEY_PROV_INFO_PROP_ID(2):";
inline constexpr std::string_view kAccessState = "AccessState = ";

// ---- Key provider block (sections 2 and 4) -----------------------------------------------------
inline constexpr std::string_view kKeyContainer = "Key Container = ";
inline constexpr std::string_view kUniqueContainerName = "Unique container name: ";
inline constexpr std::string_view kSimpleContainerName = "Simple container name: ";
inline constexpr std::string_view kProvider = "Provider = ";
inline constexpr std::string_view kProviderType = "ProviderType = ";
inline constexpr std::string_view kFlags = "Flags = ";
inline constexpr std::string_view kKeySpec = "KeySpec = ";
inline constexpr std::string_view kFlagNameSeparator = " -- ";  // "CRYPT_MACHINE_KEYSET -- 20 (32)"
inline constexpr std::string_view kNoKeyProviderInformation = "No key provider information";

// ---- Status and key-test lines (column 0 after the key lines) --------------------------------
inline constexpr std::string_view kEncryptionTestPassed = "Encryption test passed";
inline constexpr std::string_view kSignatureTestPassed = "Signature test passed";
inline constexpr std::string_view kEncryptionTestFailed = "Encryption test FAILED";
inline constexpr std::string_view kMissingStoredKeyset = "Missing stored keyset";
inline constexpr std::string_view kPrivateKeyNotExportable = "Private key is NOT exportable";
inline constexpr std::string_view kPrivateKeyNotPlainTextExportable =
    "Private key is NOT plain text exportable";
inline constexpr std::string_view kCannotFindCertAndKey =
    "Cannot find the certificate and private key for decryption.";
inline constexpr std::string_view kMissingKeyAssociation =
    "ERROR: missing key association property: CERT_KEY_IDENTIFIER_PROP_ID";
inline constexpr std::string_view kErrorPrefix = "ERROR: ";

// Exact status lines seen in real output, English.
inline constexpr std::array<std::string_view, 11> kStatusLines = {
    kEncryptionTestPassed,
    kSignatureTestPassed,
    kEncryptionTestFailed,
    "Signature test FAILED",
    kMissingStoredKeyset,
    kPrivateKeyNotExportable,
    kPrivateKeyNotPlainTextExportable,
    kCannotFindCertAndKey,
    "Private key verifies",                // -scinfo
    "Public key matching test succeeded",  // -scinfo
    "Key is not exportable",
};
// Status lines are also recognized by these endings ("AES256+RSAES_OAEP(RSA:CNG) test skipped").
inline constexpr std::array<std::string_view, 3> kStatusSuffixes = {" test passed", " test FAILED",
                                                                    " test skipped"};
// "-repairstore" prints "<provider>: KeySpec=<n>" after the block.
inline constexpr std::string_view kRepairKeySpec = ": KeySpec=";

// ---- Indentation the renderer must reproduce (section 8) --------------------------------------
inline constexpr std::string_view kDateIndent = " ";
inline constexpr std::string_view kKeyLineIndent = "  ";          // non-verbose key lines
inline constexpr std::string_view kPropertyHeaderIndent = "  ";   // "  NAME(id):"
inline constexpr std::string_view kPropertyValueIndent = "    ";  // value lines
inline constexpr std::string_view kRdnIndent = "    ";            // verbose Issuer/Subject RDNs
inline constexpr std::string_view kNameHashIndent = "  ";

// Console widths at which certutil's lines are hard-wrapped (classic and Windows 10 default).
inline constexpr std::array<std::size_t, 2> kConsoleWidths = {80, 120};

// "================ Certificate 5 ================"
inline std::string separator_line(std::uint32_t index) {
  return std::string(kSeparatorPrefix) + std::to_string(index) + std::string(kSeparatorSuffix);
}

// "CertUtil: -store command completed successfully." for verb "store".
inline std::string completion_line(std::string_view verb) {
  return std::string(kCompletionPrefix) + std::string(verb) + std::string(kCompletedSuccessfully);
}

}  // namespace certbed::repair::dump_format
