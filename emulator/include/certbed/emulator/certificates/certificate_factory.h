// Real X.509 v3 certificates for the emulated stores: root CAs, subordinate CAs, end entities.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certbed/emulator/crypto/ossl.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

struct NameAttribute {
  std::string type;  // as Windows prints it: CN, O, OU, DC, C, L, S, E
  std::string value;

  bool operator==(const NameAttribute&) const = default;
};

// In display order, most specific first ("CN=Contoso CA, DC=Contoso, DC=com"); encoded in the
// reverse order, as Windows displays the DER sequence.
struct DistinguishedName {
  std::vector<NameAttribute> attributes;

  bool operator==(const DistinguishedName&) const = default;
  std::string to_string() const;
};

enum class CertificateProfile { kRootCa, kSubordinateCa, kEndEntity };

struct CaVersion {
  std::uint16_t cert_index = 0;
  std::uint16_t key_index = 0;
};

struct CertificateSpec {
  CertificateProfile profile = CertificateProfile::kEndEntity;
  DistinguishedName subject;
  // Hex; empty means 16 random bytes. Required in deterministic mode.
  std::string serial_hex;
  std::int64_t not_before = 0;  // seconds since the Unix epoch, UTC
  std::int64_t not_after = 0;
  std::optional<int> path_length;  // CA profiles only
  // OpenSSL keyUsage names ("digitalSignature", "keyCertSign", ...); empty = profile default.
  std::vector<std::string> key_usage;
  std::vector<std::string> ekus;  // dotted OIDs
  std::vector<std::string> dns_names;
  // CA profiles carry the CA Version extension (1.3.6.1.4.1.311.21.1); defaults to V0.0.
  std::optional<CaVersion> ca_version;
  // A CA certificate without CA Version, as CAs other than AD CS issue them (the dump importer
  // re-creates those).
  bool without_ca_version = false;
  // The v1 template extension (szOID_ENROLL_CERTTYPE_EXTENSION), as an enterprise CA writes
  // for a v1 template ("CA", "DomainController", "WebServer", "User"); empty: none. It comes
  // before CA Version, as in real dumps/07.
  std::string template_name;
  std::string digest = "sha256";

  // What an enterprise CA adds to the certificates it issues. Each is written only when set, after
  // the extensions above, so a spec without them yields the same DER as before they existed.
  // CRL Distribution Points: one distribution point whose full name is these URLs, stored as
  // given (AD CS stores the LDAP path with %20 for its spaces).
  std::vector<std::string> crl_urls;
  // Authority Information Access: a caIssuers entry per URL, then an OCSP entry per URL.
  std::vector<std::string> ca_issuer_urls;
  std::vector<std::string> ocsp_urls;
  // The v2 template extension (szOID_CERTIFICATE_TEMPLATE, 1.3.6.1.4.1.311.21.7).
  struct TemplateInfo {
    std::string oid;
    long major_version = 0;
    long minor_version = 0;
  };
  std::optional<TemplateInfo> template_info;
  // Application Policies (1.3.6.1.4.1.311.21.10), dotted OIDs, as AD CS mirrors a v2 template's
  // EKUs into them.
  std::vector<std::string> application_policies;
  // Certificate Policies: dotted policy OIDs, each with a CPS URL qualifier when one is given.
  struct CertificatePolicy {
    std::string oid;
    std::string cps_url;
  };
  std::vector<CertificatePolicy> certificate_policies;
  // A Subject Alternative Name other name: the user principal name (szOID_NT_PRINCIPAL_NAME).
  std::string user_principal_name;
  // SMIME Capabilities (1.2.840.113549.1.9.15) with the four entries AD CS writes when a template
  // includes symmetric algorithms (RC2-128, RC4-128, DES, 3DES; the real dumps in
  // fixtures/certutil/x509 show the same four).
  bool smime_capabilities = false;
};

struct IssuerRef {
  const X509* certificate = nullptr;
  const EVP_PKEY* key = nullptr;
};

// Signs a certificate for `subject_key`. Without an issuer the certificate is self-signed.
// In deterministic mode the serial must be given and the signing key must be RSA (PKCS#1 v1.5
// signatures are deterministic; OpenSSL 3.0's ECDSA ones are not), so the DER is reproducible.
repair::Result<ossl::X509Ptr> issue_certificate(const CertificateSpec& spec,
                                                const EVP_PKEY* subject_key,
                                                std::optional<IssuerRef> issuer,
                                                bool deterministic);

repair::Bytes certificate_der(const X509* certificate);
repair::Result<ossl::X509Ptr> certificate_from_der(repair::ByteView der);

// UTC calendar time to seconds since the epoch (for fixed scenario dates).
std::int64_t utc_seconds(int year, int month, int day, int hour = 0, int minute = 0,
                         int second = 0);

}  // namespace certbed::emulator
