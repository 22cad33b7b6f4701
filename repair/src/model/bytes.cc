// Hex text and UTF-8 <-> UTF-16LE without any platform library.
#include "certbed/repair/model/bytes.h"

#include <algorithm>

namespace certbed::repair {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one code point from UTF-8; advances pos. Returns -1 on malformed input.
long decode_utf8(std::string_view s, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int extra = 0;
  long cp = 0;
  long min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (s.size() - pos <= static_cast<std::size_t>(extra)) return -1;
  for (int i = 1; i <= extra; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + static_cast<std::size_t>(i)]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  pos += static_cast<std::size_t>(extra) + 1;
  return cp;
}

}  // namespace

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

std::optional<Bytes> parse_hex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == '\t') continue;
    const int v = hex_value(c);
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | v));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

bool is_hex_id(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<std::string> normalize_hex(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '\t') continue;
    const int v = hex_value(c);
    if (v < 0) return std::nullopt;
    out += "0123456789abcdef"[v];
  }
  return out;
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (decode_utf8(text, pos) < 0) return false;
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  const std::uint32_t cp = code_point;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<Bytes> utf8_to_utf16le(std::string_view utf8) {
  Bytes out;
  out.reserve(utf8.size() * 2);
  std::size_t pos = 0;
  auto put = [&out](unsigned long unit) {
    out.push_back(static_cast<std::uint8_t>(unit & 0xFF));
    out.push_back(static_cast<std::uint8_t>(unit >> 8));
  };
  while (pos < utf8.size()) {
    const long cp = decode_utf8(utf8, pos);
    if (cp < 0) return std::nullopt;
    if (cp >= 0x10000) {
      const unsigned long v = static_cast<unsigned long>(cp) - 0x10000;
      put(0xD800 | (v >> 10));
      put(0xDC00 | (v & 0x3FF));
    } else {
      put(static_cast<unsigned long>(cp));
    }
  }
  return out;
}

std::optional<std::string> utf16le_to_utf8(ByteView utf16le) {
  if (utf16le.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(utf16le.size() / 2);
  for (std::size_t i = 0; i < utf16le.size(); i += 2) {
    unsigned long unit = utf16le[i] | (static_cast<unsigned long>(utf16le[i + 1]) << 8);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 3 >= utf16le.size()) return std::nullopt;
      const unsigned long low = utf16le[i + 2] | (static_cast<unsigned long>(utf16le[i + 3]) << 8);
      if (low < 0xDC00 || low > 0xDFFF) return std::nullopt;
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return std::nullopt;
    }
    append_utf8(out, static_cast<std::uint32_t>(unit));
  }
  return out;
}

}  // namespace certbed::repair
