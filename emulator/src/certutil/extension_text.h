// certutil's decoded text of the extensions an enterprise CA writes: CRL Distribution Points,
// Authority Information Access, Certificate Template Information, Application and Certificate
// Policies, SMIME Capabilities, Previous CA Certificate Hash and Subject Alternative Name.
//
// certutil prints an extension as CryptFormatObject formats it in its multi-line form, each line
// under the extension's name at eight spaces; nested parts step by five. The layouts come from
// real output, cited at each decoder in extension_text.cc.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

namespace certbed::emulator::certutil {

struct ExtensionText {
  std::string name;                // "CRL Distribution Points"
  std::vector<std::string> lines;  // without the eight-space margin
};

// The decoded text, or nullopt when the extension is not one of these or holds a part whose
// layout no real output shows (the caller then prints the OID and a hex dump, as certutil does
// for what it cannot decode).
std::optional<ExtensionText> enterprise_extension_text(X509_EXTENSION* extension);

// What certutil prints for an empty subject: "EMPTY", then the Subject Alternative Name on one
// line in parentheses when the certificate has one ("EMPTY (Other Name:Principal Name=x)").
std::string empty_subject_text(X509* certificate);

// certutil's name for a usage OID ("Server Authentication"), or empty when it has none here.
std::string usage_name(const std::string& oid);

}  // namespace certbed::emulator::certutil
