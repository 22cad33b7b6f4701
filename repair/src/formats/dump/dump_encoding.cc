// First stage of the dump parser: encoding detection (BOM, BOM-less UTF-16LE/BE, UTF-8) and
// transcoding of the bytes to UTF-8 text (the 8-bit reading of other lines is in
// dump_code_pages.cc).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certbed/repair/model/bytes.h"
#include "dump_stages.h"

namespace certbed::repair::dump_detail {
DumpDecoder::DumpDecoder(ParseContext& ctx, LineAssembler& out)
    : ctx_(ctx), summary_(ctx.summary), out_(out) {}

void DumpDecoder::feed(string_view bytes) {
  std::size_t i = 0;
  if (enc_ == Encoding::kUnknown) {
    while (head_.size() < 3 && i < bytes.size()) head_ += bytes[i++];
    if (head_.size() < 3) return;
    detect_encoding();
  }
  decode(bytes.substr(i));
}

void DumpDecoder::finish() {
  if (enc_ == Encoding::kUnknown) detect_encoding();
  if (pending_byte_ >= 0) {
    warn(out_.line_count() + 1,
         "UTF-16 input ends in the middle of a code unit; last byte ignored");
    pending_byte_ = -1;
  }
  if (high_surrogate_ != 0) {
    high_surrogate_ = 0;
    emit_code_point(0xFFFD);
  }
}

void DumpDecoder::detect_encoding() {
  const string_view h = head_;
  auto byte = [&h](std::size_t i) { return static_cast<unsigned char>(h[i]); };
  std::size_t skip = 0;
  if (h.size() >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
    enc_ = Encoding::kUtf8;
    summary_.encoding = "utf-8-bom";
    skip = 3;
  } else if (h.size() >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) {
    enc_ = Encoding::kUtf16le;
    summary_.encoding = "utf-16le";
    skip = 2;
  } else if (h.size() >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) {
    enc_ = Encoding::kUtf16be;
    summary_.encoding = "utf-16be";
    skip = 2;
  } else if (h.size() >= 2 && byte(0) != 0 && byte(1) == 0) {
    enc_ = Encoding::kUtf16le;
    summary_.encoding = "utf-16le (no BOM)";
    warn(1, "no byte order mark, but NUL every other byte: reading as UTF-16LE");
  } else if (h.size() >= 2 && byte(0) == 0 && byte(1) != 0) {
    enc_ = Encoding::kUtf16be;
    summary_.encoding = "utf-16be (no BOM)";
    warn(1, "no byte order mark, but NUL every other byte: reading as UTF-16BE");
  } else {
    enc_ = Encoding::kUtf8;
    summary_.encoding = "utf-8";
  }
  if (enc_ == Encoding::kUtf8) out_.validate_utf8_lines();
  const std::string rest = head_.substr(skip);
  head_.clear();
  decode(rest);
}

void DumpDecoder::decode(string_view bytes) {
  if (enc_ == Encoding::kUtf8) {
    while (!bytes.empty()) {
      const std::size_t nl = bytes.find('\n');
      out_.append_to_line(bytes.substr(0, nl));
      if (nl == string_view::npos) return;
      out_.end_line();
      bytes.remove_prefix(nl + 1);
    }
    return;
  }
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (pending_byte_ < 0) {
      pending_byte_ = b;
      continue;
    }
    const auto first = static_cast<std::uint32_t>(pending_byte_);
    pending_byte_ = -1;
    const std::uint32_t unit =
        enc_ == Encoding::kUtf16le ? (first | (std::uint32_t{b} << 8)) : ((first << 8) | b);
    on_code_unit(unit);
  }
}

void DumpDecoder::on_code_unit(std::uint32_t unit) {
  if (high_surrogate_ != 0) {
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      emit_code_point(0x10000 + ((high_surrogate_ - 0xD800) << 10) + (unit - 0xDC00));
      high_surrogate_ = 0;
      return;
    }
    high_surrogate_ = 0;
    bad_utf16();
  }
  if (unit >= 0xD800 && unit <= 0xDBFF) {
    high_surrogate_ = unit;
  } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
    bad_utf16();
  } else {
    emit_code_point(unit);
  }
}

void DumpDecoder::bad_utf16() {
  if (!bad_utf16_warned_) {
    bad_utf16_warned_ = true;
    warn(out_.line_count() + 1, "unpaired UTF-16 surrogate replaced by U+FFFD");
  }
  emit_code_point(0xFFFD);
}

void DumpDecoder::emit_code_point(std::uint32_t cp) {
  if (cp == '\n') {
    out_.end_line();
    return;
  }
  std::string utf8;
  append_utf8(utf8, cp);
  out_.append_to_line(utf8);
}

}  // namespace certbed::repair::dump_detail
