// The certificates, properties and key containers every Store backend holds for the contract
// suite (files in fixtures/contract/), described with repair/ types only.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_bag.h"
#include "certbed/repair/model/result.h"

namespace certbed::contract {

// One committed certificate: what every backend must report about it, and the properties its
// factory sets on it (besides the ones Windows derives from the encoding, which backends add).
struct FixtureCertificate {
  std::string der_file;  // in fixture_dir()
  std::string serial;    // as CertFacts holds them: lower-case hex without spaces
  std::string sha1;
  std::string subject;
  std::string public_key_id;  // "Key Id Hash(rfc-sha1)"
  std::optional<repair::KeyProvInfo> key_prov_info;
  std::vector<repair::PropertyEntry> other_properties;

  // Property 2 (encoded) when there is one, then other_properties: what a factory sets, in order.
  std::vector<repair::PropertyEntry> properties() const;
};

// A key container a certificate's property 2 names, with the one key the fixture puts in it.
struct FixtureContainer {
  std::string provider;
  std::uint32_t provider_type = 0;
  std::string container;
  std::uint32_t key_spec = 0;  // 0 in a KSP; the KeySpec of property 2 in a CSP
  std::string public_key_id;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>.
  auto operator<=>(const FixtureContainer&) const = default;
};

// Positions in store order of the certificates particular cases use.
inline constexpr std::size_t kKspWithUnknownProperty = 0;  // KSP key, KeySpec 2, property 1000
inline constexpr std::size_t kCspKey = 1;                  // CSP AT_KEYEXCHANGE key
inline constexpr std::size_t kWithoutKeyProvInfo = 2;      // no property 2, a friendly name
inline constexpr std::size_t kSharedSerialFirst = 3;       // renewal with a new key
inline constexpr std::size_t kSharedSerialSecond = 4;      // renewal reusing certificate 0's key

// An id certutil has no name for ("Unknown Property(1000)"); certificate 0 carries it.
inline constexpr repair::PropertyId kUnknownPropertyId = static_cast<repair::PropertyId>(1000);

const std::vector<FixtureCertificate>& fixture_certificates();
// The containers the certificates' property 2 name, each once, sorted.
std::vector<FixtureContainer> fixture_containers();

std::filesystem::path fixture_dir();
// A fixture file's bytes; kIo when it cannot be read.
repair::Result<repair::Bytes> read_fixture(const std::string& name);

}  // namespace certbed::contract
