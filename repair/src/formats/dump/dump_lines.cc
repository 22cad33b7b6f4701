// Second stage of the dump parser: numbered physical lines (CRLF, length cap), the
// documentation margin of the records, and the joining of console-wrapped lines.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "certbed/repair/formats/dump/dump_format.h"
#include "dump_stages.h"

namespace certbed::repair::dump_detail {

namespace df = dump_format;

std::optional<Separator> parse_separator(string_view raw) {
  const std::size_t start = raw.find("====");
  if (start == string_view::npos) return std::nullopt;
  const string_view margin = raw.substr(0, start);
  for (char c : margin) {
    if (!is_blank_char(c) && c != '%' && c != '>') return std::nullopt;
  }
  string_view s = raw.substr(start);
  std::size_t n = 0;
  while (n < s.size() && s[n] == '=') ++n;
  s.remove_prefix(n);
  if (s.empty() || s.front() != ' ') return std::nullopt;
  const std::size_t close = s.find("====");
  if (close == string_view::npos) return std::nullopt;
  const string_view middle = trim(s.substr(0, close));
  const std::size_t last_space = middle.rfind(' ');
  if (last_space == string_view::npos || last_space == 0) return std::nullopt;
  const string_view digits = middle.substr(last_space + 1);
  if (!all_of(digits, is_digit) || middle.substr(0, last_space).find('=') != string_view::npos) {
    return std::nullopt;
  }
  string_view after = s.substr(close);
  std::size_t m = 0;
  while (m < after.size() && after[m] == '=') ++m;
  return Separator{parse_u32(digits, 10), digits, margin, trim(after.substr(m))};
}

// Leading documentation margin of a line: blanks, '%' and '>' (quoting).
string_view margin_of(string_view raw) {
  std::size_t i = 0;
  while (i < raw.size() && (is_blank_char(raw[i]) || raw[i] == '%' || raw[i] == '>')) ++i;
  return raw.substr(0, i);
}

LineAssembler::LineAssembler(ParseContext& ctx, RecordBuilder& records)
    : ctx_(ctx), options_(ctx.options), summary_(ctx.summary), records_(records) {}

void LineAssembler::finish() {
  if (!line_.empty() || line_truncated_) end_line();
  flush_reflow();
  flush_wrap();
  deliver_unfaithful(line_no_);
}

void LineAssembler::append_to_line(string_view bytes) {
  if (line_truncated_) return;
  const std::size_t room =
      options_.max_line_bytes - std::min(line_.size(), options_.max_line_bytes);
  if (bytes.size() <= room) {
    line_ += bytes;
    return;
  }
  line_ += bytes.substr(0, room);
  line_truncated_ = true;
}

void LineAssembler::end_line() {
  ++line_no_;
  summary_.lines = line_no_;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_truncated_) {
    // Cut at a character boundary so the kept part stays valid UTF-8.
    std::size_t cut = line_.size();
    while (cut > 0 && (static_cast<unsigned char>(line_[cut - 1]) & 0xC0) == 0x80) --cut;
    if (cut > 0 && (static_cast<unsigned char>(line_[cut - 1]) & 0x80) != 0) --cut;
    line_.resize(cut);
    warn(line_no_,
         "line longer than " + std::to_string(options_.max_line_bytes) + " bytes: truncated");
    unfaithful_.emplace_back(
        line_no_, "cut at the " + std::to_string(options_.max_line_bytes) + "-byte line limit");
  }
  if (auto guessed = code_pages_.apply(line_, line_no_, ctx_)) {
    unfaithful_.emplace_back(line_no_, std::move(*guessed));
  }
  if (auto damaged = damage(line_)) unfaithful_.emplace_back(line_no_, std::move(*damaged));
  on_raw_line(line_, line_no_);
  line_.clear();
  line_truncated_ = false;
}

// ---- Lines -> logical lines (margin, console wrap) ------------------------------------------

