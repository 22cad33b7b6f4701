// The text primitives of the certutil dump emulation: line endings, certutil's number rendering
// and its two hex dump layouts.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "certbed/repair/model/bytes.h"

namespace certbed::emulator::certutil {

// Collects lines and ends each with LF or CRLF.
class LineWriter {
 public:
  LineWriter(std::ostream& out, bool crlf) : out_(out), eol_(crlf ? "\r\n" : "\n") {}
  void line(std::string_view text) { out_ << text << eol_; }
  void blank() { out_ << eol_; }

 private:
  std::ostream& out_;
  const char* eol_;
};

std::string hex_dword(std::uint32_t v);

// certutil's generic number rendering: hex, plus " (decimal)" when the two differ.
std::string hex_with_decimal(std::uint32_t v);

// "    0000  30 82 01 0a ...  ..": offset, two groups of 8 bytes, no ASCII column.
void offset_dump(LineWriter& w, repair::ByteView bytes, const std::string& indent);

// Short binary values: 16 bytes a line in two groups of 8, then an ASCII column.
void ascii_dump(LineWriter& w, repair::ByteView bytes, const std::string& indent);

}  // namespace certbed::emulator::certutil
