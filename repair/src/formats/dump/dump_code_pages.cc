// The 8-bit reading of dump lines that are not UTF-8: which code page the text was written in
// (the OEM one when certutil's output was redirected, the ANSI one when an editor saved it),
// chosen from the accented letters seen so far, and the transcoding to UTF-8.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certbed/repair/model/bytes.h"
#include "dump_stages.h"

namespace certbed::repair::dump_detail {
namespace {

struct CodePage {
  std::array<std::uint16_t, 128> high;  // bytes 0x80..0xFF; undefined ones are U+FFFD
  // Per byte 0x80..0xFF: 'l' a lower-case letter, 'L' another letter, '.' anything else.
  std::string_view kinds;
};

// Tables generated from Python's cp1252, cp850 and cp437 codecs (letters by Unicode category).
// Index order is CodePageFallback::Page.
constexpr std::array<CodePage, 3> kPages = {{
    // Windows-1252 (ANSI, Western European)
    {{
         0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
         0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
         0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178, 0x00A0,
         0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB,
         0x00AC, 0x00AD, 0x00AE, 0x00AF, 0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6,
         0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00C0, 0x00C1,
         0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC,
         0x00CD, 0x00CE, 0x00CF, 0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7,
         0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF, 0x00E0, 0x00E1, 0x00E2,
         0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED,
         0x00EE, 0x00EF, 0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7, 0x00F8,
         0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
     },
     "...l....L.L.L.L...........l.l.lL..........L..........l....L....."
     "LLLLLLLLLLLLLLLLLLLLLLL.LLLLLLLllllllllllllllllllllllll.llllllll"},
    // cp850 (OEM, Western European)
    {{
         0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8,
         0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2,
         0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192, 0x00E1,
         0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x00AE, 0x00AC, 0x00BD,
         0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2,
         0x00C0, 0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510, 0x2514, 0x2534,
         0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560,
         0x2550, 0x256C, 0x00A4, 0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE,
         0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580, 0x00D3, 0x00DF, 0x00D4,
         0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE, 0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD,
         0x00AF, 0x00B4, 0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8, 0x00B0,
         0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
     },
     "LlllllllllllllLLLlLllllllLLl.L.llllllLLL.............LLL........"
     "......lL........lLLLLlLLL.....L.LlLLlLllLLLLlL.................."},
    // cp437 (OEM, United States)
    {{
         0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8,
         0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2,
         0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1,
         0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD,
         0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562,
         0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534,
         0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560,
         0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
         0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393,
         0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6,
         0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0,
         0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
     },
     "LlllllllllllllLLLlLllllllLL....llllllLLL........................"
     "................................llLlLlllLLLl.ll.............L..."},
}};

constexpr std::array<std::string_view, 3> kPageNames = {"windows-1252", "cp850", "cp437"};

bool is_ascii_letter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

}  // namespace

void CodePageFallback::weigh(std::string_view line) {
  // A byte inside a word must be a letter in the page the text was written in, and a lower-case
  // one after a lower-case letter ("Jos\xE9" is "José", not "JosÚ"); other high bytes (symbols,
  // box drawing) say nothing.
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (b < 0x80) continue;
    const unsigned char before = i > 0 ? static_cast<unsigned char>(line[i - 1]) : '\0';
    const unsigned char after =
        i + 1 < line.size() ? static_cast<unsigned char>(line[i + 1]) : '\0';
    const bool in_word =
        is_ascii_letter(before) || is_ascii_letter(after) || before >= 0x80 || after >= 0x80;
    if (!in_word) continue;
    const bool after_lower = before >= 'a' && before <= 'z';
    for (std::size_t p = 0; p < kPages.size(); ++p) {
      const char kind = kPages[p].kinds[b - 0x80u];
      if (kind == '.' || (after_lower && kind != 'l')) plausible_[p] = false;
    }
    evidence_ = true;
  }
}

std::string CodePageFallback::describe() const {
  const bool ansi = plausible_[kWindows1252];
  const bool cp850 = plausible_[kCp850];
  const bool cp437 = plausible_[kCp437];
  if (!evidence_ || (ansi && (cp850 || cp437)) || (!ansi && !cp850 && !cp437)) {
    return "an unknown 8-bit code page (read as windows-1252)";
  }
  if (ansi) return "windows-1252 (detected from its accented letters)";
  if (cp850 && cp437) return "cp850 or cp437 (OEM, detected from its accented letters)";
  return std::string(kPageNames[cp850 ? kCp850 : kCp437]) +
         " (OEM, detected from its accented letters)";
}

CodePageFallback::Page CodePageFallback::reading() const {
  if (!plausible_[kWindows1252] && plausible_[kCp850]) return kCp850;
  if (!plausible_[kWindows1252] && plausible_[kCp437]) return kCp437;
  return kWindows1252;
}

std::optional<std::string> CodePageFallback::apply(std::string& line, std::size_t n,
                                                   ParseContext& ctx) {
  if (!enabled_ || is_valid_utf8(line)) return std::nullopt;
  weigh(line);
  const std::string now = describe();
  if (!warned_) {
    warned_ = true;
    ctx.warn(n,
             "not valid UTF-8: reading this and similar lines in an 8-bit code page, a guess "
             "(values with such characters are not used in repairs; capture the dump with "
             "certutil -Unicode to keep every character)");
  }
  ctx.summary.encoding = "utf-8 with 8-bit lines: " + now;
  const CodePage& page = kPages[reading()];
  std::string out;
  out.reserve(line.size() + line.size() / 2);
  for (char ch : line) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
    } else {
      append_utf8(out, page.high[b - 0x80u]);
    }
  }
  line = std::move(out);
  return "not UTF-8: decoded as " + now + ", a guess";
}

}  // namespace certbed::repair::dump_detail
