// Escaping of terminal controls, invisible reordering characters and invalid UTF-8 in text
// shown to a person; see printable.h for the list and the forms.
#include "certbed/repair/model/printable.h"

#include <cstdint>

namespace certbed::repair {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_byte_escape(std::string& out, unsigned char byte) {
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xF];
}

void append_code_point_escape(std::string& out, std::uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
}

bool is_escaped_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Length of the sequence a lead byte starts and the range its second byte must lie in (the
// Unicode standard's table of well-formed UTF-8, which rules out overlong forms, surrogates and
// values above U+10FFFF); 0 for a byte that cannot start a sequence.
struct LeadByte {
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
};

LeadByte lead_byte(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

// Escapes `in` into `out` and returns how many bytes it consumed. Unless `at_end`, it stops
// before an unfinished but so far well-formed character and before a final CR it keeps, so
// the caller can retry them with the bytes that follow.
std::size_t escape_into(std::string_view in, bool at_end, PrintableFilter::LineEnds line_ends,
                        std::string& out) {
  const bool keep_line_ends = line_ends == PrintableFilter::LineEnds::kKeep;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b >= 0x20 && b < 0x7F) {  // the common case: a run of printable ASCII, copied at once
      std::size_t end = i + 1;
      while (end < in.size() && static_cast<unsigned char>(in[end]) >= 0x20 &&
             static_cast<unsigned char>(in[end]) < 0x7F) {
        ++end;
      }
      out.append(in.substr(i, end - i));
      i = end;
      continue;
    }
    if (b < 0x80) {
      if (keep_line_ends && b == '\n') {
        out += '\n';
      } else if (keep_line_ends && b == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
        out += "\r\n";
        ++i;
      } else if (keep_line_ends && b == '\r' && i + 1 == in.size() && !at_end) {
        return i;  // the LF may come in the next piece
      } else {
        append_byte_escape(out, b);
      }
      ++i;
      continue;
    }
    const LeadByte lead = lead_byte(b);
    std::size_t have = 1;
    bool well_formed = lead.length != 0;
    while (well_formed && have < lead.length && i + have < in.size()) {
      const auto c = static_cast<unsigned char>(in[i + have]);
      const unsigned char min = have == 1 ? lead.second_min : 0x80;
      const unsigned char max = have == 1 ? lead.second_max : 0xBF;
      well_formed = c >= min && c <= max;
      if (well_formed) ++have;
    }
    if (well_formed && have < lead.length) {
      if (!at_end) return i;
      well_formed = false;
    }
    if (!well_formed) {
      // Only the lead byte is escaped; what follows is looked at afresh.
      append_byte_escape(out, b);
      ++i;
      continue;
    }
    std::uint32_t cp = b & (0x7Fu >> lead.length);
    for (std::size_t k = 1; k < lead.length; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3Fu);
    }
    if (is_escaped_code_point(cp)) {
      append_code_point_escape(out, cp);
    } else {
      out.append(in.substr(i, lead.length));
    }
    i += lead.length;
  }
  return i;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  escape_into(text, /*at_end=*/true, PrintableFilter::LineEnds::kEscape, out);
  return out;
}

std::string printable_excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return printable(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return printable(text.substr(0, cut)) + "...";
}

void PrintableFilter::append(std::string_view piece, std::string& out) {
  if (pending_.empty()) {
    const std::size_t used = escape_into(piece, /*at_end=*/false, line_ends_, out);
    pending_.assign(piece.substr(used));
    return;
  }
  std::string joined = pending_ + std::string(piece);
  const std::size_t used = escape_into(joined, /*at_end=*/false, line_ends_, out);
  pending_ = joined.substr(used);
}

void PrintableFilter::finish(std::string& out) {
  escape_into(pending_, /*at_end=*/true, line_ends_, out);
  pending_.clear();
}

}  // namespace certbed::repair
