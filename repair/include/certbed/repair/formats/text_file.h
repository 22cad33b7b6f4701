// Decoding whole text files the way Windows tools write them: UTF-8 with or without BOM, or
// UTF-16LE/BE with BOM (Notepad's "Unicode", PowerShell's redirection).
#pragma once

#include <string>
#include <string_view>

#include "certbed/repair/model/result.h"

namespace certbed::repair {

struct DecodedText {
  std::string utf8;
  std::string encoding;  // "utf-8", "utf-8-bom", "utf-16le", "utf-16be"
};

// Errors (kParse, naming `source`) on malformed UTF-16 or bytes that are not UTF-8.
Result<DecodedText> decode_text_file(std::string_view bytes, const std::string& source);

}  // namespace certbed::repair
