#include "certbed/repair/formats/inf/property_inf.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "certbed/repair/formats/text_file.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

constexpr std::size_t kMaxInfBytes = std::size_t{16} << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && to_lower_ascii(s.substr(0, prefix.size())) == prefix;
}

// ---- Lexical layer: Windows INF (SetupAPI) rules -------------------------------------------

struct InfLine {
  std::size_t line = 0;
  std::optional<std::string> key;  // nullopt when the line has no '='
  std::string value;               // fields re-joined with ',' (SetupGetLineText)
};

struct InfSection {
  std::string name;  // lower-case
  std::vector<InfLine> lines;
};

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

// ---- Numbers, OIDs -------------------------------------------------------------------------

std::optional<std::uint32_t> parse_number(std::string_view text) {
  text = trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    return std::nullopt;  // "020": octal to C's wcstoul, decimal to people
  }
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool valid_oid(std::string_view oid) {
  if (oid.empty() || oid.front() == '.' || oid.back() == '.' ||
      oid.find("..") != std::string_view::npos) {
    return false;
  }
  std::size_t dots = 0;
  for (char c : oid) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots >= 1;
}

void put_length(Bytes& out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
    return;
  }
  Bytes digits;
  while (len) {
    digits.insert(digits.begin(), static_cast<std::uint8_t>(len & 0xFF));
    len >>= 8;
  }
  out.push_back(static_cast<std::uint8_t>(0x80 | digits.size()));
  out.insert(out.end(), digits.begin(), digits.end());
}

Result<Bytes> encode_oid(std::string_view oid) {
  if (!valid_oid(oid)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "\"" + std::string(oid) + "\" is not a dotted object identifier");
  }
  std::vector<std::uint64_t> arcs;
  std::size_t start = 0;
  while (start <= oid.size()) {
    auto dot = oid.find('.', start);
    if (dot == std::string_view::npos) dot = oid.size();
    std::uint64_t arc = 0;
    auto piece = oid.substr(start, dot - start);
    auto [end, ec] = std::from_chars(piece.data(), piece.data() + piece.size(), arc);
    if (ec != std::errc() || end != piece.data() + piece.size() || arc > (1ULL << 56)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "object identifier arc too large in \"" + std::string(oid) + "\"");
    }
    arcs.push_back(arc);
    start = dot + 1;
  }
  if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "\"" + std::string(oid) + "\" is not a valid object identifier");
  }
  Bytes body;
  auto put_arc = [&body](std::uint64_t v) {
    Bytes tmp{static_cast<std::uint8_t>(v & 0x7F)};
    while (v >>= 7) tmp.insert(tmp.begin(), static_cast<std::uint8_t>(0x80 | (v & 0x7F)));
    body.insert(body.end(), tmp.begin(), tmp.end());
  };
  put_arc(arcs[0] * 40 + arcs[1]);
  for (std::size_t k = 2; k < arcs.size(); ++k) put_arc(arcs[k]);
  Bytes out{0x06};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// ---- Writer checks -------------------------------------------------------------------------

Status check_writable_text(std::string_view text, std::string_view what) {
  auto refuse = [&](const std::string& why) {
    return make_error(ErrorCode::kUnsafe, std::string(what) + " \"" + std::string(text) +
                                              "\" cannot be written to an INF file safely: " + why);
  };
  if (!is_valid_utf8(text)) return refuse("it is not valid UTF-8");
  for (unsigned char c : text) {
    if (c == '"') return refuse("it contains a double quote");
    if (c == '\r' || c == '\n') return refuse("it contains a line break");
    if (c < 0x20 || c == 0x7F) return refuse("it contains a control character");
    if (c == '%') return refuse("it contains '%', which INF string substitution would expand");
  }
  return {};
}

}  // namespace

// ---- Key provider text ---------------------------------------------------------------------

Result<KeyProvInfo> KeyProvText::to_key_prov_info() const {
  if (!container || container->empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the key provider text gives no Container");
  }
  if (!provider || provider->empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the key provider text gives no Provider");
  }
  return KeyProvInfo{*container,           *provider, provider_type.value_or(0), flags.value_or(0),
                     key_spec.value_or(0), {}};
}

