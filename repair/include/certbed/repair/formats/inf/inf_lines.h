// The lexical layer of an INF file as data: every entry of every section after decoding, line
// joining, quote removal and [Strings] substitution. Read-only; for comparing certbed's reading
// of a file with another reader's (SetupAPI's, under Wine).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

struct InfEntry {
  std::string section;             // lower-case, as sections are matched
  std::optional<std::string> key;  // nullopt when the line has no '='
  std::string value;               // the fields joined with ',' (SetupGetLineText's text)
  std::size_t line = 0;            // the first physical line of the entry

  bool operator==(const InfEntry&) const = default;
};

struct InfLines {
  std::vector<InfEntry> entries;  // file order
  std::vector<InfWarning> warnings;
  std::string encoding;  // as decode_text_file names it
};

// Reads a whole INF file (raw bytes) as parse_property_inf does before it looks at properties;
// [Strings] values are substituted into the other sections' values. Errors as parse_property_inf.
Result<InfLines> read_inf_lines(std::string_view bytes, const std::string& source = "");

}  // namespace certbed::repair
