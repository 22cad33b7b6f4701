// certutil's number rendering and hex dump layouts (see dump_text.h).
#include "dump_text.h"

#include <algorithm>
#include <sstream>

namespace certbed::emulator::certutil {

using repair::ByteView;

std::string hex_dword(std::uint32_t v) {
  std::ostringstream s;
  s << std::hex << v;
  return s.str();
}

// certutil's generic number rendering: hex, plus " (decimal)" when the two differ.
std::string hex_with_decimal(std::uint32_t v) {
  return v >= 10 ? hex_dword(v) + " (" + std::to_string(v) + ")" : hex_dword(v);
}

// "    0000  30 82 01 0a ...  ..": offset, two groups of 8 bytes, no ASCII column.
void offset_dump(LineWriter& w, ByteView bytes, const std::string& indent) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    std::string line = indent;
    const std::string offset = hex_dword(static_cast<std::uint32_t>(at));
    line += std::string(4 - std::min<std::size_t>(4, offset.size()), '0') + offset + "  ";
    for (std::size_t i = at; i < std::min(bytes.size(), at + 16); ++i) {
      if (i != at) line += (i - at == 8) ? "  " : " ";
      line += kDigits[bytes[i] >> 4];
      line += kDigits[bytes[i] & 0x0F];
    }
    w.line(line);
  }
}

// Short binary values: 16 bytes a line in two groups of 8, then an ASCII column.
void ascii_dump(LineWriter& w, ByteView bytes, const std::string& indent) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    std::string hex;
    std::string ascii;
    for (std::size_t i = at; i < at + 16; ++i) {
      if (i != at) hex += (i - at == 8) ? "  " : " ";
      if (i < bytes.size()) {
        hex += kDigits[bytes[i] >> 4];
        hex += kDigits[bytes[i] & 0x0F];
        ascii += (bytes[i] >= 0x20 && bytes[i] < 0x7F) ? static_cast<char>(bytes[i]) : '.';
      } else {
        hex += "  ";
      }
    }
    std::string text = indent;
    text += hex;
    text += "   ";
    text += ascii;
    w.line(text);
  }
}

}  // namespace certbed::emulator::certutil
