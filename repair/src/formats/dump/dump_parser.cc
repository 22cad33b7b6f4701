// Streaming parser for certutil store dumps: bytes -> UTF-8 lines -> certificate records.
// Layout facts: reference/certutil-dump-format.md; labels: dump_format.h.
#include "certbed/repair/formats/dump/dump_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/formats/dump/dump_format.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

namespace df = dump_format;
namespace wc = wincrypt;
using std::string_view;

// ---- Text helpers (all bounds-checked through string_view) -----------------------------------

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

string_view trim_left(string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_blank_char(s[i])) ++i;
  return s.substr(i);
}
string_view trim_right(string_view s) {
  std::size_t n = s.size();
  while (n > 0 && is_blank_char(s[n - 1])) --n;
  return s.substr(0, n);
}
string_view trim(string_view s) { return trim_right(trim_left(s)); }

std::size_t indent_of(string_view s) { return s.size() - trim_left(s).size(); }

bool consume(string_view& s, string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// "Serial Number:" matches "Serial Number: x" and a bare "Serial Number:"; value is trimmed.
bool consume_label(string_view s, string_view label_with_space, string_view& value) {
  const string_view label = trim_right(label_with_space);
  if (!s.starts_with(label)) return false;
  string_view rest = s.substr(label.size());
  if (!rest.empty() && !is_blank_char(rest.front())) return false;
  value = trim(rest);
  return true;
}

bool contains_icase(string_view hay, string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

std::size_t utf8_length(string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Short, single-line excerpt of input for messages.
std::string quote(string_view s) {
  constexpr std::size_t kMax = 60;
  std::string out = "'";
  if (s.size() <= kMax) {
    out += s;
  } else {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    out += s.substr(0, cut);
    out += "...";
  }
  out += "'";
  return out;
}

std::optional<std::uint32_t> parse_u32(string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, value, base);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return value;
}

bool all_of(string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// certutil prints numbers as hex without "0x", plus " (decimal)" when they differ:
// "20 (32)", "20" (Windows 8), "1", "0x00000800 (2048)". Never assume decimal.
struct CertutilNumber {
  std::uint32_t value = 0;
  bool decimal_mismatch = false;
};
std::optional<CertutilNumber> parse_certutil_number(string_view text) {
  text = trim(text);
  const std::size_t space = text.find(' ');
  string_view token = text.substr(0, space);
  string_view rest = space == string_view::npos ? string_view() : trim(text.substr(space));
  if (!consume(token, "0x")) consume(token, "0X");
  auto value = parse_u32(token, 16);
  if (!value) return std::nullopt;
  CertutilNumber out{*value, false};
  if (!rest.empty()) {
    if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return std::nullopt;
    auto dec = parse_u32(rest.substr(1, rest.size() - 2), 10);
    if (!dec) return std::nullopt;
    out.decimal_mismatch = *dec != *value;
  }
  return out;
}

std::optional<std::string> hex_value(string_view text) {
  auto hex = normalize_hex(trim(text));
  if (!hex || hex->empty() || hex->size() % 2 != 0) return std::nullopt;
  return hex;
}

// "CN=a", "OID.1.2.3=x", "E=x@y": an attribute name without spaces, then '='.
bool looks_like_rdn(string_view s) {
  const std::size_t eq = s.find('=');
  if (eq == string_view::npos || eq == 0 || !is_alpha(s[0])) return false;
  for (char c : s.substr(0, eq)) {
    if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// "<32 hex>_<GUID>": the MachineKeys / Crypto\Keys file name certutil prints as unique name.
bool looks_like_unique_name(string_view s) {
  return s.size() > 33 && s[32] == '_' && all_of(s.substr(0, 32), is_hex_digit);
}

bool is_oid(string_view s) {
  if (s.empty() || !is_digit(s.front()) || !is_digit(s.back())) return false;
  for (char c : s) {
    if (!is_digit(c) && c != '.') return false;
  }
  return s.find("..") == string_view::npos;
}

// Documentation elisions: "...", "…", "[...]", "--- snip ---".
bool is_elision(string_view body) {
  if (body == "..." || body == "\xE2\x80\xA6" || body == "[...]" || body == "(...)") return true;
  return body.starts_with("---") && body.ends_with("---") && contains_icase(body, "snip");
}

// "<DateTime>": an author's placeholder, not data.
bool is_placeholder(string_view value) {
  return value.size() >= 3 && value.front() == '<' && value.back() == '>' &&
         value.find(' ') == string_view::npos;
}

// "--------------===========================--------------": -scinfo closes each certificate
// with it; only '-' and '=' characters.
bool is_rule_line(string_view body) {
  return body.size() >= 10 &&
         std::all_of(body.begin(), body.end(), [](char c) { return c == '-' || c == '='; });
}

// "C:\>certutil -store my", "PS C:\Users\x> certutil ...": the shell prompt of the next command.
bool is_shell_prompt(string_view body) {
  consume(body, "PS ");
  return body.size() >= 3 && is_alpha(body[0]) && body[1] == ':' && body[2] == '\\' &&
         body.find('>') != string_view::npos;
}

// Interactive prompts certutil prints between records (-exportPFX, smart cards).
bool is_prompt_line(string_view body) {
  return body.starts_with("Enter new password") || body.starts_with("Confirm new password") ||
         body.starts_with("Enter password") || body.starts_with("Enter PIN");
}

// A line that carries a labelled value ("Provider = x", "Subject: x") or an RDN of a verbose
// name block ("CN=x"): its value may end like a status line without being one.
constexpr std::array<string_view, 19> kValueLabels = {df::kSerialNumber,
                                                      df::kIssuer,
                                                      df::kSubject,
                                                      string_view("NotBefore: "),
                                                      string_view("NotAfter: "),
                                                      df::kKeyContainer,
                                                      df::kUniqueContainerName,
                                                      df::kSimpleContainerName,
                                                      df::kProvider,
                                                      df::kProviderType,
                                                      df::kFlags,
                                                      df::kKeySpec,
                                                      df::kTemplate,
                                                      df::kTemplateName,
                                                      df::kCaVersion,
                                                      df::kCertHashPrefix,
                                                      df::kKeyIdHashPrefix,
                                                      df::kNameHashPrefix,
                                                      df::kSignatureHash};

// The first bytes the labels start with: most lines of a verbose dump (hex, extensions) start
// with none of them, so they skip the label comparisons.
constexpr std::array<bool, 256> kValueLabelFirstBytes = [] {
  std::array<bool, 256> first{};
  for (string_view label : kValueLabels) {
    if (!label.empty()) first[static_cast<unsigned char>(label.front())] = true;
  }
  return first;
}();

bool is_value_line(string_view body) {
  if (body.empty()) return false;
  if (kValueLabelFirstBytes[static_cast<unsigned char>(body.front())]) {
    for (string_view label : kValueLabels) {
      if (body.starts_with(label)) return true;
    }
  }
  const std::size_t eq = body.find('=');
  if (eq == 0 || eq == string_view::npos || eq > 64) return false;
  for (char c : body.substr(0, eq)) {
    if (!is_alnum(c) && c != '.') return false;
  }
  return true;
}

bool is_status_line(string_view body) {
  if (is_value_line(body)) return false;
  for (string_view s : df::kStatusLines) {
    if (body == s) return true;
  }
  // Every suffix ends in 'd' or 'D' ("passed", "FAILED", "skipped"): most lines skip the
  // comparisons.
  if (!body.empty() && (body.back() == 'd' || body.back() == 'D')) {
    for (string_view s : df::kStatusSuffixes) {
      if (body.ends_with(s)) return true;
    }
  }
  if (body.starts_with(df::kErrorPrefix)) return true;
  // "<provider>: KeySpec=0" printed by -repairstore. find() skips ahead with memchr; rfind()
  // compares at every position, so it runs only on lines that hold the marker at all.
  if (body.find(df::kRepairKeySpec) != string_view::npos) {
    const std::size_t p = body.rfind(df::kRepairKeySpec);
    if (p > 0) return all_of(body.substr(p + df::kRepairKeySpec.size()), is_digit);
  }
  return body.starts_with("Cannot open the ");
}

// "CERT_KEY_PROV_INFO_PROP_ID(2):", "  CERT_SIGNATURE_HASH_PROP_ID(15) disallowedHash:",
// "Unknown Property(200):" and localized names: a name, a decimal id in parentheses, ':'.
struct PropertyHeader {
  std::uint32_t id = 0;
  string_view name;
  string_view suffix;
  string_view trailing;  // text after the ':' (only in damaged output)
};
std::optional<PropertyHeader> parse_property_header(string_view body) {
  const std::size_t open = body.find('(');
  if (open == string_view::npos || open == 0) return std::nullopt;
  const std::size_t close = body.find(')', open);
  if (close == string_view::npos) return std::nullopt;
  auto id = parse_u32(body.substr(open + 1, close - open - 1), 10);
  if (!id) return std::nullopt;
  const string_view name = trim(body.substr(0, open));
  if (name.empty() || name.find_first_of(":=()") != string_view::npos) return std::nullopt;
  string_view after = body.substr(close + 1);
  const std::size_t colon = after.find(':');
  if (colon == string_view::npos) return std::nullopt;
  const string_view suffix = trim(after.substr(0, colon));
  if (!suffix.empty() && !all_of(suffix, is_alpha)) return std::nullopt;
  const string_view trailing = trim(after.substr(colon + 1));
  const bool symbolic = name.ends_with(df::kPropertyIdSuffix);
  if (!trailing.empty() && !symbolic) return std::nullopt;
  // A localized name must still look like a label, not like "Digital Signature (80):".
  if (!symbolic && name != df::kUnknownProperty && !suffix.empty()) return std::nullopt;
  return PropertyHeader{*id, name, suffix, trailing};
}

// "Cert Hash(sha1): ab cd", "Key Id Hash(rfc-sha1): ...", "Hash de Id. de clave(bcrypt-sha1): ..."
struct HashLine {
  string_view label;
  string_view alg;
  string_view value;
};
std::optional<HashLine> parse_hash_line(string_view body) {
  const std::size_t close = body.find(df::kHashSuffix);
  if (close == string_view::npos) return std::nullopt;
  const std::size_t open = body.rfind('(', close);
  if (open == string_view::npos || open == 0) return std::nullopt;
  const string_view alg = body.substr(open + 1, close - open - 1);
  if (alg.empty() || !std::all_of(alg.begin(), alg.end(),
                                  [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; })) {
    return std::nullopt;
  }
  return HashLine{trim(body.substr(0, open)), alg,
                  trim(body.substr(close + df::kHashSuffix.size()))};
}

// Key provider lines, English or localized ("Proveedor = ", "Marcas = 0").
enum class KpField {
  kContainer,
  kUnique,
  kSimple,
  kProvider,
  kProviderType,
  kFlags,
  kKeySpec,
  kFlagName,
  kOtherEquals,  // "<localized label> = <value>"
  kOtherColon,   // "<localized label>: <value>"
};
struct KpLine {
  KpField field;
  string_view label;
  string_view value;
};

bool is_symbol(string_view s) {
  return all_of(s, [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'; });
}

// "CRYPT_MACHINE_KEYSET -- 20 (32)" or an unnamed bit "0x1 (1)".
std::optional<string_view> parse_flag_decode(string_view body) {
  if (const std::size_t p = body.find(df::kFlagNameSeparator); p != string_view::npos) {
    const string_view name = body.substr(0, p);
    if (is_symbol(name) && parse_certutil_number(body.substr(p + df::kFlagNameSeparator.size()))) {
      return name;
    }
    return std::nullopt;
  }
  if (body.starts_with("0x") && parse_certutil_number(body)) {
    return body.substr(0, body.find(' '));
  }
  return std::nullopt;
}

bool is_key_spec_name(string_view name) {
  return name == "XCN_AT_NONE" || name == "AT_NONE" || name == "AT_KEYEXCHANGE" ||
         name == "AT_SIGNATURE";
}

std::optional<KpLine> parse_kp_line(string_view body) {
  if (auto flag = parse_flag_decode(body)) return KpLine{KpField::kFlagName, {}, *flag};
  // "KeySpec = 2 -- AT_SIGNATURE" in any language: the AT_ name stays English.
  if (const std::size_t dash = body.find(df::kFlagNameSeparator); dash != string_view::npos) {
    const std::size_t eq = body.find(" = ");
    if (eq != string_view::npos && eq < dash &&
        is_key_spec_name(trim(body.substr(dash + df::kFlagNameSeparator.size())))) {
      return KpLine{KpField::kKeySpec, body.substr(0, eq), body.substr(eq + 3)};
    }
  }
  const std::size_t eq = body.find(" =");
  const std::size_t colon = body.find(':');
  if (eq != string_view::npos && (colon == string_view::npos || eq < colon)) {
    const string_view label = body.substr(0, eq);
    const string_view value = trim(body.substr(eq + 2));
    if (label == "Key Container") return KpLine{KpField::kContainer, label, value};
    if (label == "Provider") return KpLine{KpField::kProvider, label, value};
    if (label == "ProviderType") return KpLine{KpField::kProviderType, label, value};
    if (label == "Flags") return KpLine{KpField::kFlags, label, value};
    if (label == "KeySpec") return KpLine{KpField::kKeySpec, label, value};
    if (label.find(" =") != string_view::npos || label.empty()) return std::nullopt;
    return KpLine{KpField::kOtherEquals, label, value};
  }
  if (colon != string_view::npos && colon > 0) {
    const string_view label = body.substr(0, colon);
    const string_view value = trim(body.substr(colon + 1));
    if (label == "Unique container name") return KpLine{KpField::kUnique, label, value};
    if (label == "Simple container name") return KpLine{KpField::kSimple, label, value};
    return KpLine{KpField::kOtherColon, label, value};
  }
  return std::nullopt;
}

bool is_english_kp_field(KpField f) {
  return f != KpField::kOtherEquals && f != KpField::kOtherColon;
}

// "V1.0" (CA Version extension): certificate index . key index.
std::optional<std::uint32_t> parse_ca_version(string_view text) {
  text = trim(text);
  if (!consume(text, "V")) return std::nullopt;
  const std::size_t dot = text.find('.');
  if (dot == string_view::npos) return std::nullopt;
  auto cert = parse_u32(text.substr(0, dot), 10);
  auto key = parse_u32(text.substr(dot + 1), 10);
  if (!cert || !key || *cert > 0xFFFF || *key > 0xFFFF) return std::nullopt;
  return (*key << 16) | *cert;
}

// Windows-1252 bytes 0x80..0x9F; other bytes map to the same code point (Latin-1).
constexpr std::array<std::uint16_t, 32> kCp1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

std::string cp1252_to_utf8(string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  for (char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
    } else if (b < 0xA0) {
      append_utf8(out, kCp1252High[b - 0x80]);
    } else {
      append_utf8(out, b);
    }
  }
  return out;
}

// "My", "my \"Personal\"", "Root \"Trusted Root Certification Authorities\"".
bool parse_store_header(string_view line, std::string& name, std::string& description) {
  const std::size_t space = line.find(' ');
  const string_view token = line.substr(0, space);
  if (token.empty() || token.back() == '.' || token.back() == ':') return false;
  for (char c : token) {
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-' && c != '.' && c != '{' && c != '}' &&
        c != '$') {
      return false;
    }
  }
  string_view desc;
  if (space != string_view::npos) {
    string_view rest = trim(line.substr(space));
    if (rest.size() < 2 || rest.front() != '"' || rest.back() != '"') return false;
    desc = rest.substr(1, rest.size() - 2);
  }
  name = token;
  description = desc;
  return true;
}

// "================ Certificate 43 ================" with any word, and the text before it
// (documentation indentation, "% ") as the margin to strip from later lines.
struct Separator {
  std::optional<std::uint32_t> index;
  string_view digits;
  string_view margin;
  string_view rest;  // text after the closing rule (lines joined by a doc tool)
};
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

}  // namespace

// ============================================================================================

std::string DumpWarning::to_string() const { return std::to_string(line) + ": " + message; }

bool DumpKeyProvider::complete() const {
  return container && provider && provider_type && flags && key_spec;
}

bool DumpKeyProvider::empty() const {
  return !container && !unique_container && !simple_container && !provider && !provider_type &&
         !flags && !key_spec && flag_names.empty();
}

std::string DumpCertificate::to_string() const {
  std::string out = "DumpCertificate{line=" + std::to_string(first_line);
  if (index) out += ", index=" + std::to_string(*index);
  out += ", serial=" + serial + ", subject=\"" + subject + "\", sha1=" + sha1;
  if (key_provider) {
    out += ", key_provider={container=" + key_provider->container.value_or("?") +
           ", provider=" + key_provider->provider.value_or("?");
    if (key_provider->key_spec) out += ", KeySpec=" + std::to_string(*key_provider->key_spec);
    out += "}";
  }
  out += ", properties=" + std::to_string(properties.size()) +
         ", status=" + std::to_string(key_status.size()) +
         (complete ? ", complete" : ", incomplete") + "}";
  return out;
}

class StoreDumpParser::Impl {
 public:
  Impl(Callback cb, std::string source, DumpParserOptions options)
      : cb_(std::move(cb)), options_(options) {
    summary_.source_name = std::move(source);
  }

  void feed(string_view bytes) {
    if (finished_) return;
    std::size_t i = 0;
    if (enc_ == Encoding::kUnknown) {
      while (head_.size() < 3 && i < bytes.size()) head_ += bytes[i++];
      if (head_.size() < 3) return;
      detect_encoding();
    }
    decode(bytes.substr(i));
  }

  Result<DumpSummary> finish() {
    if (finished_) return finish_result();
    finished_ = true;
    if (enc_ == Encoding::kUnknown) detect_encoding();
    if (pending_byte_ >= 0) {
      warn(line_no_ + 1, "UTF-16 input ends in the middle of a code unit; last byte ignored");
      pending_byte_ = -1;
    }
    if (high_surrogate_ != 0) {
      high_surrogate_ = 0;
      emit_code_point(0xFFFD);
    }
    if (!line_.empty() || line_truncated_) end_line();
    flush_wrap();
    if (rec_) {
      warn(line_no_, "input ends inside certificate" + record_name() + " (started at line " +
                         std::to_string(rec_->first_line) +
                         "): the record is incomplete (truncated dump?)");
      close_record(false);
    }
    if (summary_.certificates == 0 && evidence_ && orphan_lines_ > 0) {
      warn(0, "certutil output found but no certificate record (no '" +
                  std::string(df::kSeparatorPrefix) +
                  "N ================' or 'Serial Number:' line): damaged or localized dump");
    }
    return finish_result();
  }

 private:
  enum class Encoding { kUnknown, kUtf8, kUtf16le, kUtf16be };
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

  Result<DumpSummary> finish_result() const {
    if (!evidence_) {
      const std::string what = summary_.source_name.empty() ? "input" : summary_.source_name;
      return make_error(ErrorCode::kParse,
                        what + " is not a certutil store dump: no '" +
                            std::string(df::kSeparatorPrefix) +
                            "N ================' separator, 'Serial Number:' line or "
                            "'CertUtil: -<verb> ...' line in " +
                            std::to_string(summary_.lines) + " lines",
                        SourceLocation{summary_.source_name, summary_.lines, 0});
    }
    return summary_;
  }

  void warn(std::size_t line, std::string message) {
    if (rec_) ++rec_->warnings;
    if (summary_.warnings.size() < options_.max_warnings) {
      summary_.warnings.push_back(DumpWarning{line, std::move(message)});
    } else {
      ++summary_.suppressed_warnings;
    }
  }

  std::string record_name() const {
    if (rec_ && rec_->index) return " " + std::to_string(*rec_->index);
    return "";
  }

  // ---- Bytes -> lines ------------------------------------------------------------------------

  void detect_encoding() {
    const string_view h = head_;
    auto byte = [&h](std::size_t i) { return static_cast<unsigned char>(h[i]); };
    std::size_t skip = 0;
    if (h.size() >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
      enc_ = Encoding::kUtf8;
      summary_.encoding = "utf-8-bom";
      skip = 3;
    } else if (h.size() >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) {
      enc_ = Encoding::kUtf16le;
      summary_.encoding = "utf-16le";
      skip = 2;
    } else if (h.size() >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) {
      enc_ = Encoding::kUtf16be;
      summary_.encoding = "utf-16be";
      skip = 2;
    } else if (h.size() >= 2 && byte(0) != 0 && byte(1) == 0) {
      enc_ = Encoding::kUtf16le;
      summary_.encoding = "utf-16le (no BOM)";
      warn(1, "no byte order mark, but NUL every other byte: reading as UTF-16LE");
    } else if (h.size() >= 2 && byte(0) == 0 && byte(1) != 0) {
      enc_ = Encoding::kUtf16be;
      summary_.encoding = "utf-16be (no BOM)";
      warn(1, "no byte order mark, but NUL every other byte: reading as UTF-16BE");
    } else {
      enc_ = Encoding::kUtf8;
      summary_.encoding = "utf-8";
    }
    const std::string rest = head_.substr(skip);
    head_.clear();
    decode(rest);
  }

  void decode(string_view bytes) {
    if (enc_ == Encoding::kUtf8) {
      while (!bytes.empty()) {
        const std::size_t nl = bytes.find('\n');
        append_to_line(bytes.substr(0, nl));
        if (nl == string_view::npos) return;
        end_line();
        bytes.remove_prefix(nl + 1);
      }
      return;
    }
    for (char ch : bytes) {
      const auto b = static_cast<unsigned char>(ch);
      if (pending_byte_ < 0) {
        pending_byte_ = b;
        continue;
      }
      const auto first = static_cast<std::uint32_t>(pending_byte_);
      pending_byte_ = -1;
      const std::uint32_t unit =
          enc_ == Encoding::kUtf16le ? (first | (std::uint32_t{b} << 8)) : ((first << 8) | b);
      on_code_unit(unit);
    }
  }

  void on_code_unit(std::uint32_t unit) {
    if (high_surrogate_ != 0) {
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        emit_code_point(0x10000 + ((high_surrogate_ - 0xD800) << 10) + (unit - 0xDC00));
        high_surrogate_ = 0;
        return;
      }
      high_surrogate_ = 0;
      bad_utf16();
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      high_surrogate_ = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      bad_utf16();
    } else {
      emit_code_point(unit);
    }
  }

  void bad_utf16() {
    if (!bad_utf16_warned_) {
      bad_utf16_warned_ = true;
      warn(line_no_ + 1, "unpaired UTF-16 surrogate replaced by U+FFFD");
    }
    emit_code_point(0xFFFD);
  }

  void emit_code_point(std::uint32_t cp) {
    if (cp == '\n') {
      end_line();
      return;
    }
    std::string utf8;
    append_utf8(utf8, cp);
    append_to_line(utf8);
  }

  void append_to_line(string_view bytes) {
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

  void end_line() {
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
    }
    if (enc_ == Encoding::kUtf8 && !is_valid_utf8(line_)) {
      if (!cp1252_warned_) {
        cp1252_warned_ = true;
        warn(line_no_, "not valid UTF-8: reading this and similar lines as Windows-1252");
      }
      line_ = cp1252_to_utf8(line_);
    }
    on_raw_line(line_, line_no_);
    line_.clear();
    line_truncated_ = false;
  }

  // ---- Lines -> logical lines (margin, console wrap) ----------------------------------------

  string_view strip_margin(string_view raw) const {
    if (raw.starts_with(margin_)) return raw.substr(margin_.size());
    // A shorter line (e.g. "%" without its space): drop what it shares with the margin.
    std::size_t i = 0;
    while (i < raw.size() && i < margin_.size() && raw[i] == margin_[i]) ++i;
    return raw.substr(i);
  }

  void on_raw_line(string_view raw, std::size_t n) {
    if (auto sep = parse_separator(raw)) {
      margin_ = std::string(sep->margin);
      flush_wrap();
      on_separator(*sep, n);
      if (!sep->rest.empty()) {
        warn(n, "text after the certificate separator " + quote(sep->rest) +
                    " (lines joined by a documentation tool?)");
        dispatch(sep->rest, n);
      }
      return;
    }
    string_view text = strip_margin(raw);
    if (!rec_) {
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

  void on_logical_line(string_view text, std::size_t n) {
    if (wrap_) {
      const bool joinable = wrap_->text.size() + text.size() <= options_.max_line_bytes;
      if (joinable && is_wrap_continuation(text)) {
        warn(n, "joined to line " + std::to_string(wrap_->line) +
                    " as a console-wrapped continuation");
        wrap_->text += text;
        if (!is_console_width(text)) flush_wrap();
        return;
      }
      flush_wrap();
    }
    if (rec_ && is_console_width(text) && !trim(text).empty()) {
      wrap_ = Wrapped{std::string(text), n};
      return;
    }
    dispatch(text, n);
  }

  static bool is_console_width(string_view text) {
    const std::size_t len = utf8_length(text);
    return std::find(df::kConsoleWidths.begin(), df::kConsoleWidths.end(), len) !=
           df::kConsoleWidths.end();
  }

  // The rest of a wrapped value starts at column 0 and looks like no line certutil prints.
  static bool is_wrap_continuation(string_view text) {
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

  void flush_wrap() {
    if (!wrap_) return;
    Wrapped w = std::move(*wrap_);
    wrap_.reset();
    dispatch(w.text, w.line);
  }

  // ---- Logical lines -> records --------------------------------------------------------------

  void on_separator(const Separator& sep, std::size_t n) {
    evidence_ = true;
    if (rec_) close_record(true);
    take_store_header(sep.margin);
    open_record(n, sep.index);
    if (!sep.index) {
      warn(n, "certificate index " + quote(sep.digits) + " does not fit 32 bits; index unknown");
    }
  }

  // The header line (`my "Personal"`) is the last store-name-shaped line before the first record,
  // or the first line of the input, at the same margin as the record.
  void take_store_header(string_view margin) {
    if (header_taken_) return;
    header_taken_ = true;
    for (const std::string* candidate : {&last_header_, &first_header_}) {
      const string_view c = *candidate;
      if (c.empty() || margin_of(c) != margin) continue;
      if (parse_store_header(trim(c), summary_.store_name, summary_.store_description)) return;
    }
  }

  void dispatch(string_view text, std::size_t n) {
    const string_view body = trim(text);
    if (body.starts_with(df::kCertUtilPrefix)) {
      on_certutil_line(body, n);
      return;
    }
    if (!rec_) {
      outside_line(text, body, n);
      return;
    }
    if (is_rule_line(body)) {
      close_record(true);
      return;
    }
    if (indent_of(text) == 0 && is_shell_prompt(body)) {
      warn(n, "shell prompt inside certificate" + record_name() +
                  ": the output before it was cut; record incomplete");
      close_record(false);
      outside_line(text, body, n);
      return;
    }
    rec_bytes_ += text.size() + 1;
    if (rec_cut_) return;
    if (rec_bytes_ > options_.max_record_bytes) {
      rec_cut_ = true;
      warn(n, "certificate" + record_name() + " is longer than " +
                  std::to_string(options_.max_record_bytes) + " bytes: the rest of it is ignored");
      return;
    }
    rec_->last_line = n;
    record_line(text, body, n);
  }

  void outside_line(string_view text, string_view body, std::size_t n) {
    if (body.empty()) return;
    if (body.starts_with(df::kSerialNumber) || body == df::kX509Certificate) {
      evidence_ = true;
      take_store_header(margin_);
      open_record(n, std::nullopt);
      warn(n, "certificate record without a '" + std::string(df::kSeparatorPrefix) +
                  "N ================' line: its store index is unknown");
      record_line(text, body, n);
      return;
    }
    if (parse_property_header(body) || body.starts_with(df::kKeyContainer) ||
        body.starts_with(df::kCertHashPrefix)) {
      evidence_ = true;
      ++orphan_lines_;
      warn(n, quote(body) +
                  " outside any certificate record (no separator or 'Serial Number:' "
                  "before it): ignored");
      return;
    }
    const string_view unquoted = trim(text.substr(margin_of(text).size()));
    if (summary_.command_line.empty() && contains_icase(unquoted, "certutil")) {
      summary_.command_line = std::string(unquoted);
      seen_outside_text_ = true;
      return;
    }
    std::string name, description;
    if (unquoted.size() < 512 && parse_store_header(unquoted, name, description)) {
      // Kept with its margin: it must match the margin of the first record's separator.
      last_header_ = std::string(text);
      if (!seen_outside_text_) first_header_ = last_header_;
    }
    seen_outside_text_ = true;
  }

  void on_certutil_line(string_view body, std::size_t n) {
    evidence_ = true;
    if (rec_) close_record(true);
    if (!header_taken_ && summary_.certificates == 0) take_store_header(margin_);
    if (body.find(" FAILED") != string_view::npos) {
      summary_.failure = std::string(body);
      warn(n, "certutil reported a failure: " + std::string(body));
    } else if (body.starts_with(df::kCompletionPrefix)) {
      summary_.saw_completion_line = true;
      summary_.completion_line = std::string(body);
    } else if (summary_.failure) {
      *summary_.failure += "; " + std::string(body);
    }
  }

  void open_record(std::size_t n, std::optional<std::uint32_t> index) {
    rec_.emplace();
    rec_->index = index;
    rec_->first_line = n;
    rec_->last_line = n;
    rec_bytes_ = 0;
    rec_cut_ = false;
    saw_serial_line_ = false;
    state_ = State::kHeader;
    name_target_ = NameTarget::kUndecided;
    last_name_target_ = NameTarget::kUndecided;
    cur_prop_.reset();
    last_prop_.reset();
    in_tail_ = false;
    tail_pending_.clear();
    ext_oid_.clear();
    ext_line_ = 0;
    keyid_label_.clear();
    localized_warned_ = false;
  }

  void close_record(bool complete) {
    end_property();
    for (auto& s : tail_pending_) rec_->key_status.push_back(std::move(s));
    tail_pending_.clear();
    DumpCertificate& c = *rec_;
    c.complete = complete && !rec_cut_;
    if (c.serial.empty()) {
      warn(c.first_line, "certificate" + record_name() + " (line " + std::to_string(c.first_line) +
                             ") has no serial number: expected 'Serial Number: <hex>'");
    }
    if (c.key_provider && c.key_provider->empty()) c.key_provider.reset();
    for (const auto& p : c.properties) {
      if (p.id == to_number(PropertyId::CERT_FRIENDLY_NAME_PROP_ID) && !p.raw_lines.empty()) {
        c.friendly_name = p.raw_lines.front();
      }
      if (p.id == to_number(PropertyId::CERT_ARCHIVED_PROP_ID)) c.archived = true;
    }
    ++summary_.certificates;
    if (!c.complete) ++summary_.incomplete_certificates;
    DumpCertificate done = std::move(c);
    rec_.reset();
    if (cb_) cb_(std::move(done));
  }

  void flush_tail_pending() {
    auto& target = rec_->properties.empty() ? rec_->other_lines : rec_->key_details;
    for (auto& s : tail_pending_) target.push_back(std::move(s));
    tail_pending_.clear();
  }

  void note_localized(std::size_t n, string_view label, string_view meaning) {
    if (localized_warned_) return;
    localized_warned_ = true;
    warn(n, "non-English label " + quote(label) + " read as '" + std::string(meaning) +
                "' by its position; further localized labels in this record are read the same "
                "way");
  }

  void record_line(string_view text, string_view body, std::size_t n) {
    const std::size_t indent = indent_of(text);
    if (body.empty()) {
      on_blank();
      return;
    }
    if (is_elision(body)) {
      rec_->elided = true;
      summary_.elided = true;
      warn(n, "documentation elision " + quote(body) + ": certificate" + record_name() +
                  " is partial");
      return;
    }
    if (auto ph = parse_property_header(body)) {
      start_property(*ph, n);
      return;
    }
    if (is_prompt_line(body)) {
      rec_->other_lines.emplace_back(body);
      return;
    }
    if (is_status_line(body)) {
      for (auto& s : tail_pending_) rec_->key_status.push_back(std::move(s));
      tail_pending_.clear();
      rec_->key_status.emplace_back(body);
      if (state_ == State::kProperty || state_ == State::kAfterProperty) {
        end_property();
        state_ = State::kKeyDetail;
      }
      return;
    }
    if (body == df::kNoKeyProviderInformation) {
      rec_->no_key_provider_info = true;
      flush_tail_pending();
      end_property();
      state_ = State::kFoundKey;
      in_tail_ = true;
      return;
    }
    switch (state_) {
      case State::kProperty:
        property_line(body, n);
        return;
      case State::kAfterProperty:
        if (after_property_line(indent, body, n)) return;
        break;
      case State::kKeyDetail:
        if (indent > 0) {
          flush_tail_pending();
          rec_->key_details.emplace_back(body);
          return;
        }
        break;
      case State::kKeyProvBlock:
        if (rec_->key_provider && kp_line(*rec_->key_provider, body, n, true)) return;
        state_ = State::kTail;
        break;
      case State::kFoundKey:
        if (!rec_->found_key) rec_->found_key.emplace();
        if (kp_line(*rec_->found_key, body, n, false)) return;
        state_ = State::kTail;
        break;
      case State::kNameSection:
        if (name_line(indent, body, n)) return;
        state_ = State::kHeader;
        break;
      case State::kOpaque:
        if (indent > 0 || body.starts_with(df::kAlgorithmObjectId) ||
            body == df::kAlgorithmParameters || parse_hex(body)) {
          return;
        }
        state_ = State::kHeader;
        break;
      case State::kExtensions:
        if (indent > 0) {
          extension_line(body);
          return;
        }
        state_ = State::kHeader;
        break;
      case State::kHeader:
      case State::kTail:
        break;
    }
    general_line(indent, text, body, n);
  }

  void on_blank() {
    switch (state_) {
      case State::kProperty:
        end_property();
        state_ = State::kAfterProperty;
        break;
      case State::kNameSection:
      case State::kOpaque:
        state_ = State::kHeader;
        break;
      case State::kKeyProvBlock:
      case State::kFoundKey:
        state_ = State::kTail;
        break;
      default:
        break;
    }
  }

  // ---- Certificate fields --------------------------------------------------------------------

  void general_line(std::size_t indent, string_view text, string_view b, std::size_t n) {
    DumpCertificate& c = *rec_;
    string_view v;
    const bool top = indent <= 1;  // header labels sit at column 0 (dates at 1)
    if (top) {
      if (b == df::kArchived) {
        c.archived = true;
        return;
      }
      if (consume_label(b, df::kSerialNumber, v)) {
        if (!c.serial.empty() || saw_serial_line_) {
          // -scinfo prints the same certificate again without a separator. Line n starts the
          // next record, so the one it closes ends before it.
          c.last_line = std::max(c.first_line, n - 1);
          close_record(true);
          open_record(n, std::nullopt);
          warn(n,
               "'Serial Number:' again without a separator: a new certificate record with "
               "no store index starts here");
        }
        set_serial(v, n);
        return;
      }
      if (b == df::kX509Certificate) {
        if (!c.serial.empty()) {
          c.last_line = std::max(c.first_line, n - 1);
          close_record(true);
          open_record(n, std::nullopt);
          warn(n,
               "'X509 Certificate:' again without a separator: a new certificate record "
               "with no store index starts here");
        }
        rec_->verbose = true;
        return;
      }
      if (b.starts_with(df::kVersion)) return;
      if (consume_label(b, df::kIssuer, v)) {
        set_name(NameTarget::kIssuer, v);
        return;
      }
      if (consume_label(b, df::kSubject, v)) {
        set_name(NameTarget::kSubject, v);
        return;
      }
      if (consume_label(b, trim(df::kNotBefore), v)) {
        set_date(c.not_before, v, n);
        return;
      }
      if (consume_label(b, trim(df::kNotAfter), v)) {
        set_date(c.not_after, v, n);
        return;
      }
      if (b == df::kSignatureAlgorithm || b == df::kPublicKeyAlgorithm ||
          b.starts_with("Public Key: ") || b.starts_with("Signature: ")) {
        state_ = State::kOpaque;
        return;
      }
      if (b.starts_with(df::kPublicKeyLength) || b == df::kSignatureMatchesPublicKey ||
          b.starts_with("Possible Root Certificate")) {
        return;
      }
      if (b.starts_with(df::kCertificateExtensions)) {
        state_ = State::kExtensions;
        rec_->verbose = true;
        ext_oid_.clear();
        return;
      }
      if (b == df::kNonRootCertificate) {
        c.is_root = false;
        return;
      }
      if (b == df::kRootCertificate) {
        c.is_root = true;
        return;
      }
      if (consume_label(b, df::kCaVersion, v)) {
        set_ca_version(v, n);
        return;
      }
      if (consume_label(b, df::kTemplateName, v)) {
        if (c.template_name.empty()) c.template_name = std::string(v);
        return;
      }
      if (consume_label(b, df::kTemplate, v)) {
        // "Template: CA, Root Certification Authority": the name, then the display name.
        c.template_name = std::string(trim(v.substr(0, v.find(", "))));
        return;
      }
      if (consume_label(b, df::kSignatureHash, v)) {
        set_hex(c.signature_hash, v, n, "Signature Hash");
        return;
      }
    }
    if (auto h = parse_hash_line(b); h && (top || h->label == "Name Hash")) {
      hash_line(*h, n);
      return;
    }
    if (auto kp = parse_kp_line(b)) {
      const bool starts_block = kp->field == KpField::kContainer ||
                                kp->field == KpField::kProvider || kp->field == KpField::kUnique ||
                                kp->field == KpField::kSimple;
      if (starts_block && !c.properties.empty()) {
        // Verbose key detail section repeats Provider/ProviderType/Simple container name.
        flush_tail_pending();
        c.key_details.emplace_back(b);
        state_ = State::kKeyDetail;
        return;
      }
      if (starts_block) {
        start_key_block(*kp, n);
        return;
      }
      if (in_tail_ && indent > 0 && c.properties.empty() && !c.key_provider &&
          kp->field == KpField::kOtherEquals) {
        start_key_block(*kp, n);
        return;
      }
    }
    if (top && !in_tail_ && localized_header_line(text, b, n)) return;
    if (in_tail_) {
      if (indent == 0) {
        tail_pending_.emplace_back(b);
      } else {
        flush_tail_pending();
        (c.properties.empty() ? c.other_lines : c.key_details).emplace_back(b);
      }
      return;
    }
    // Indented text belongs to the section above it in verbose output; in a non-verbose block
    // nothing is indented before the key lines.
    if (indent == 0 || !c.verbose) {
      warn(n, "unrecognized line " + quote(b) + " in certificate" + record_name() +
                  " (localized, damaged or unknown output)");
    }
    c.other_lines.emplace_back(b);
  }

  void start_key_block(const KpLine& kp, std::size_t n) {
    DumpCertificate& c = *rec_;
    flush_tail_pending();
    if (c.key_provider && !c.key_provider->empty()) {
      warn(n, "a second key provider block in certificate" + record_name() + " replaces the first");
    }
    c.key_provider.emplace();
    state_ = State::kKeyProvBlock;
    in_tail_ = true;
    apply_kp(*c.key_provider, kp, n, true);
  }

  void set_serial(string_view v, std::size_t n) {
    saw_serial_line_ = true;
    auto hex = hex_value(v);
    if (!hex) {
      warn(n, "expected a hex serial number after 'Serial Number:', found " + quote(v));
      return;
    }
    rec_->serial = std::move(*hex);
  }

  void set_name(NameTarget target, string_view v) {
    std::string& field = target == NameTarget::kIssuer ? rec_->issuer : rec_->subject;
    last_name_target_ = target;
    if (v.empty()) {
      // Verbose: one RDN per line follows.
      field.clear();
      name_target_ = target;
      state_ = State::kNameSection;
      rec_->verbose = true;
      return;
    }
    field = std::string(v);
  }

  void set_date(std::string& field, string_view v, std::size_t n) {
    if (is_placeholder(v)) {
      rec_->elided = true;
      summary_.elided = true;
      warn(n, "placeholder " + quote(v) + " instead of a date: left empty");
      return;
    }
    field = std::string(v);
  }

  void set_hex(std::string& field, string_view v, std::size_t n, string_view what) {
    auto hex = hex_value(v);
    if (!hex) {
      warn(n, "expected hex after '" + std::string(what) + "', found " + quote(v));
      return;
    }
    field = std::move(*hex);
  }

  void set_ca_version(string_view v, std::size_t n) {
    rec_->is_ca = true;
    if (auto version = parse_ca_version(v)) {
      rec_->ca_version = version;
    } else {
      warn(n, "expected a CA version like 'V0.0', found " + quote(v));
    }
  }

  // RDN lines of a verbose Issuer/Subject section, and its Name Hash lines.
  bool name_line(std::size_t indent, string_view b, std::size_t n) {
    if (auto h = parse_hash_line(b)) {
      if (h->label == "Name Hash" || (h->alg != "rfc-sha1" && h->label != "Cert Hash" &&
                                      h->label != "Key Id Hash" && indent > 0)) {
        hash_line(*h, n);
        return true;
      }
      return false;
    }
    if (!looks_like_rdn(b)) return false;
    if (name_target_ == NameTarget::kUndecided) {
      name_target_ = rec_->not_before.empty() && rec_->issuer.empty() ? NameTarget::kIssuer
                                                                      : NameTarget::kSubject;
      last_name_target_ = name_target_;
    }
    std::string& field = name_target_ == NameTarget::kIssuer ? rec_->issuer : rec_->subject;
    if (!field.empty()) field += ", ";
    field += b;
    return true;
  }

  void hash_line(const HashLine& h, std::size_t n) {
    DumpCertificate& c = *rec_;
    enum class Family { kCert, kKeyId, kName };
    Family family = Family::kCert;
    if (h.label == "Cert Hash") {
      family = Family::kCert;
    } else if (h.label == "Key Id Hash") {
      family = Family::kKeyId;
    } else if (h.label == "Name Hash") {
      family = Family::kName;
    } else {
      // Localized: the algorithm names stay English and tell the families apart.
      if (h.alg.starts_with("rfc-") || h.alg.starts_with("bcrypt-") || h.alg.starts_with("pin-")) {
        keyid_label_ = std::string(h.label);
      }
      if (!keyid_label_.empty() && h.label == keyid_label_) {
        family = Family::kKeyId;
      } else if (state_ == State::kNameSection) {
        family = Family::kName;
      }
      note_localized(n, h.label,
                     family == Family::kKeyId
                         ? "Key Id Hash"
                         : (family == Family::kName ? "Name Hash" : "Cert Hash"));
    }
    std::string* field = nullptr;
    switch (family) {
      case Family::kCert:
        if (h.alg == "sha1") field = &c.sha1;
        if (h.alg == "md5") field = &c.md5;
        if (h.alg == "sha256") field = &c.sha256;
        if (h.alg == "sha1") {
          in_tail_ = true;
          state_ = State::kTail;
        }
        break;
      case Family::kKeyId:
        if (h.alg == "rfc-sha1") field = &c.key_id_hash_rfc_sha1;
        if (h.alg == "sha1") field = &c.key_id_hash_sha1;
        break;
      case Family::kName: {
        const bool issuer = last_name_target_ == NameTarget::kIssuer ||
                            (last_name_target_ == NameTarget::kUndecided && c.not_before.empty());
        if (h.alg == "sha1") field = issuer ? &c.issuer_name_hash_sha1 : &c.subject_name_hash_sha1;
        if (h.alg == "md5") field = issuer ? &c.issuer_name_hash_md5 : &c.subject_name_hash_md5;
        break;
      }
    }
    if (field != nullptr)
      set_hex(*field, h.value, n, std::string(h.label) + "(" + std::string(h.alg) + ")");
  }

  // Localized non-verbose/verbose header lines, read by the shapes the layout fixes:
  // a hex serial, " <date>" with one leading space, RDN values, "Label:" sections.
  bool localized_header_line(string_view text, string_view b, std::size_t n) {
    DumpCertificate& c = *rec_;
    if (b.back() == ':' && b.find(": ") == string_view::npos) {
      name_target_ = NameTarget::kUndecided;
      state_ = State::kNameSection;
      rec_->other_lines.emplace_back(b);
      return true;
    }
    const std::size_t colon = b.find(": ");
    if (colon == string_view::npos || colon == 0) return false;
    const string_view label = b.substr(0, colon);
    const string_view value = trim(b.substr(colon + 2));
    if (label.find('(') != string_view::npos) return false;
    if (text.size() >= 2 && text[0] == ' ' && !is_blank_char(text[1]) && c.not_after.empty()) {
      note_localized(n, label, c.not_before.empty() ? "NotBefore" : "NotAfter");
      set_date(c.not_before.empty() ? c.not_before : c.not_after, value, n);
      return true;
    }
    if (c.serial.empty() && value.size() >= 2 && hex_value(value)) {
      note_localized(n, label, "Serial Number");
      set_serial(value, n);
      return true;
    }
    if (looks_like_rdn(value) && (c.issuer.empty() || c.subject.empty())) {
      const bool issuer = c.issuer.empty() && c.not_before.empty();
      note_localized(n, label, issuer ? "Issuer" : "Subject");
      set_name(issuer ? NameTarget::kIssuer : NameTarget::kSubject, value);
      return true;
    }
    return false;
  }

  void extension_line(string_view b) {
    DumpCertificate& c = *rec_;
    if (const std::size_t p = b.find(df::kExtensionFlags);
        p != string_view::npos && is_oid(b.substr(0, p))) {
      ext_oid_ = std::string(b.substr(0, p));
      ext_line_ = 0;
      return;
    }
    ++ext_line_;
    if (ext_line_ == 1 || ext_oid_.empty()) return;  // the extension's name
    if (ext_oid_ == df::kOidBasicConstraints) {
      if (b == df::kSubjectTypeCa) c.is_ca = true;
      if (b == df::kSubjectTypeEndEntity && !c.is_ca) c.is_ca = false;
    } else if (ext_oid_ == df::kOidEnhancedKeyUsage) {
      const std::size_t open = b.rfind('(');
      if (open != string_view::npos && b.back() == ')') {
        const string_view oid = b.substr(open + 1, b.size() - open - 2);
        if (is_oid(oid) && std::find(c.ekus.begin(), c.ekus.end(), oid) == c.ekus.end()) {
          c.ekus.emplace_back(oid);
        }
      }
    } else if (ext_oid_ == df::kOidCaVersion) {
      if (auto version = parse_ca_version(b)) {
        c.ca_version = version;
        c.is_ca = true;
      }
    } else if (ext_oid_ == df::kOidTemplateNameV1) {
      if (c.template_name.empty()) c.template_name = std::string(b);
    } else if (ext_oid_ == df::kOidTemplateInfoV2) {
      string_view v = b;
      if (consume(v, df::kTemplateEquals) && c.template_name.empty()) {
        const std::size_t open = v.find('(');
        const string_view name = trim(v.substr(0, open));
        c.template_name = std::string(name.empty() && open != string_view::npos
                                          ? v.substr(open + 1, v.size() - open - 2)
                                          : name);
      }
    }
  }

  // ---- Properties and key provider ----------------------------------------------------------

  void start_property(const PropertyHeader& ph, std::size_t n) {
    DumpCertificate& c = *rec_;
    end_property();
    for (auto& s : tail_pending_) c.other_lines.push_back(std::move(s));
    tail_pending_.clear();
    c.verbose = true;
    in_tail_ = true;
    if (!ph.trailing.empty()) {
      warn(n, "unexpected text " + quote(ph.trailing) +
                  " after property header (overwritten "
                  "console line?)");
    }
    if (ph.id == to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID)) {
      if (c.key_provider && !c.key_provider->empty()) {
        warn(n, "a second CERT_KEY_PROV_INFO_PROP_ID(2) in certificate" + record_name() +
                    " replaces the first");
      }
      c.key_provider.emplace();
    }
    c.properties.push_back(
        DumpProperty{ph.id, std::string(ph.name), std::string(ph.suffix), n, {}});
    cur_prop_ = c.properties.size() - 1;
    state_ = State::kProperty;
  }

  void end_property() {
    if (cur_prop_) last_prop_ = cur_prop_;
    cur_prop_.reset();
  }

  void property_line(string_view b, std::size_t n) {
    DumpProperty& p = rec_->properties[*cur_prop_];
    p.raw_lines.emplace_back(b);
    if (p.id == to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID) && rec_->key_provider) {
      if (!kp_line(*rec_->key_provider, b, n, true)) {
        warn(n, "unexpected line " + quote(b) + " in CERT_KEY_PROV_INFO_PROP_ID(2)");
      }
    }
  }

  // After the blank line that ends a property: a late KeySpec or flag line of property 2 (edited
  // dumps put blank lines between them), a flag line of the last property, or key details.
  bool after_property_line(std::size_t indent, string_view b, std::size_t n) {
    DumpCertificate& c = *rec_;
    if (!last_prop_) return false;
    DumpProperty& last = c.properties[*last_prop_];
    if (last.id == to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID) && c.key_provider &&
        !c.key_provider->key_spec) {
      if (auto kp = parse_kp_line(b);
          kp && (kp->field == KpField::kKeySpec || kp->field == KpField::kFlagName ||
                 kp->field == KpField::kFlags || kp->field == KpField::kProviderType)) {
        last.raw_lines.emplace_back(b);
        apply_kp(*c.key_provider, *kp, n, false);
        cur_prop_ = last_prop_;
        state_ = State::kProperty;
        return true;
      }
    }
    if (parse_flag_decode(b)) {
      last.raw_lines.emplace_back(b);
      return true;
    }
    if (indent > 0) {
      flush_tail_pending();
      c.key_details.emplace_back(b);
      state_ = State::kKeyDetail;
      return true;
    }
    return false;
  }

  bool kp_line(DumpKeyProvider& kp, string_view b, std::size_t n, bool positional) {
    auto line = parse_kp_line(b);
    if (!line) return false;
    if (!positional && !is_english_kp_field(line->field)) return false;
    return apply_kp(kp, *line, n, positional);
  }

  bool apply_kp(DumpKeyProvider& kp, const KpLine& line, std::size_t n, bool positional) {
    auto number = [&](std::optional<std::uint32_t>& field, string_view what) {
      auto parsed = parse_certutil_number(line.value);
      if (!parsed) {
        warn(n,
             "expected a number after '" + std::string(what) + " = ', found " + quote(line.value));
        return;
      }
      if (parsed->decimal_mismatch) {
        warn(n, "hex and decimal disagree in " + quote(line.value) + "; using the hex value");
      }
      field = parsed->value;
    };
    switch (line.field) {
      case KpField::kContainer:
        kp.container = std::string(line.value);
        return true;
      case KpField::kUnique:
        kp.unique_container = std::string(line.value);
        return true;
      case KpField::kSimple:
        kp.simple_container = std::string(line.value);
        return true;
      case KpField::kProvider:
        kp.provider = std::string(line.value);
        return true;
      case KpField::kProviderType:
        number(kp.provider_type, "ProviderType");
        return true;
      case KpField::kFlags:
        number(kp.flags, "Flags");
        return true;
      case KpField::kFlagName:
        kp.flag_names.emplace_back(line.value);
        return true;
      case KpField::kKeySpec: {
        const std::size_t dash = line.value.find(df::kFlagNameSeparator);
        const string_view digits = trim(line.value.substr(0, dash));
        auto parsed = parse_certutil_number(digits);
        if (!parsed) {
          warn(n, "expected a number after 'KeySpec = ', found " + quote(line.value));
          return true;
        }
        kp.key_spec = parsed->value;
        if (dash != string_view::npos) {
          const string_view name = trim(line.value.substr(dash + df::kFlagNameSeparator.size()));
          const string_view expected = wc::key_spec_name(parsed->value);
          if (name != expected && !(parsed->value == wc::AT_NONE && name == "AT_NONE")) {
            warn(n, "KeySpec " + std::to_string(parsed->value) + " printed with name " +
                        quote(name) + ", expected '" + std::string(expected) + "'");
          }
        }
        if (line.label != "KeySpec") note_localized(n, line.label, "KeySpec");
        return true;
      }
      case KpField::kOtherEquals: {
        if (!positional) return false;
        if (parse_certutil_number(line.value)) {
          if (!kp.provider_type && kp.provider) {
            note_localized(n, line.label, "ProviderType");
            number(kp.provider_type, line.label);
            return true;
          }
          if (!kp.flags && kp.provider_type) {
            note_localized(n, line.label, "Flags");
            number(kp.flags, line.label);
            return true;
          }
          return false;
        }
        if (!kp.container && !kp.provider) {
          note_localized(n, line.label, "Key Container");
          kp.container = std::string(line.value);
          return true;
        }
        if (!kp.provider) {
          note_localized(n, line.label, "Provider");
          kp.provider = std::string(line.value);
          return true;
        }
        return false;
      }
      case KpField::kOtherColon:
        if (!positional || !looks_like_unique_name(line.value) || kp.unique_container) {
          return false;
        }
        note_localized(n, line.label, "Unique container name");
        kp.unique_container = std::string(line.value);
        return true;
    }
    return false;
  }

  struct Wrapped {
    std::string text;
    std::size_t line = 0;
  };

  Callback cb_;
  DumpParserOptions options_;
  DumpSummary summary_;
  bool finished_ = false;
  bool evidence_ = false;  // something only certutil prints was seen
  std::size_t orphan_lines_ = 0;

  // Decoding.
  Encoding enc_ = Encoding::kUnknown;
  std::string head_;
  int pending_byte_ = -1;
  std::uint32_t high_surrogate_ = 0;
  bool bad_utf16_warned_ = false;
  bool cp1252_warned_ = false;
  std::string line_;
  bool line_truncated_ = false;
  std::size_t line_no_ = 0;

  // Logical lines.
  std::string margin_;
  std::optional<Wrapped> wrap_;
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

// ============================================================================================

StoreDumpParser::StoreDumpParser(Callback on_certificate, std::string source_name,
                                 DumpParserOptions options)
    : impl_(std::make_unique<Impl>(std::move(on_certificate), std::move(source_name), options)) {}
StoreDumpParser::~StoreDumpParser() = default;
StoreDumpParser::StoreDumpParser(StoreDumpParser&&) noexcept = default;
StoreDumpParser& StoreDumpParser::operator=(StoreDumpParser&&) noexcept = default;

void StoreDumpParser::feed(std::string_view bytes) { impl_->feed(bytes); }
Result<DumpSummary> StoreDumpParser::finish() { return impl_->finish(); }

Result<std::pair<std::vector<DumpCertificate>, DumpSummary>> parse_store_dump(
    std::string_view whole_file, std::string source_name, DumpParserOptions options) {
  std::vector<DumpCertificate> certs;
  StoreDumpParser parser([&certs](DumpCertificate&& c) { certs.push_back(std::move(c)); },
                         std::move(source_name), options);
  parser.feed(whole_file);
  auto summary = parser.finish();
  if (!summary) return summary.error();
  return std::make_pair(std::move(certs), std::move(*summary));
}

// ---- CertFacts ---------------------------------------------------------------------------------

namespace {

// Provider type for a provider name when the dump (non-verbose) did not print it.
std::uint32_t infer_provider_type(string_view provider) {
  if (contains_icase(provider, "Key Storage Provider")) return wc::PROV_CNG_KSP;
  if (provider.starts_with(wc::MS_ENH_RSA_AES_PROV)) return wc::PROV_RSA_AES;
  if (provider == wc::MS_DEF_RSA_SCHANNEL_PROV) return wc::PROV_RSA_SCHANNEL;
  if (provider == "Microsoft DH SChannel Cryptographic Provider") return wc::PROV_DH_SCHANNEL;
  if (provider == "Microsoft Base DSS and Diffie-Hellman Cryptographic Provider" ||
      provider == "Microsoft Enhanced DSS and Diffie-Hellman Cryptographic Provider") {
    return wc::PROV_DSS_DH;
  }
  if (provider == "Microsoft Base DSS Cryptographic Provider") return wc::PROV_DSS;
  return wc::PROV_RSA_FULL;
}

Bytes dword_bytes(std::uint32_t v) {
  return Bytes{static_cast<std::uint8_t>(v & 0xFF), static_cast<std::uint8_t>((v >> 8) & 0xFF),
               static_cast<std::uint8_t>((v >> 16) & 0xFF),
               static_cast<std::uint8_t>((v >> 24) & 0xFF)};
}

// Contiguous hex, spaced pairs, the offset dump ("0010  68 1d ...") and the ASCII dump
// ("3b 7f ...   ;.....1.X"). nullopt when any line is something else.
std::optional<Bytes> decode_hex_lines(const std::vector<std::string>& lines) {
  Bytes out;
  for (const std::string& line : lines) {
    string_view s = trim(line);
    // Offset column: 4 hex digits, then blanks, then pairs.
    if (s.size() > 5 && all_of(s.substr(0, 4), is_hex_digit) && is_blank_char(s[4])) {
      s = trim_left(s.substr(4));
    }
    // ASCII column after three or more blanks.
    if (const std::size_t ascii = s.find("   "); ascii != string_view::npos) {
      s = s.substr(0, ascii);
    }
    // Either one contiguous even run or 2-digit pairs separated by blanks.
    const bool spaced = s.find_first_of(" \t") != string_view::npos;
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find_first_of(" \t", pos);
      if (end == string_view::npos) end = s.size();
      const string_view token = s.substr(pos, end - pos);
      if (!token.empty() && (!all_of(token, is_hex_digit) || (spaced && token.size() != 2))) {
        return std::nullopt;
      }
      pos = end + 1;
    }
    auto bytes = parse_hex(s);
    if (!bytes || bytes->empty()) return std::nullopt;
    out.insert(out.end(), bytes->begin(), bytes->end());
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Bytes utf16_string_value(string_view text) {
  auto wide = utf8_to_utf16le(text);
  Bytes out = wide ? std::move(*wide) : Bytes{};
  out.push_back(0);
  out.push_back(0);
  return out;
}

std::optional<Bytes> property_value(const DumpProperty& p) {
  switch (static_cast<PropertyId>(p.id)) {
    case PropertyId::CERT_ARCHIVED_PROP_ID:
      if (p.raw_lines.empty()) return Bytes{};
      return std::nullopt;
    case PropertyId::CERT_FRIENDLY_NAME_PROP_ID:
    case PropertyId::CERT_DESCRIPTION_PROP_ID:
    case PropertyId::CERT_REQUEST_ORIGINATOR_PROP_ID:
      if (p.raw_lines.size() != 1) return std::nullopt;
      return utf16_string_value(p.raw_lines.front());
    case PropertyId::CERT_ACCESS_STATE_PROP_ID: {
      if (p.raw_lines.empty()) return std::nullopt;
      string_view v = p.raw_lines.front();
      if (!consume(v, df::kAccessState)) return std::nullopt;
      auto n = parse_certutil_number(v);
      if (!n) return std::nullopt;
      return dword_bytes(n->value);
    }
    default:
      break;
  }
  // "0x00000800 (2048)": a DWORD property.
  if (p.raw_lines.size() == 1 && p.raw_lines.front().starts_with("0x")) {
    auto n = parse_certutil_number(p.raw_lines.front());
    if (n && p.raw_lines.front().find('(') != std::string::npos) return dword_bytes(n->value);
    return std::nullopt;
  }
  return decode_hex_lines(p.raw_lines);
}

}  // namespace

CertFacts DumpCertificate::to_cert_facts() const {
  CertFacts f;
  f.index = index;
  f.serial = serial;
  f.subject = subject;
  f.issuer = issuer;
  f.sha1 = sha1;
  f.md5 = md5;
  f.sha256 = sha256;
  f.signature_hash = signature_hash;
  f.public_key_id = key_id_hash_rfc_sha1;
  f.is_ca = is_ca.value_or(false);
  f.ca_version = ca_version;
  f.ekus = ekus;
  f.template_name = template_name;

  std::optional<Bytes> prov;
  if (key_provider && key_provider->container && key_provider->provider) {
    KeyProvInfo info;
    info.container = *key_provider->container;
    info.provider = *key_provider->provider;
    info.provider_type = key_provider->provider_type.value_or(infer_provider_type(info.provider));
    info.flags = key_provider->flags.value_or(0);
    info.key_spec =
        key_provider->key_spec.value_or(info.is_ksp() ? wc::AT_NONE : wc::AT_KEYEXCHANGE);
    if (auto encoded = encode_key_prov_info(info)) prov = std::move(*encoded);
    f.key_prov_info_inferred = !key_provider->complete();
  }
  bool prov_placed = false;
  for (const DumpProperty& p : properties) {
    const auto id = static_cast<PropertyId>(p.id);
    if (id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
      if (prov && !prov_placed) f.properties.set(id, *prov);
      prov_placed = true;
      continue;
    }
    if (auto value = property_value(p)) f.properties.set(id, std::move(*value));
  }
  if (prov && !prov_placed) f.properties.set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, *prov);
  if (archived && !f.properties.contains(PropertyId::CERT_ARCHIVED_PROP_ID)) {
    f.properties.set(PropertyId::CERT_ARCHIVED_PROP_ID, Bytes{});
  }
  if (f.sha1.empty()) {
    if (const Bytes* b = f.properties.find(PropertyId::CERT_SHA1_HASH_PROP_ID)) f.sha1 = to_hex(*b);
  }
  if (f.public_key_id.empty()) {
    if (const Bytes* b = f.properties.find(PropertyId::CERT_KEY_IDENTIFIER_PROP_ID)) {
      f.public_key_id = to_hex(*b);
    }
  }
  return f;
}

}  // namespace certbed::repair