string_view LineAssembler::strip_margin(string_view raw) const {
  if (raw.starts_with(margin_)) return raw.substr(margin_.size());
  // A shorter line (e.g. "%" without its space): drop what it shares with the margin.
  std::size_t i = 0;
  while (i < raw.size() && i < margin_.size() && raw[i] == margin_[i]) ++i;
  return raw.substr(i);
}

void LineAssembler::on_raw_line(string_view raw, std::size_t n) {
  if (auto sep = parse_separator(raw)) {
    flush_reflow();
    margin_ = std::string(sep->margin);
    flush_wrap();
    records_.on_separator(*sep, n);
    deliver_unfaithful(n);
    if (starts_with_line_label(sep->rest)) {
      reflow_ = Reflow{std::string(sep->rest), {{0, n}}, false};
    } else if (!sep->rest.empty()) {
      warn(n, "text after the certificate separator " + quote(sep->rest) +
                  " (lines joined by a documentation tool?)");
      dispatch(sep->rest, n);
    }
    return;
  }
  if (reflow_ && continue_reflow(raw, n)) return;
  string_view text = strip_margin(raw);
  if (!records_.in_record()) {
    // A dump may start at the first record's fields, without a separator.
    const string_view m = margin_of(raw);
    const string_view after = raw.substr(m.size());
    if (after.starts_with(df::kSerialNumber) || after == df::kX509Certificate) {
      margin_ = std::string(m);
      text = after;
    }
  }
  on_logical_line(text, n);
}

void LineAssembler::on_logical_line(string_view text, std::size_t n) {
  if (wrap_) {
    const bool joinable = wrap_->text.size() + text.size() <= options_.max_line_bytes;
    if (joinable && is_wrap_continuation(text)) {
      warn(n,
           "joined to line " + std::to_string(wrap_->line) + " as a console-wrapped continuation");
      wrap_->text += text;
      wrap_->last_line = n;
      if (!is_console_width(text)) flush_wrap();
      return;
    }
    flush_wrap();
  }
  if (records_.in_record() && is_console_width(text) && !trim(text).empty()) {
    wrap_ = Wrapped{std::string(text), n, n};
    return;
  }
  dispatch(text, n);
}

bool LineAssembler::is_console_width(string_view text) {
  const std::size_t len = utf8_length(text);
  return std::find(df::kConsoleWidths.begin(), df::kConsoleWidths.end(), len) !=
         df::kConsoleWidths.end();
}

// The rest of a wrapped value starts at column 0 and looks like no line certutil prints.
bool LineAssembler::is_wrap_continuation(string_view text) {
  if (text.empty() || is_blank_char(text.front())) return false;
  const string_view b = trim(text);
  if (b.empty() || b.back() == ':' || is_elision(b) || is_rule_line(b) || is_status_line(b) ||
      b.starts_with(df::kCertUtilPrefix) || b == df::kArchived ||
      b == df::kNoKeyProviderInformation || b == df::kNonRootCertificate ||
      b == df::kSignatureMatchesPublicKey || parse_property_header(b)) {
    return false;
  }
  return b.find(" = ") == string_view::npos && b.find(": ") == string_view::npos &&
         b.find(df::kFlagNameSeparator) == string_view::npos;
}

void LineAssembler::flush_wrap() {
  if (!wrap_) return;
  Wrapped w = std::move(*wrap_);
  wrap_.reset();
  dispatch(w.text, w.line, w.last_line);
}

// ---- Lines joined by a documentation tool -------------------------------------------------

// After text that followed a separator, a line that starts with no label continues the paragraph
// (so the next line of a record that only lost its first line break ends it), and from then on
// every line up to a blank line, a closing "CertUtil:" line or the line limit.
bool LineAssembler::continue_reflow(string_view raw, std::size_t n) {
  const string_view body = trim(strip_margin(raw));
  Reflow& r = *reflow_;
  if (body.empty() || body.starts_with(df::kCertUtilPrefix) ||
      (!r.confirmed && starts_with_line_label(body)) ||
      r.text.size() + 1 + body.size() > options_.max_line_bytes) {
    flush_reflow();
    return false;
  }
  r.confirmed = true;
  r.text += ' ';
  r.starts.emplace_back(r.text.size(), n);
  r.text += body;
  return true;
}

