// printable(): which characters are escaped, in which form, and that split input is handled.
#include "certbed/repair/model/printable.h"

#include <gtest/gtest.h>

#include <string>

namespace certbed::repair {
namespace {

TEST(Printable, C0ControlsAndDelBecomeHexEscapes) {
  EXPECT_EQ(printable("a\x1b]0;pwned\x07z"), "a\\x1b]0;pwned\\x07z");
  EXPECT_EQ(printable("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(printable("tab\tcr\rlf\n"), "tab\\x09cr\\x0dlf\\x0a");
  EXPECT_EQ(printable(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
}

TEST(Printable, C1ControlsLineSeparatorsAndBidiControlsBecomeUnicodeEscapes) {
  EXPECT_EQ(printable("csi\xC2\x9B"
                      "2J"),
            "csi\\u009b2J");
  EXPECT_EQ(printable("\xC2\x80\xC2\x9F"), "\\u0080\\u009f");
  EXPECT_EQ(printable("a\xE2\x80\xAEz"), "a\\u202ez");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(printable("\xE2\x80\xA8\xE2\x80\xA9"), "\\u2028\\u2029");
  EXPECT_EQ(printable("\xE2\x80\xAA\xE2\x81\xA6\xE2\x81\xA9"), "\\u202a\\u2066\\u2069");
}

TEST(Printable, OrdinaryTextIsKeptByteForByte) {
  const std::string text =
      "M\xC3\xBCller \xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x94\x91 R&D \"Root\" 100% ^ O'Brien \\ "
      "\xC2\xA0\xE2\x80\x8F\xE2\x80\xAF";
  EXPECT_EQ(printable(text), text);
}

TEST(Printable, BytesOutsideWellFormedUtf8BecomeHexEscapesOneEach) {
  EXPECT_EQ(printable("a\xFFz"), "a\\xffz");
  EXPECT_EQ(printable("\x80"), "\\x80");                             // stray continuation byte
  EXPECT_EQ(printable("\xC0\xAF"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(printable("\xED\xA0\x80"), "\\xed\\xa0\\x80");           // surrogate U+D800
  EXPECT_EQ(printable("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(printable("\xE6\x9D"), "\\xe6\\x9d");                    // truncated at the end
  EXPECT_EQ(printable("\xE6\x9Dz"), "\\xe6\\x9dz");
  EXPECT_EQ(printable("\xC2\xC3\xBC"), "\\xc2\xC3\xBC");  // the next character survives
}

TEST(PrintableExcerpt, CutsBeforeACharacterAndEscapesWhatIsLeft) {
  EXPECT_EQ(printable_excerpt("short\x1b", 60), "short\\x1b");
  EXPECT_EQ(printable_excerpt("ab\xE6\x9D\xB1", 4), "ab...");
  EXPECT_EQ(printable_excerpt("\x1b\x1b\x1b", 2), "\\x1b\\x1b...");
}

std::string filter_in_pieces(std::string_view text, std::size_t piece,
                             PrintableFilter::LineEnds line_ends) {
  PrintableFilter filter(line_ends);
  std::string out;
  for (std::size_t at = 0; at < text.size(); at += piece)
    filter.append(text.substr(at, piece), out);
  filter.finish(out);
  return out;
}

TEST(PrintableFilter, KeepsLineEndsAndCrlfButEscapesALoneCr) {
  const auto keep = PrintableFilter::LineEnds::kKeep;
  EXPECT_EQ(filter_in_pieces("a\r\nb\nc\rd\r", 100, keep), "a\r\nb\nc\\x0dd\\x0d");
  EXPECT_EQ(filter_in_pieces("a\r\nb", 1, keep), "a\r\nb");
  EXPECT_EQ(filter_in_pieces("a\nb", 1, PrintableFilter::LineEnds::kEscape), "a\\x0ab");
}

TEST(PrintableFilter, GivesTheSameResultWhateverThePieceSize) {
  const std::string text =
      "M\xC3\xBCller\r\n\xE6\x9D\xB1\xE4\xBA\xAC\xF0\x9F\x94\x91\x1b[2J\xC2\x9B\xE2\x80\xAE\xFF"
      "\xE6\x9D\r\n\xF0\x9F";
  const std::string whole = filter_in_pieces(text, text.size(), PrintableFilter::LineEnds::kKeep);
  EXPECT_EQ(whole,
            "M\xC3\xBCller\r\n\xE6\x9D\xB1\xE4\xBA\xAC\xF0\x9F\x94\x91\\x1b[2J\\u009b\\u202e\\xff"
            "\\xe6\\x9d\r\n\\xf0\\x9f");
  for (std::size_t piece = 1; piece < 8; ++piece) {
    EXPECT_EQ(filter_in_pieces(text, piece, PrintableFilter::LineEnds::kKeep), whole) << piece;
  }
}

}  // namespace
}  // namespace certbed::repair
