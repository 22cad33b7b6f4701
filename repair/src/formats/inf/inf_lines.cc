// read_inf_lines: the INF lexer's entries, decoded and substituted, without the [Properties]
// semantics on top.
#include "certbed/repair/formats/inf/inf_lines.h"

#include <map>

#include "certbed/repair/formats/text_file.h"
#include "inf_internal.h"

namespace certbed::repair {

Result<InfLines> read_inf_lines(std::string_view bytes, const std::string& source) {
  if (bytes.size() > kMaxInfFileBytes) {
    return make_error(ErrorCode::kParse, "file is larger than 16 MiB; not a property INF",
                      SourceLocation{source, 0, 0});
  }
  auto decoded = decode_text_file(bytes, source);
  if (!decoded) return decoded.error();
  InfLines out;
  out.encoding = decoded->encoding;
  auto sections = inf_detail::lex_inf(decoded->utf8, source, out.warnings);
  if (!sections) return sections.error();

  std::map<std::string, std::string> strings;
  for (const auto& section : *sections) {
    if (section.name != "strings") continue;
    for (const auto& line : section.lines) {
      if (line.key) strings[to_lower_ascii(*line.key)] = line.value;
    }
  }
  for (const auto& section : *sections) {
    const bool is_strings = section.name == "strings";
    for (const auto& line : section.lines) {
      out.entries.push_back(
          InfEntry{section.name, line.key,
                   is_strings ? line.value : inf_detail::substitute_strings(line.value, strings),
                   line.line});
    }
  }
  return out;
}

}  // namespace certbed::repair
