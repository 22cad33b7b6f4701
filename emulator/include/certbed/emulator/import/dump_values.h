// Reading the values certutil prints back into what the certificate factory takes: a display
// name into its attributes, a printed date into UTC seconds, a key length into an algorithm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator::import {

// "CN=a, OU=\"b, c\", DC=d" as CertNameToStr writes it (CERT_X500_NAME_STR | comma separators,
// a value holding a separator quoted with its quotes doubled); most specific first, as the
// factory wants it. An error names what was expected where.
repair::Result<DistinguishedName> parse_display_name(std::string_view text);

// certutil prints validity in the local time and short date format of the machine it ran on.
// Two formats are read, those the real dumps show: en-US "6/26/2019 10:40 AM" and the
// day-first "10.08.2021 14:14" (de-DE and others). The zone is not printed, so the time is
// taken as UTC. nullopt for anything else.
std::optional<std::int64_t> parse_certutil_date(std::string_view text);

// The name's first CN value; empty without one.
std::string common_name(const DistinguishedName& dn);

struct ImportedKeyAlgorithm {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa2048;
  bool exact = false;  // false: the dump did not print the length, or certbed has no such key
};
// From "Public Key Length: N bits" (verbose dumps): 256 and 384 are the NIST curves certbed
// emulates, 2048/3072/4096 RSA; anything else (or nothing) is RSA 2048, not exact.
ImportedKeyAlgorithm key_algorithm_for_length(std::optional<std::uint32_t> bits);

}  // namespace certbed::emulator::import
