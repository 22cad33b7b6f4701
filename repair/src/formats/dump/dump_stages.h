// Private to the dump parser: the stages StoreDumpParser chains, and what they share:
// bytes -> DumpDecoder -> UTF-8 text -> LineAssembler -> logical lines -> RecordBuilder -> records.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "dump_text.h"

namespace certbed::repair::dump_detail {

// What every stage reads and writes: the options, the summary and its capped warning list.
struct ParseContext {
  DumpParserOptions options;
  DumpSummary summary;
  // The open record's DumpCertificate::warnings: warnings raised while it is open count there.
  std::size_t* record_warnings = nullptr;

  void warn(std::size_t line, std::string message);
};

// "================ Certificate 43 ================" with any word, and the text before it
// (documentation indentation, "% ") as the margin to strip from later lines.
struct Separator {
  std::optional<std::uint32_t> index;
  string_view digits;
  string_view margin;
  string_view rest;  // text after the closing rule (lines joined by a doc tool)
};
std::optional<Separator> parse_separator(string_view raw);

// Leading documentation margin of a line: blanks, '%' and '>' (quoting).
string_view margin_of(string_view raw);

// UTF-8 input reaches the line stage as read (a chunk may end inside a character), so it is
// validated per finished line. A line that is not UTF-8 was written in an 8-bit code page: the
// OEM one (cp850, cp437) when certutil's output was redirected to a file, the ANSI one
// (Windows-1252) when an editor saved it. The page is chosen from the accented letters seen so
// far (dump_code_pages.cc), one warning per input; the reading stays a guess.
class CodePageFallback {
 public:
  void enable() { enabled_ = true; }
  // Transcodes a line that is not UTF-8 and returns why it is not read faithfully; nullopt
  // (and the line unchanged) when it is UTF-8.
  std::optional<std::string> apply(std::string& line, std::size_t n, ParseContext& ctx);

 private:
  enum Page { kWindows1252 = 0, kCp850 = 1, kCp437 = 2 };
  void weigh(std::string_view line);
  std::string describe() const;
  Page reading() const;

  bool enabled_ = false;
  bool warned_ = false;
  bool evidence_ = false;                            // a high byte inside a word was seen
  std::array<bool, 3> plausible_{true, true, true};  // by Page: every such byte is a letter there
};

// ---- Logical lines -> certificate records (dump_record.cc, dump_record_fields.cc) ------------

// Holds one certificate record at a time and hands each finished one to the callback.
class RecordBuilder {
 public:
  RecordBuilder(ParseContext& ctx, StoreDumpParser::Callback on_certificate);

  bool in_record() const { return rec_.has_value(); }
  // Something only certutil prints was seen.
  bool evidence() const { return evidence_; }

  // A certificate separator (its margin is the one now in effect): closes the open record and
  // opens the next.
  void on_separator(const Separator& sep, std::size_t n);
  // Any other logical line; `margin` is the documentation margin in effect, which the store
  // header line must share.
  void on_line(string_view text, std::size_t n, string_view margin);
  // The input ended after `last_line` lines: flushes the open record as incomplete.
  void finish(std::size_t last_line);
  // Line `n`, already passed on, was not read faithfully (a code-page guess, U+FFFD, a cut, a
  // NUL): the open record keeps that, so its values are not used in repairs.
  void note_unfaithful(std::size_t n, std::string reason);

 private:
  enum class State {
    kHeader,        // certificate fields
    kNameSection,   // verbose "Issuer:" / "Subject:" RDN lines
    kOpaque,        // algorithm, public key and signature dumps
    kExtensions,    // "Certificate Extensions: n"
    kKeyProvBlock,  // non-verbose "  Key Container = ..." lines
    kFoundKey,      // after "No key provider information"
    kProperty,      // inside "  NAME(id):"
    kAfterProperty,
    kKeyDetail,  // verbose key details after the property list
    kTail,       // after the certificate hash / key lines: status lines
  };
  enum class NameTarget { kIssuer, kSubject, kUndecided };

  void warn(std::size_t line, std::string message) { ctx_.warn(line, std::move(message)); }
  std::string record_name() const;

  // Records and their sections (dump_record.cc).
  void take_store_header(string_view margin);
  void outside_line(string_view text, string_view body, std::size_t n, string_view margin);
  void on_certutil_line(string_view body, std::size_t n, string_view margin);
  void open_record(std::size_t n, std::optional<std::uint32_t> index);
  void close_record(bool complete);
  void flush_tail_pending();
  void note_localized(std::size_t n, string_view label, string_view meaning);
  void record_line(string_view text, string_view body, std::size_t n);
  void on_blank();

  // Certificate fields (dump_record_fields.cc).
  void general_line(std::size_t indent, string_view text, string_view b, std::size_t n);
  void set_serial(string_view v, std::size_t n);
  void set_name(NameTarget target, string_view v);
  void set_date(std::string& field, string_view v, std::size_t n);
  void set_hex(std::string& field, string_view v, std::size_t n, string_view what, bool id);
  bool note_masked(const std::optional<std::string>& mask, string_view what, string_view v,
                   std::size_t n, bool name_in_inf);
  void set_ca_version(string_view v, std::size_t n);
  bool name_line(std::size_t indent, string_view b, std::size_t n);
  void hash_line(const HashLine& h, std::size_t n);
  bool localized_header_line(string_view text, string_view b, std::size_t n);
  void extension_line(string_view b);

