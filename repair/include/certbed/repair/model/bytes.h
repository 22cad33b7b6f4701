// Byte strings, hex text and UTF-8 <-> UTF-16LE conversion, without any platform library.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace certbed::repair {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Lower-case hex, no separators ("1b425a...").
std::string to_hex(ByteView bytes);
// Hex digits in pairs; ASCII spaces and tabs between digits are ignored; any case.
// nullopt on an odd digit count or a non-hex character.
std::optional<Bytes> parse_hex(std::string_view text);
// Normalizes an identifier as certutil compares them: spaces dropped, lower-cased.
// nullopt when the rest is not hex.
std::optional<std::string> normalize_hex(std::string_view text);

// 1 to 128 lower-case hex digits: a certificate id (serial or thumbprint) as certbed writes it
// into scripts, plans and file names.
bool is_hex_id(std::string_view text);

// UTF-8 to UTF-16LE bytes (no terminator). nullopt on invalid UTF-8.
std::optional<Bytes> utf8_to_utf16le(std::string_view utf8);
// UTF-16LE bytes to UTF-8. nullopt on an odd length or unpaired surrogate.
std::optional<std::string> utf16le_to_utf8(ByteView utf16le);
// True when the text is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);
// Appends the UTF-8 form of a code point: 1 to 4 bytes by its value, without validation, so
// callers pass Unicode scalar values. A surrogate (U+D800..U+DFFF) gets the three-byte form like
// any other value below 0x10000; a value above U+10FFFF gets the four-byte form with the lead
// byte 0xF0 | (code_point >> 18) cut to 8 bits. Neither result is valid UTF-8.
void append_utf8(std::string& out, std::uint32_t code_point);

// ASCII letters lower-cased, everything else kept: Windows compares provider, container and store
// names, INF keys and section names this way.
std::string to_lower_ascii(std::string_view text);

inline Bytes to_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace certbed::repair
