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
  // The v1 template extension (szOID_ENROLL_CERTTYPE_EXTENSION), as an enterprise CA writes
  // for a v1 template ("CA", "DomainController", "WebServer", "User"); empty: none. It comes
  // before CA Version, as in real dumps/07.
  std::string template_name;
  std::string digest = "sha256";
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
