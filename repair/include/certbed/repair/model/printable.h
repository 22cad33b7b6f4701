// Text from input (names, subjects, dump lines) made safe to show on a terminal or in a text
// file a person reads: nothing in it can move the cursor, recolour, retitle or reorder the screen.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace certbed::repair {

// What gets escaped, and how:
// - C0 controls U+0000..U+001F (TAB, CR, LF and ESC too) and DEL: "\x1b" (two lower-case hex
//   digits). They are the terminal's commands.
// - C1 controls U+0080..U+009F: "\u009b". U+009B is an 8-bit CSI that many terminals obey.
// - The line and paragraph separators U+2028, U+2029 and the bidi embeddings, overrides and
//   isolates U+202A..U+202E, U+2066..U+2069: "\u202e". Viewers break lines at the first two, and
//   the others make a value display in another order than its bytes ("Trojan Source").
// - A byte that is not part of well-formed UTF-8 (stray continuation bytes, overlong forms,
//   surrogates, truncated sequences): "\xNN", one escape per byte, so the raw bytes stay readable.
// Everything else, ordinary non-ASCII text included (Müller, 東京, emoji), is kept. A backslash
// is kept too, so "\x1b" in the output can also be those four characters in the input.
std::string printable(std::string_view text);

// printable() of at most `max_bytes` of `text`, cut before a character, with "..." when cut:
// an excerpt of input quoted in a message.
std::string printable_excerpt(std::string_view text, std::size_t max_bytes);

// The same escaping over text that arrives in pieces (an output stream): a character split
// between two pieces is held until the rest arrives. With LineEnds::kKeep, LF and a CR directly
// before LF pass through, so line-oriented output (and CRLF output) keeps its lines.
class PrintableFilter {
 public:
  enum class LineEnds { kEscape, kKeep };
  explicit PrintableFilter(LineEnds line_ends) : line_ends_(line_ends) {}

  // Appends the escaped form of `piece` to `out`, holding back an unfinished character.
  void append(std::string_view piece, std::string& out);
  // Escapes whatever is held back (the input ended inside a character, or on a CR).
  void finish(std::string& out);

 private:
  LineEnds line_ends_;
  std::string pending_;
};

}  // namespace certbed::repair
