// The lexical layer of property INF files: sections, entries and fields by the Windows INF
// (SetupAPI) rules, and [Strings] substitution.
#include <map>

#include "inf_internal.h"

namespace certbed::repair::inf_detail {
namespace {

class InfLexer {
 public:
  InfLexer(const std::string& source, std::vector<InfWarning>& warnings)
      : source_(source), warnings_(warnings) {}

  Result<std::vector<InfSection>> lex(std::string_view text) {
    std::vector<InfSection> sections;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view physical = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      const std::size_t start_line = line_no;
      std::string logical(physical);
      // '\' as the last non-blank character continues the entry on the next line.
      while (true) {
        if (!logical.empty() && logical.back() == '\r') logical.pop_back();
        const auto last = logical.find_last_not_of(" \t");
        if (last == std::string::npos || logical[last] != '\\' || pos >= text.size()) break;
        logical.resize(last);
        std::size_t next_end = text.find('\n', pos);
        if (next_end == std::string_view::npos) next_end = text.size();
        logical += text.substr(pos, next_end - pos);
        pos = next_end + 1;
        ++line_no;
      }
      if (auto z = logical.find('\x1A'); z != std::string::npos) {  // Ctrl-Z ends the file
        logical.resize(z);
        pos = text.size();
      }
      if (logical.find('\0') != std::string::npos) {
        // SetupAPI's strings end at a NUL, so Windows would read a shorter value than this.
        return error(start_line,
                     "a NUL character in the line: SetupAPI would end the text there and read "
                     "a cut value");
      }
      std::string_view view = trim(logical);
      if (view.empty() || view.front() == ';') continue;
      if (view.front() == '[') {
        const auto close = view.find(']');
        if (close == std::string_view::npos) {
          return error(start_line, "expected ']' to close the section name");
        }
        sections.push_back(InfSection{to_lower_ascii(trim(view.substr(1, close - 1))), {}});
        continue;
      }
      if (sections.empty()) {
        return error(start_line,
                     "expected a section name such as [Properties] before the first "
                     "entry");
      }
      auto entry = lex_entry(logical, start_line);
      if (!entry) return entry.error();
      sections.back().lines.push_back(std::move(*entry));
    }
    return sections;
  }

 private:
  Error error(std::size_t line, std::string message) const {
    return make_error(ErrorCode::kParse, std::move(message), SourceLocation{source_, line, 0});
  }

  // key = field[,field...]; quotes removed ("" is a literal quote), ';' outside quotes starts
  // a comment, unquoted edge spaces dropped, TAB read as a space.
  Result<InfLine> lex_entry(std::string_view text, std::size_t line) {
    InfLine out;
    out.line = line;
    std::vector<std::string> fields;
    std::string field;
    bool in_field = false;            // a non-space character or quote was seen in this field
    bool closed_quote = false;        // this field already had a closed quoted part
    std::size_t unquoted_spaces = 0;  // trailing unquoted spaces, dropped at the field's end
    bool saw_equals = false;
    auto end_field = [&] {
      field.resize(field.size() - unquoted_spaces);
      fields.push_back(std::move(field));
      field.clear();
      in_field = false;
      closed_quote = false;
      unquoted_spaces = 0;
    };
    std::size_t i = 0;
    while (i < text.size()) {
      char c = text[i];
      if (c == '\t') c = ' ';
      if (c == '"') {
        if (closed_quote) return stray(text, i, line, out, fields, field, saw_equals);
        // Quoted run: up to the next lone quote.
        std::size_t j = i + 1;
        bool terminated = false;
        while (j < text.size()) {
          if (text[j] == '"') {
            if (j + 1 < text.size() && text[j + 1] == '"') {
              field += '"';
              j += 2;
              continue;
            }
            terminated = true;
            break;
          }
          field += text[j] == '\t' ? ' ' : text[j];
          ++j;
        }
        if (!terminated) {
          // Wine closes an open quote silently at the end of the line; refusing is safer.
          return error(line, "expected a closing '\"' before the end of the line");
        }
        in_field = true;
        closed_quote = true;
        unquoted_spaces = 0;
        i = j + 1;
        continue;
      }
      if (c == ';') break;
      if (c == '=' && !saw_equals && fields.empty()) {
        saw_equals = true;
        end_field();
        out.key = fields.back();
        fields.clear();
        ++i;
        continue;
      }
      if (c == ',') {
        end_field();
        ++i;
        continue;
      }
      if (c == ' ') {
        if (in_field) {
          field += ' ';
          ++unquoted_spaces;
        }
        ++i;
        continue;
      }
      if (closed_quote) return stray(text, i, line, out, fields, field, saw_equals);
      field += c;
      in_field = true;
      unquoted_spaces = 0;
      ++i;
    }
    end_field();
    return finish(out, fields, saw_equals);
  }