void LineAssembler::flush_reflow() {
  if (!reflow_) return;
  Reflow r = std::move(*reflow_);
  reflow_.reset();
  const std::size_t first = r.starts.front().second;
  const std::size_t last = r.starts.back().second;
  if (!r.confirmed) {
    warn(first, "text after the certificate separator " + quote(r.text) +
                    " (lines joined by a documentation tool?)");
    dispatch(r.text, first);
    return;
  }
  warn(first, "lines " + std::to_string(first) + "-" + std::to_string(last) +
                  " are certificate lines that a documentation tool joined into one paragraph "
                  "and wrapped again (text follows the separator): read joined with spaces and "
                  "cut at certutil's labels; values from them are not used in repairs");
  // One reason for the paragraph, its lines share it; kept in line order with the others.
  const std::string others =
      last == first + 1 ? "line " + std::to_string(last)
                        : "lines " + std::to_string(first + 1) + "-" + std::to_string(last);
  const auto at = std::find_if(unfaithful_.begin(), unfaithful_.end(),
                               [first](const auto& u) { return u.first > first; });
  unfaithful_.emplace(at, first,
                      "with " + others +
                          ", a paragraph a documentation tool reflowed: where certutil's lines "
                          "ended is a guess");
  dispatch(r.text, first, last, &r);
}

void LineAssembler::dispatch_split(string_view text, std::size_t n, const Reflow* reflow) {
  // The physical line that holds offset `at` of the text.
  auto line_at = [&](std::size_t at) {
    std::size_t line = n;
    if (reflow == nullptr) return line;
    for (const auto& start : reflow->starts) {
      if (start.first <= at) line = start.second;
    }
    return line;
  };
  std::string segment;  // the part after a cut, with its label's own indentation
  string_view rest = text;
  std::size_t offset = 0;  // of rest in text
  std::size_t line = n;
  while (true) {
    const string_view body = trim_left(rest);
    const std::size_t body_offset = offset + (rest.size() - body.size());
    auto run = find_run_on(body, reflow != nullptr);
    if (!run) break;
    const std::size_t next_line = line_at(body_offset + run->at);
    const std::string what = (run->has_value ? "value of '" : "'") + std::string(run->label) + "'";
    // Warned after the line went on, so that a record it opens counts the warning.
    if (!run->split) {
      records_.on_line(rest, line, margin_);
      warn(next_line, what + " runs into what looks like '" + std::string(run->next) +
                          "': kept as printed, as a name may hold that text (if lines were "
                          "joined, capture the dump again)");
      return;
    }
    records_.on_line(trim_right(rest.substr(0, rest.size() - body.size() + run->at)), line,
                     margin_);
    warn(next_line, what + " runs into '" + std::string(run->next) +
                        "' (lines joined by a documentation tool or a mail client?): cut there");
    std::string next = std::string(run->indent) + std::string(body.substr(run->at));
    segment = std::move(next);
    offset = body_offset + run->at - run->indent.size();
    rest = segment;
    line = next_line;
  }
  records_.on_line(rest, line, margin_);
}

// Text the decoder passed on but that does not say what Windows holds: U+FFFD stands for
// something that could not be decoded, and Windows ends a name at a NUL.
std::optional<std::string> LineAssembler::damage(string_view line) {
  if (line.find('\0') != string_view::npos) {
    return std::string("holds a NUL character, where Windows would end the value");
  }
  if (line.find("\xEF\xBF\xBD") != string_view::npos) {
    return std::string("holds U+FFFD, a character that could not be decoded");
  }
  return std::nullopt;
}

void LineAssembler::deliver_unfaithful(std::size_t upto) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < unfaithful_.size(); ++i) {
    if (unfaithful_[i].first <= upto) {
      records_.note_unfaithful(unfaithful_[i].first, std::move(unfaithful_[i].second));
    } else if (kept++ != i) {
      unfaithful_[kept - 1] = std::move(unfaithful_[i]);  // never onto itself
    }
  }
  unfaithful_.resize(kept);
}

}  // namespace certbed::repair::dump_detail
