// Text files as Windows tools write them: UTF-8 with or without BOM, UTF-16 with BOM.
#include "certbed/repair/formats/text_file.h"

#include "certbed/repair/model/bytes.h"

namespace certbed::repair {

Result<DecodedText> decode_text_file(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& what) {
    return make_error(ErrorCode::kParse, what, SourceLocation{source, 0, 0});
  };
  auto starts = [&](std::string_view bom) { return bytes.substr(0, bom.size()) == bom; };
  if (starts("\xEF\xBB\xBF")) {
    bytes.remove_prefix(3);
    if (!is_valid_utf8(bytes)) return fail("file has a UTF-8 byte order mark but is not UTF-8");
    return DecodedText{std::string(bytes), "utf-8-bom"};
  }
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    const bool big_endian = bytes[0] == '\xFE';
    bytes.remove_prefix(2);
    if (bytes.size() % 2 != 0) return fail("UTF-16 file ends in the middle of a character");
    Bytes little(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
      little[i] = static_cast<std::uint8_t>(bytes[big_endian ? i + 1 : i]);
      little[i + 1] = static_cast<std::uint8_t>(bytes[big_endian ? i : i + 1]);
    }
    auto text = utf16le_to_utf8(little);
    if (!text) return fail("file is not valid UTF-16 (unpaired surrogate)");
    return DecodedText{std::move(*text), big_endian ? "utf-16be" : "utf-16le"};
  }
  if (!is_valid_utf8(bytes)) {
    return fail(
        "file is neither UTF-8 nor UTF-16 with a byte order mark; save it as UTF-8 or "
        "Unicode");
  }
  return DecodedText{std::string(bytes), "utf-8"};
}

}  // namespace certbed::repair
