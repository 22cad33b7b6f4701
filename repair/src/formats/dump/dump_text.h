// Private to the dump parser: bounds-checked text helpers over std::string_view and the line
// recognizers (dump_labels.cc) that every stage of the parser shares.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/printable.h"

namespace certbed::repair::dump_detail {

using std::string_view;

// ---- Text helpers (all bounds-checked through string_view) -----------------------------------

inline bool is_blank_char(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

inline string_view trim_left(string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_blank_char(s[i])) ++i;
  return s.substr(i);
}
inline string_view trim_right(string_view s) {
  std::size_t n = s.size();
  while (n > 0 && is_blank_char(s[n - 1])) --n;
  return s.substr(0, n);
}
inline string_view trim(string_view s) { return trim_right(trim_left(s)); }

inline std::size_t indent_of(string_view s) { return s.size() - trim_left(s).size(); }

inline bool consume(string_view& s, string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// "Serial Number:" matches "Serial Number: x" and a bare "Serial Number:"; value is trimmed.
inline bool consume_label(string_view s, string_view label_with_space, string_view& value) {
  const string_view label = trim_right(label_with_space);
  if (!s.starts_with(label)) return false;
  string_view rest = s.substr(label.size());
  if (!rest.empty() && !is_blank_char(rest.front())) return false;
  value = trim(rest);
  return true;
}

inline bool contains_icase(string_view hay, string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

inline std::size_t utf8_length(string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Short, single-line excerpt of input for messages, terminal controls escaped.
inline std::string quote(string_view s) { return "'" + printable_excerpt(s, 60) + "'"; }

inline std::optional<std::uint32_t> parse_u32(string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, value, base);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return value;
}

inline bool all_of(string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// certutil prints numbers as hex without "0x", plus " (decimal)" when they differ:
// "20 (32)", "20" (Windows 8), "1", "0x00000800 (2048)". Never assume decimal.
struct CertutilNumber {
  std::uint32_t value = 0;
  bool decimal_mismatch = false;
};
inline std::optional<CertutilNumber> parse_certutil_number(string_view text) {
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

inline std::optional<std::string> hex_value(string_view text) {
  auto hex = normalize_hex(trim(text));
  if (!hex || hex->empty() || hex->size() % 2 != 0) return std::nullopt;
  return hex;
}

// "CN=a", "OID.1.2.3=x", "E=x@y": an attribute name without spaces, then '='.
inline bool looks_like_rdn(string_view s) {
  const std::size_t eq = s.find('=');
  if (eq == string_view::npos || eq == 0 || !is_alpha(s[0])) return false;
  for (char c : s.substr(0, eq)) {
    if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// "<32 hex>_<GUID>": the MachineKeys / Crypto\Keys file name certutil prints as unique name.
inline bool looks_like_unique_name(string_view s) {
  return s.size() > 33 && s[32] == '_' && all_of(s.substr(0, 32), is_hex_digit);
}

inline bool is_oid(string_view s) {
  if (s.empty() || !is_digit(s.front()) || !is_digit(s.back())) return false;
  for (char c : s) {
    if (!is_digit(c) && c != '.') return false;
  }
  return s.find("..") == string_view::npos;
}

// ---- Line recognizers (dump_labels.cc) -------------------------------------------------------

// Documentation elisions: "...", "…", "[...]", "--- snip ---".
bool is_elision(string_view body);
// "<DateTime>": an author's placeholder, not data.
bool is_placeholder(string_view value);
// "--------------===========================--------------": -scinfo closes each certificate
// with it; only '-' and '=' characters.
bool is_rule_line(string_view body);
// "C:\>certutil -store my", "PS C:\Users\x> certutil ...": the shell prompt of the next command.
bool is_shell_prompt(string_view body);
// Interactive prompts certutil prints between records (-exportPFX, smart cards).
bool is_prompt_line(string_view body);
// Key test and status lines ("Signature test passed", "ERROR: ...", "<provider>: KeySpec=0"),
// English; a line carrying a labelled value is never one.
bool is_status_line(string_view body);

// "CERT_KEY_PROV_INFO_PROP_ID(2):", "  CERT_SIGNATURE_HASH_PROP_ID(15) disallowedHash:",
// "Unknown Property(200):" and localized names: a name, a decimal id in parentheses, ':'.
struct PropertyHeader {
  std::uint32_t id = 0;
  string_view name;
  string_view suffix;
  string_view trailing;  // text after the ':' (only in damaged output)
};
std::optional<PropertyHeader> parse_property_header(string_view body);

// "Cert Hash(sha1): ab cd", "Key Id Hash(rfc-sha1): ...", "Hash de Id. de clave(bcrypt-sha1): ..."
struct HashLine {
  string_view label;
  string_view alg;
  string_view value;
};
std::optional<HashLine> parse_hash_line(string_view body);

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
std::optional<KpLine> parse_kp_line(string_view body);
bool is_english_kp_field(KpField f);

// "CRYPT_MACHINE_KEYSET -- 20 (32)" or an unnamed bit "0x1 (1)": the flag's name.
std::optional<string_view> parse_flag_decode(string_view body);

// ---- Masked values (dump_labels.cc) ----------------------------------------------------------

// How documentation hides a value it shows: "aaaabbbb" in a thumbprint, "xxxx-xxxx", "<serial>",
// "...". Returns what gives the mask away ("'aaaabbbb'", "a run of 'x'"), nullopt for a value
// that may be real. `random` is for hashes, whose digits never repeat 16 times by chance.
std::optional<std::string> hex_mask(string_view value, bool random);
// The same for a container name, where only a mask that no real name has counts: "aaaabbbb", a
// run of 'x' standing alone or among hex digits, a whole "<...>" or "...".
std::optional<std::string> name_mask(string_view value);

// ---- Joined lines (dump_run_on.cc) -----------------------------------------------------------

// A certutil label that starts inside the value of the label a line starts with, as when a
// documentation tool or a mail client joins lines: "Subject: CN=x NotBefore: 1/1/2020 ...".
struct RunOn {
  string_view label;       // the line's own label, for messages: "Subject"
  bool has_value = false;  // the line's label takes a value ("Non-root Certificate" does not)
  string_view next;        // the label inside its value, as certutil prints it: "NotBefore:"
  std::size_t at = 0;      // where `next` starts in the line
  string_view indent;      // the indentation certutil gives a line starting with `next`
  // False when the line's value is a name that may hold that text: it is kept as printed.
  bool split = false;
};
// Only labels that certutil prints after the line's own label count, and only where the text
// after them reads as their value. `reflowed`: the lines are known to be joined (text after a
// certificate separator), so names are cut too.
std::optional<RunOn> find_run_on(string_view body, bool reflowed);
// The line starts with a label find_run_on knows.
bool starts_with_line_label(string_view body);

}  // namespace certbed::repair::dump_detail