  // Text after a closing quote (people paste "// Replace ..." notes into real files): certutil
  // would fold it into the value; certbed drops the rest of the line and says so.
  Result<InfLine> stray(std::string_view text, std::size_t at, std::size_t line, InfLine& out,
                        std::vector<std::string>& fields, std::string& field, bool saw_equals) {
    std::string_view rest = trim(text.substr(at));
    constexpr std::size_t kShown = 60;
    std::string shown(rest.substr(0, kShown));
    if (rest.size() > kShown) shown += "...";
    warnings_.push_back(
        InfWarning{line,
                   "text after the closing quote is not part of the value and was ignored "
                   "(INF files have no // comments; certutil would append it to the value): " +
                       shown});
    // Keep what came before the stray text, minus the spaces between them.
    while (!field.empty() && field.back() == ' ') field.pop_back();
    fields.push_back(std::move(field));
    return finish(out, fields, saw_equals);
  }

  Result<InfLine> finish(InfLine& out, std::vector<std::string>& fields, bool saw_equals) {
    if (!saw_equals) {
      out.key.reset();
    }
    std::vector<const std::string*> checked;
    if (out.key) checked.push_back(&*out.key);
    for (const auto& f : fields) checked.push_back(&f);
    for (const std::string* f : checked) {
      if (const std::size_t units = utf16_units(*f); units > kMaxInfFieldChars) {
        // Wine's SetupAPI cuts such a field silently and Windows' at 4096; either way the
        // value read would not be the one written.
        return error(out.line, "a field of " + std::to_string(units) +
                                   " characters is longer than " +
                                   std::to_string(kMaxInfFieldChars) +
                                   ", the most SetupAPI reads back whole (Wine cuts fields at "
                                   "511 characters, Windows at 4096)");
      }
    }
    std::string value;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (k) value += ',';
      value += fields[k];
    }
    out.value = std::move(value);
    return out;
  }

  const std::string& source_;
  std::vector<InfWarning>& warnings_;
};

}  // namespace

Result<std::vector<InfSection>> lex_inf(std::string_view text, const std::string& source,
                                        std::vector<InfWarning>& warnings) {
  InfLexer lexer(source, warnings);
  return lexer.lex(text);
}

// %key% from [Strings]; %% is a literal percent; unknown keys stay as written.
std::string substitute_strings(const std::string& value,
                               const std::map<std::string, std::string>& strings) {
  if (value.find('%') == std::string::npos) return value;
  std::string out;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] != '%') {
      out += value[i++];
      continue;
    }
    const auto close = value.find('%', i + 1);
    if (close == std::string::npos) {
      out += value.substr(i);
      break;
    }
    const std::string key = value.substr(i + 1, close - i - 1);
    if (key.empty()) {
      out += '%';
    } else if (auto it = strings.find(to_lower_ascii(key)); it != strings.end()) {
      out += it->second;
    } else {
      out += value.substr(i, close - i + 1);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace certbed::repair::inf_detail
