// certutil's property INF (`certutil -repairstore my CERTIDLIST PROPERTY.INF`): the [Properties]
// section with numeric property ids, "{text}" / "{hex}" values, Empty, deletions and _continue_
// lines. The key provider text value of property 2 is in key_provider_text.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/inf/key_provider_text.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

// The longest INF field certbed writes or reads, in UTF-16 code units. Windows' SetupAPI allows
// 4096 characters including the NUL ("General Syntax Rules for INF Files"); Wine's
// dlls/setupapi/parser.c cuts fields at MAX_FIELD_LEN, 511, without an error. The stricter limit
// is the one a file must meet to mean the same thing everywhere.
inline constexpr std::size_t kMaxInfFieldChars = 511;

// The largest property INF read. Real ones are a few hundred bytes; the cap keeps a wrong file
// (a dump, a device) from being read whole. File readers check it before reading.
inline constexpr std::size_t kMaxInfFileBytes = std::size_t{16} << 20;

enum class InfValueKind {
  kDelete,  // "19 =": remove the property
  kEmpty,   // "19 = Empty": set it to an empty value
  kText,    // "{text}...": property-specific text
  kHex,     // "{hex}...": raw bytes
};

struct InfProperty {
  PropertyId id{};
  InfValueKind kind = InfValueKind::kDelete;
  std::size_t line = 0;  // where the property line is
  std::string text;      // kText: the text after "{text}", _continue_ pieces joined
  Bytes value;           // what the property is set to (kText encoded, kHex bytes, kEmpty none)
  std::optional<KeyProvText> key_provider;  // property 2
  std::vector<std::string> ekus;            // property 9, dotted OIDs
  // Property 2 built from a stored value: its rgProvParam count, which no INF can carry.
  std::size_t provider_params = 0;

  // Equal when they set the same thing: where in a file they came from does not count, nor
  // how the structured texts of properties 2 and 9 were spelled (spaces, number bases, a
  // trailing separator), only what they say.
  bool operator==(const InfProperty& other) const {
    const bool structured =
        id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID || id == PropertyId::CERT_ENHKEY_USAGE_PROP_ID;
    return id == other.id && kind == other.kind && (structured || text == other.text) &&
           value == other.value && key_provider == other.key_provider && ekus == other.ekus &&
           provider_params == other.provider_params;
  }
};

struct InfWarning {
  std::size_t line = 0;
  std::string message;
  bool operator==(const InfWarning&) const = default;
};

struct PropertyInf {
  std::vector<InfProperty> properties;  // file order; a repeated id keeps its last occurrence
  std::vector<InfWarning> warnings;
  std::string encoding;
};

// Parses a whole INF file (raw bytes: UTF-8 with or without BOM, or UTF-16 with BOM; LF or CRLF).
// Errors carry `source` and the line, and say what was expected.
Result<PropertyInf> parse_property_inf(std::string_view bytes, const std::string& source = "");

// Writes INF text that parse_property_inf and Windows' SetupAPI read back to the same
// properties: CRLF line ends, as Notepad writes them; ASCII when every value is ASCII, otherwise
// UTF-16LE with a byte order mark, as the INF rules require for other text. Refuses (kUnsafe)
// any value it cannot represent without changing its meaning or letting it inject INF syntax:
// quotes, line breaks, control characters, '%' (string substitution), ';' in unquoted text, in
// the key provider text '&' and '=' and leading or trailing spaces, a field longer than
// kMaxInfFieldChars, and property 2 with provider parameters.
Result<std::string> write_property_inf(const std::vector<InfProperty>& properties);

// Builds an InfProperty from a value to store: a KeyProvInfo for property 2, OIDs for 9, text
// for 11 and 13.
InfProperty inf_key_provider(const KeyProvInfo& info);
InfProperty inf_hex(PropertyId id, Bytes value);

// DER SEQUENCE OF OBJECT IDENTIFIER (the CERT_ENHKEY_USAGE_PROP_ID value) and back.
Result<Bytes> encode_eku_list(const std::vector<std::string>& oids);
Result<std::vector<std::string>> decode_eku_list(ByteView der);

}  // namespace certbed::repair
