// What the engine knows about a certificate, filled by a backend (emulator, Windows, parsed dump)
// so that repair/ never parses X.509 itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_bag.h"

namespace certbed::repair {

struct CertFacts {
  std::optional<std::uint32_t> index;  // position in the store, as certutil numbers it
  std::string serial;                  // lower-case hex, leading zeros kept, no spaces
  std::string subject;                 // display form, most specific RDN first: "CN=x, DC=y"
  std::string issuer;
  std::string not_before;  // ISO 8601 UTC ("2024-01-15T10:00:00Z") where the backend knows it
  std::string not_after;
  std::string sha1;  // lower-case hex thumbprint; empty when unknown
  std::string md5;
  std::string sha256;
  std::string signature_hash;
  // SHA-1 of the subjectPublicKey bits (certutil's "Key Id Hash(rfc-sha1)"); key containers
  // report the same value, so it links a certificate to its private key.
  std::string public_key_id;
  // Basic Constraints cA: nullopt when the backend could not see it (a dump that elides or does
  // not print the extension). Unknown is never taken as "no"; see rules::is_ca_certificate.
  std::optional<bool> is_ca;
  std::optional<std::uint32_t> ca_version;  // CA Version extension: low 16 bits cert index
  std::vector<std::string> ekus;            // dotted OIDs from the EKU extension
  std::string template_name;
  // Set by backends that saw property 2 only partly (a non-verbose dump prints no ProviderType,
  // Flags or KeySpec): its numbers were inferred, so rules must not judge them.
  bool key_prov_info_inferred = false;
  // Set by backends that could not read some of this certificate's text faithfully (a dump in
  // a guessed code page, with U+FFFD, a NUL or a cut line, masked or reflowed by documentation):
  // one "line N: why" each. Its names then must not reach an INF, a script or a certID.
  std::vector<std::string> unfaithful_text;
  // Set by backends that saw this certificate's ids masked (documentation hides real serials
  // and thumbprints): one "line N: why" each. A script must then not name it by them.
  std::vector<std::string> masked_ids;
  PropertyBag properties;

  bool operator==(const CertFacts&) const = default;

  // Decodes property 2; nullopt when absent, an error when present but malformed.
  Result<std::optional<KeyProvInfo>> key_prov_info() const;
  std::string to_string() const;
};

}  // namespace certbed::repair