  // Properties and key provider (dump_record.cc).
  void start_key_block(const KpLine& kp, std::size_t n);
  void start_property(const PropertyHeader& ph, std::size_t n);
  void end_property();
  void property_line(string_view b, std::size_t n);
  bool after_property_line(std::size_t indent, string_view b, std::size_t n);
  bool kp_line(DumpKeyProvider& kp, string_view b, std::size_t n, bool positional);
  bool apply_kp(DumpKeyProvider& kp, const KpLine& line, std::size_t n, bool positional);

  ParseContext& ctx_;
  const DumpParserOptions& options_;
  DumpSummary& summary_;
  StoreDumpParser::Callback cb_;
  bool evidence_ = false;  // something only certutil prints was seen
  std::size_t orphan_lines_ = 0;

  // Text outside the records: the store header line.
  std::string last_header_;
  std::string first_header_;
  bool seen_outside_text_ = false;
  bool header_taken_ = false;

  // The open record.
  std::optional<DumpCertificate> rec_;
  std::size_t rec_bytes_ = 0;
  bool rec_cut_ = false;
  bool saw_serial_line_ = false;
  State state_ = State::kHeader;
  NameTarget name_target_ = NameTarget::kUndecided;
  NameTarget last_name_target_ = NameTarget::kUndecided;
  std::optional<std::size_t> cur_prop_;
  std::optional<std::size_t> last_prop_;
  bool in_tail_ = false;
  std::vector<std::string> tail_pending_;  // column-0 lines that may be status lines
  std::string ext_oid_;
  std::size_t ext_line_ = 0;
  std::string keyid_label_;
  bool localized_warned_ = false;
};

// ---- UTF-8 text -> physical and logical lines (dump_lines.cc) --------------------------------

// Cuts the text into numbered physical lines (CRLF, length cap), strips the documentation
// margin of the records and joins console-wrapped lines, then passes each logical line on.
class LineAssembler {
 public:
  LineAssembler(ParseContext& ctx, RecordBuilder& records);

  // Set by the decoder for UTF-8 input, which it passes on unvalidated.
  void validate_utf8_lines() { code_pages_.enable(); }
  // Text of the current physical line, and its end.
  void append_to_line(string_view bytes);
  void end_line();
  // The input ended: the last line (without a line break) and a pending wrapped line go on.
  void finish();
  // Physical lines ended so far.
  std::size_t line_count() const { return line_no_; }

 private:
  struct Wrapped {
    std::string text;
    std::size_t line = 0;
    std::size_t last_line = 0;  // of the joined continuation lines
  };
  // Text after a certificate separator: a documentation tool made the record one paragraph and
  // wrapped it again. Its lines are joined with spaces until a blank line.
  struct Reflow {
    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> starts;  // (offset in text, line)
    bool confirmed = false;  // a line that starts with no label continued it
  };

  void warn(std::size_t line, std::string message) { ctx_.warn(line, std::move(message)); }
  string_view strip_margin(string_view raw) const;
  void on_raw_line(string_view raw, std::size_t n);
  void on_logical_line(string_view text, std::size_t n);
  static bool is_console_width(string_view text);
  static bool is_wrap_continuation(string_view text);
  void flush_wrap();
  bool continue_reflow(string_view raw, std::size_t n);
  void flush_reflow();
  void dispatch(string_view text, std::size_t n, std::size_t last = 0,
                const Reflow* reflow = nullptr) {
    dispatch_split(text, n, reflow);
    deliver_unfaithful(std::max(n, last));
  }
  // Passes a line on cut where it runs on into the next label (find_run_on), with a warning.
  void dispatch_split(string_view text, std::size_t n, const Reflow* reflow);
  // Hands the reasons for lines up to `upto` to the records, once they have seen those lines.
  void deliver_unfaithful(std::size_t upto);
  static std::optional<std::string> damage(string_view line);

  ParseContext& ctx_;
  const DumpParserOptions& options_;
  DumpSummary& summary_;
  RecordBuilder& records_;

  // Physical lines.
  CodePageFallback code_pages_;
  std::vector<std::pair<std::size_t, std::string>> unfaithful_;  // not yet delivered
  std::string line_;
  bool line_truncated_ = false;
  std::size_t line_no_ = 0;

  // Logical lines.
  std::string margin_;
  std::optional<Wrapped> wrap_;
  std::optional<Reflow> reflow_;
};

// ---- Bytes -> UTF-8 text (dump_encoding.cc) --------------------------------------------------

// Detects the encoding from the first bytes (BOM, or NUL bytes of BOM-less UTF-16) and passes
// the text on as UTF-8; a code unit or surrogate pair may be split across feed() calls.
class DumpDecoder {
 public:
  DumpDecoder(ParseContext& ctx, LineAssembler& out);

  void feed(string_view bytes);
  // The input ended: detects the encoding of a short input, reports a cut code unit.
  void finish();

 private:
  enum class Encoding { kUnknown, kUtf8, kUtf16le, kUtf16be };

  void warn(std::size_t line, std::string message) { ctx_.warn(line, std::move(message)); }
  void detect_encoding();
  void decode(string_view bytes);
  void on_code_unit(std::uint32_t unit);
  void bad_utf16();
  void emit_code_point(std::uint32_t cp);

  ParseContext& ctx_;
  DumpSummary& summary_;
  LineAssembler& out_;
  Encoding enc_ = Encoding::kUnknown;
  std::string head_;
  int pending_byte_ = -1;
  std::uint32_t high_surrogate_ = 0;
  bool bad_utf16_warned_ = false;
};

}  // namespace certbed::repair::dump_detail