Result<KeyProvText> parse_key_prov_text(std::string_view text) {
  KeyProvText out;
  auto bad = [](std::string message) { return make_error(ErrorCode::kParse, std::move(message)); };
  std::size_t start = 0;
  while (start < text.size()) {
    auto amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view item = trim(text.substr(start, amp - start));
    start = amp + 1;
    if (item.empty()) {
      if (amp == text.size() || trim(text.substr(start)).empty()) break;  // trailing '&'
      return bad("empty item between '&' separators in the key provider text");
    }
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      return bad("expected Name=Value in the key provider text, found \"" + std::string(item) +
                 "\"");
    }
    const std::string key = to_lower_ascii(trim(item.substr(0, eq)));
    const std::string_view value = trim(item.substr(eq + 1));
    auto number = [&](std::optional<std::uint32_t>& slot, const char* name) -> Status {
      if (slot) return bad(std::string(name) + " is given twice in the key provider text");
      auto n = parse_number(value);
      if (!n) {
        return bad(std::string(name) + " must be a decimal or 0x hex number, found \"" +
                   std::string(value) + "\"");
      }
      slot = *n;
      return {};
    };
    if (key == "container" || key == "provider") {
      auto& slot = key == "container" ? out.container : out.provider;
      const char* name = key == "container" ? "Container" : "Provider";
      if (slot) return bad(std::string(name) + " is given twice in the key provider text");
      if (value.empty()) return bad(std::string(name) + " is empty in the key provider text");
      slot = std::string(value);
    } else if (key == "providertype") {
      if (auto s = number(out.provider_type, "ProviderType"); !s) return s.error();
    } else if (key == "flags") {
      if (auto s = number(out.flags, "Flags"); !s) return s.error();
    } else if (key == "keyspec") {
      if (auto s = number(out.key_spec, "KeySpec"); !s) return s.error();
      if (*out.key_spec > 2) {
        return bad("KeySpec must be 0, 1 or 2, found \"" + std::string(value) + "\"");
      }
    } else {
      return bad("unknown key \"" + std::string(trim(item.substr(0, eq))) +
                 "\" in the key provider text (expected Container, Provider, ProviderType, "
                 "Flags or KeySpec)");
    }
  }
  return out;
}

// ---- EKU -----------------------------------------------------------------------------------

