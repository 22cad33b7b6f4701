// The key provider text value of property 2 in a certutil property INF:
// "Container=...&Provider=...&ProviderType=...&Flags=...&KeySpec=...".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

// "Container=...&Provider=...&ProviderType=...&Flags=...&KeySpec=..." as written; a field the
// text does not give is nullopt.
struct KeyProvText {
  std::optional<std::string> container;
  std::optional<std::string> provider;
  std::optional<std::uint32_t> provider_type;
  std::optional<std::uint32_t> flags;
  std::optional<std::uint32_t> key_spec;

  bool operator==(const KeyProvText&) const = default;
  // Missing numbers default to 0 (CRYPT_KEY_PROV_INFO's zeroed fields); container and provider
  // must be given.
  Result<KeyProvInfo> to_key_prov_info() const;
};

// Keys are case-insensitive; spaces around '=' and around items are ignored; numbers are decimal
// or 0x hex (a leading zero is refused: certutil may read it as octal). Unknown or repeated keys
// are errors.
Result<KeyProvText> parse_key_prov_text(std::string_view text);

}  // namespace certbed::repair
