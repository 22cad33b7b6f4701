// StoreDumpParser's UTF-16 path: the input is transcoded to UTF-16 (LE with BOM, BE with BOM, or
// LE without BOM, by input size) and parsed whole and in odd-sized chunks. Valid UTF-8 input read
// through a BOM must give the same records as the UTF-8 text itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "certbed/repair/model/bytes.h"
#include "dump_invariants.h"

namespace {

// Valid UTF-8 is transcoded; anything else is widened byte by byte (Latin-1), which still gives
// the parser every code unit from U+0000 to U+00FF.
std::string to_utf16le(std::string_view input) {
  if (auto wide = certbed::repair::utf8_to_utf16le(input)) {
    return std::string(wide->begin(), wide->end());
  }
  std::string out;
  out.reserve(input.size() * 2);
  for (char c : input) {
    out += c;
    out += '\0';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string wide = to_utf16le(input);
  const std::size_t variant = size % 3;
  if (variant == 1) {
    for (std::size_t i = 0; i + 1 < wide.size(); i += 2) std::swap(wide[i], wide[i + 1]);
    wide.insert(0, "\xFE\xFF");
  } else if (variant == 0) {
    wide.insert(0, "\xFF\xFE");
  }
  const auto options = certbed::repair::DumpParserOptions{};
  const auto parsed = certbed::fuzz::check_whole_and_chunked(wide, options);

  // With a BOM the encoding is certain: the records must be those of the UTF-8 text. (A UTF-8
  // BOM or NUL bytes would make the UTF-8 parse read the text differently.)
  const bool comparable = variant != 2 && certbed::repair::is_valid_utf8(input) &&
                          !input.starts_with("\xEF\xBB\xBF") &&
                          input.find('\0') == std::string_view::npos;
  if (comparable) {
    const auto narrow = certbed::repair::parse_store_dump(input, "fuzz", options);
    CHECK(narrow.ok() == parsed.ok(), "UTF-8 and UTF-16 parses disagree on success");
    if (narrow.ok()) {
      CHECK(narrow->first == parsed->first, "UTF-8 and UTF-16 parses give different records");
      CHECK(narrow->second.certificates == parsed->second.certificates &&
                narrow->second.lines == parsed->second.lines,
            "UTF-8 and UTF-16 parses count different certificates or lines");
    }
  }
  return 0;
}