Result<Bytes> encode_eku_list(const std::vector<std::string>& oids) {
  Bytes body;
  for (const auto& oid : oids) {
    auto encoded = encode_oid(oid);
    if (!encoded) return encoded.error();
    body.insert(body.end(), encoded->begin(), encoded->end());
  }
  Bytes out{0x30};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<std::vector<std::string>> decode_eku_list(ByteView der) {
  auto bad = [] {
    return make_error(ErrorCode::kParse, "not a DER SEQUENCE OF OBJECT IDENTIFIER");
  };
  // Reads tag + length at `pos`; returns the content span.
  auto read = [&](std::size_t& pos, std::uint8_t tag, ByteView& content) -> bool {
    if (der.size() - pos < 2 || der[pos] != tag) return false;
    std::size_t len = der[pos + 1];
    std::size_t header = 2;
    if (len & 0x80) {
      const std::size_t n = len & 0x7F;
      if (n == 0 || n > 3 || der.size() - pos < 2 + n) return false;
      len = 0;
      for (std::size_t k = 0; k < n; ++k) len = (len << 8) | der[pos + 2 + k];
      header += n;
    }
    if (der.size() - pos - header < len) return false;
    content = der.subspan(pos + header, len);
    pos += header + len;
    return true;
  };
  std::size_t pos = 0;
  ByteView seq;
  if (!read(pos, 0x30, seq) || pos != der.size()) return bad();
  std::vector<std::string> out;
  std::size_t at = 0;
  const ByteView all = seq;
  while (at < all.size()) {
    ByteView oid;
    std::size_t p = at;
    // Reuse `read` over the sequence body by temporarily viewing it as the whole input.
    if (all.size() - p < 2 || all[p] != 0x06 || (all[p + 1] & 0x80) ||
        all.size() - p - 2 < all[p + 1] || all[p + 1] == 0) {
      return bad();
    }
    oid = all.subspan(p + 2, all[p + 1]);
    at = p + 2 + all[p + 1];
    std::string text;
    std::uint64_t value = 0;
    bool first = true;
    for (std::size_t k = 0; k < oid.size(); ++k) {
      if (value > (1ULL << 56)) return bad();
      value = (value << 7) | (oid[k] & 0x7F);
      if (oid[k] & 0x80) {
        if (k + 1 == oid.size()) return bad();
        continue;
      }
      if (first) {
        const std::uint64_t a = value < 80 ? value / 40 : 2;
        text = std::to_string(a) + "." + std::to_string(value - a * 40);
        first = false;
      } else {
        text += "." + std::to_string(value);
      }
      value = 0;
    }
    out.push_back(std::move(text));
  }
  return out;
}

// ---- Semantic layer: [Properties] ----------------------------------------------------------

Result<PropertyInf> parse_property_inf(std::string_view bytes, const std::string& source) {
  if (bytes.size() > kMaxInfBytes) {
    return make_error(ErrorCode::kParse, "file is larger than 16 MiB; not a property INF",
                      SourceLocation{source, 0, 0});
  }
  auto decoded = decode_text_file(bytes, source);
  if (!decoded) return decoded.error();
  PropertyInf out;
  out.encoding = decoded->encoding;
  InfLexer lexer(source, out.warnings);
  auto sections = lexer.lex(decoded->utf8);
  if (!sections) return sections.error();

  auto error = [&](std::size_t line, std::string message) {
    return make_error(ErrorCode::kParse, std::move(message), SourceLocation{source, line, 0});
  };

  std::map<std::string, std::string> strings;
  for (const auto& section : *sections) {
    if (section.name != "strings") continue;
    for (const auto& line : section.lines) {
      if (line.key) strings[to_lower_ascii(*line.key)] = line.value;
    }
  }

  struct Pending {
    std::uint32_t id;
    std::size_t line;
    std::string raw;
  };
  std::vector<Pending> pending;
  bool saw_properties = false;
  for (const auto& section : *sections) {
    if (section.name != "properties") continue;  // [Version], [Extensions], ... are not ours
    saw_properties = true;
    for (const auto& line : section.lines) {
      if (!line.key) {
        return error(line.line,
                     "expected \"<property id> = <value>\" or \"_continue_ = <value>\", "
                     "found \"" +
                         line.value + "\"");
      }
      const std::string key = to_lower_ascii(trim(*line.key));
      const std::string value = substitute_strings(line.value, strings);
      if (key == "_continue_") {
        if (pending.empty()) {
          return error(line.line, "_continue_ line before any property line");
        }
        pending.back().raw += value;
        continue;
      }
      std::uint32_t id = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (key.empty() || ec != std::errc() || end != key.data() + key.size() ||
          !is_settable_property_id(id)) {
        return error(line.line,
                     "expected a property id (a number from 1 to 65535, not 32-35) "
                     "or _continue_, found \"" +
                         std::string(trim(*line.key)) + "\"");
      }
      pending.push_back(Pending{id, line.line, value});
    }
  }
  if (!saw_properties) {
    return make_error(ErrorCode::kParse, "no [Properties] section", SourceLocation{source, 0, 0});
  }

  for (const auto& p : pending) {
    InfProperty prop;
    prop.id = static_cast<PropertyId>(p.id);
    prop.line = p.line;
    const std::string label = property_label(prop.id);
    std::string_view raw = p.raw;
    if (trim(raw).empty()) {
      prop.kind = InfValueKind::kDelete;
    } else if (to_lower_ascii(trim(raw)) == "empty") {
      prop.kind = InfValueKind::kEmpty;
    } else if (starts_with_ci(raw, "{hex}")) {
      prop.kind = InfValueKind::kHex;
      auto bytes_value = parse_hex(raw.substr(5));
      if (!bytes_value) {
        return error(p.line, label + ": expected hex byte pairs after {hex}");
      }
      prop.value = std::move(*bytes_value);
    } else if (starts_with_ci(raw, "{text}")) {
      prop.kind = InfValueKind::kText;
      prop.text = std::string(raw.substr(6));
      switch (prop.id) {
        case PropertyId::CERT_KEY_PROV_INFO_PROP_ID: {
          auto kp = parse_key_prov_text(prop.text);
          if (!kp) return error(p.line, label + ": " + kp.error().message);
          auto info = kp->to_key_prov_info();
          if (!info) return error(p.line, label + ": " + info.error().message);
          auto encoded = encode_key_prov_info(*info);
          if (!encoded) return error(p.line, label + ": " + encoded.error().message);
          prop.key_provider = std::move(*kp);
          prop.value = std::move(*encoded);
          break;
        }
        case PropertyId::CERT_ENHKEY_USAGE_PROP_ID: {
          std::size_t start = 0;
          while (start <= prop.text.size()) {
            auto comma = prop.text.find(',', start);
            if (comma == std::string::npos) comma = prop.text.size();
            const auto item = trim(std::string_view(prop.text).substr(start, comma - start));
            if (!item.empty()) prop.ekus.emplace_back(item);
            start = comma + 1;
          }
          auto der = encode_eku_list(prop.ekus);
          if (!der) return error(p.line, label + ": " + der.error().message);
          prop.value = std::move(*der);
          break;
        }
        case PropertyId::CERT_FRIENDLY_NAME_PROP_ID:
        case PropertyId::CERT_DESCRIPTION_PROP_ID: {
          auto wide = utf8_to_utf16le(prop.text);
          if (!wide) return error(p.line, label + ": text is not valid UTF-8");
          wide->push_back(0);
          wide->push_back(0);
          prop.value = std::move(*wide);
          break;
        }
        default:
          return error(p.line, label +
                                   ": {text} is defined only for properties 2, 9, 11 and 13; "
                                   "write this one as {hex}");
      }
    } else {
      return error(p.line, label +
                               ": expected \"{text}...\", \"{hex}...\", Empty or nothing "
                               "(to delete), found \"" +
                               std::string(trim(raw)) + "\"");
    }
    // A repeated id: the later line wins, as applying the file in order would do.
    auto same = std::find_if(out.properties.begin(), out.properties.end(),
                             [&](const InfProperty& q) { return q.id == prop.id; });
    if (same != out.properties.end()) {
      out.warnings.push_back(InfWarning{p.line, label + " is given again (first on line " +
                                                    std::to_string(same->line) +
                                                    "); this later value replaces it"});
      out.properties.erase(same);
    }
    out.properties.push_back(std::move(prop));
  }
  return out;
}

// ---- Writer --------------------------------------------------------------------------------

InfProperty inf_key_provider(const KeyProvInfo& info) {
  InfProperty p;
  p.id = PropertyId::CERT_KEY_PROV_INFO_PROP_ID;
  p.kind = InfValueKind::kText;
  p.key_provider =
      KeyProvText{info.container, info.provider, info.provider_type, info.flags, info.key_spec};
  auto encoded = encode_key_prov_info(info);
  if (encoded) p.value = std::move(*encoded);
  return p;
}

InfProperty inf_hex(PropertyId id, Bytes value) {
  InfProperty p;
  p.id = id;
  p.kind = InfValueKind::kHex;
  p.value = std::move(value);
  return p;
}

Result<std::string> write_property_inf(const std::vector<InfProperty>& properties) {
  std::string out = "[Properties]\r\n";
  auto line = [&out](const std::string& text) { out += text + "\r\n"; };
  auto hex_of = [](std::uint32_t v) {
    char buf[16];
    if (v == 0) return std::string("0");
    std::snprintf(buf, sizeof(buf), "0x%x", v);
    return std::string(buf);
  };
  for (const auto& p : properties) {
    const std::string id = std::to_string(to_number(p.id));
    if (!is_settable_property_id(to_number(p.id))) {
      return make_error(ErrorCode::kInvalidArgument, "property id " + id + " cannot be set");
    }
    switch (p.kind) {
      case InfValueKind::kDelete:
        line(id + " =");
        break;
      case InfValueKind::kEmpty:
        line(id + " = Empty");
        break;
      case InfValueKind::kHex: {
        line(id + " = \"{hex}\"");
        for (std::size_t at = 0; at < p.value.size(); at += 16) {
          std::string bytes_text;
          for (std::size_t k = at; k < std::min(p.value.size(), at + 16); ++k) {
            if (k != at) bytes_text += ' ';
            bytes_text += to_hex(ByteView(&p.value[k], 1));
          }
          line("  _continue_ = \"" + bytes_text + "\"");
        }
        break;
      }
      case InfValueKind::kText: {
        if (p.id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
          if (!p.key_provider) {
            return make_error(ErrorCode::kInvalidArgument, "property 2 has no key provider text");
          }
          const auto& kp = *p.key_provider;
          std::vector<std::string> items;
          for (auto [name, value] :
               {std::pair{"Container", &kp.container}, std::pair{"Provider", &kp.provider}}) {
            if (!*value) continue;
            const std::string& v = **value;
            if (auto s = check_writable_text(v, name); !s) return s.error();
            if (v.find_first_of("&=") != std::string::npos) {
              return make_error(ErrorCode::kUnsafe,
                                std::string(name) + " \"" + v +
                                    "\" cannot be written to an INF file safely: the key provider "
                                    "text has no escape for '&' or '='");
            }
            if (v.empty() || v != trim(v)) {
              return make_error(ErrorCode::kUnsafe,
                                std::string(name) + " \"" + v +
                                    "\" cannot be written to an INF file safely: certutil trims "
                                    "spaces at the ends of key provider values");
            }
            items.push_back(std::string(name) + "=" + v);
          }
          if (kp.provider_type)
            items.push_back("ProviderType=" + std::to_string(*kp.provider_type));
          if (kp.flags) items.push_back("Flags=" + hex_of(*kp.flags));
          if (kp.key_spec && *kp.key_spec > 2) {
            // parse_key_prov_text refuses it, so the INF could never be read back.
            return make_error(ErrorCode::kUnsafe,
                              "KeySpec " + std::to_string(*kp.key_spec) +
                                  " cannot be written to an INF file: the key provider text "
                                  "takes only 0, 1 or 2");
          }
          if (kp.key_spec) items.push_back("KeySpec=" + std::to_string(*kp.key_spec));
          line(id + " = \"{text}\"");
          for (std::size_t k = 0; k < items.size(); ++k) {
            line("  _continue_ = \"" + items[k] + (k + 1 < items.size() ? "&" : "") + "\"");
          }
        } else if (p.id == PropertyId::CERT_ENHKEY_USAGE_PROP_ID) {
          line(id + " = \"{text}\"");
          for (std::size_t k = 0; k < p.ekus.size(); ++k) {
            // The reader encodes every OID; one it cannot encode (bad first arcs, an arc over
            // 2^56) would make the INF unreadable.
            if (auto der = encode_oid(p.ekus[k]); !der) {
              return make_error(ErrorCode::kUnsafe, der.error().message);
            }
            line("  _continue_ = \"" + p.ekus[k] + (k + 1 < p.ekus.size() ? "," : "") + "\"");
          }
        } else if (p.id == PropertyId::CERT_FRIENDLY_NAME_PROP_ID ||
                   p.id == PropertyId::CERT_DESCRIPTION_PROP_ID) {
          if (auto s = check_writable_text(p.text, property_label(p.id)); !s) return s.error();
          line(id + " = \"{text}" + p.text + "\"");
        } else {
          return make_error(ErrorCode::kUnsupported,
                            property_label(p.id) +
                                ": {text} is defined only for properties 2, 9, "
                                "11 and 13");
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace certbed::repair
