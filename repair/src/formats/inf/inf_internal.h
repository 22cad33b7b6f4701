// What the property INF sources share: the SetupAPI lexer's output, [Strings] substitution,
// OID encoding, the writer's safety check and the key provider text's items.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/inf/key_provider_text.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair::inf_detail {

// Spaces and TABs only: what INF and the key provider text treat as blank.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Characters as SetupAPI counts them: UTF-16 code units, so a character outside the BMP counts
// twice. `utf8` is valid UTF-8.
inline std::size_t utf16_units(std::string_view utf8) {
  std::size_t units = 0;
  for (char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++units;  // a lead byte or ASCII starts a character
    if (c >= 0xF0) ++units;           // four-byte sequences become surrogate pairs
  }
  return units;
}

// ---- Lexical layer (inf_lexer.cc) ----------------------------------------------------------

struct InfLine {
  std::size_t line = 0;
  std::optional<std::string> key;  // nullopt when the line has no '='
  std::string value;               // fields re-joined with ',' (SetupGetLineText)
};

struct InfSection {
  std::string name;  // lower-case
  std::vector<InfLine> lines;
};

// Splits decoded text into sections of entries by the Windows INF (SetupAPI) rules. Errors
// (kParse) name `source` and the line; recoverable oddities go to `warnings`.
Result<std::vector<InfSection>> lex_inf(std::string_view text, const std::string& source,
                                        std::vector<InfWarning>& warnings);

// %key% from [Strings] (keys lower-case); %% is a literal percent; unknown keys stay as written.
std::string substitute_strings(const std::string& value,
                               const std::map<std::string, std::string>& strings);

// ---- OIDs (eku_list.cc) --------------------------------------------------------------------

// One DER OBJECT IDENTIFIER (tag, length, body) from dotted text; kInvalidArgument otherwise.
Result<Bytes> encode_oid(std::string_view oid);

// ---- Writer (inf_writer.cc) ----------------------------------------------------------------

// kUnsafe unless `text` is UTF-8 without quotes, line breaks, control characters or '%'.
Status check_writable_text(std::string_view text, std::string_view what);

// ---- Key provider text (key_provider_text.cc) ----------------------------------------------

// The "Name=value" items of a key provider text, without the '&' between them (Container,
// Provider, ProviderType, Flags, KeySpec); kUnsafe for a value an INF cannot carry unchanged.
Result<std::vector<std::string>> key_prov_text_items(const KeyProvText& kp);

}  // namespace certbed::repair::inf_detail
