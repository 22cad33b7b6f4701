// Line recognizers of the dump parser: the certutil labels and line shapes (English, and the
// positions that identify localized labels), as classification helpers shared by every stage.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "certbed/repair/formats/dump/dump_format.h"
#include "dump_text.h"

namespace certbed::repair::dump_detail {
namespace {

namespace df = dump_format;

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

bool is_symbol(string_view s) {
  return all_of(s, [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'; });
}

bool is_x(char c) { return c == 'x' || c == 'X'; }

// What gives a mask away, found in one pass over a value (every serial and thumbprint of a
// dump is looked at): "aaaabbbb" in any case, the first run of three or more 'x', and the longest
// run of one hex digit, counting across other characters ("00000000-0000-..." is one run of zeros).
struct MaskScan {
  bool aaaabbbb = false;
  std::size_t x_begin = 0, x_end = 0;  // the first run of 3+ 'x'; empty when none
  std::size_t digit_run = 0;
  char digit = 0;
  bool dots = false;  // a '.' or the first byte of U+2026, to look for "..." and "…"
};

MaskScan scan_masks(string_view s) {
  MaskScan out;
  std::size_t run = 0, previous_run = 0, x = 0;
  char last = 0, previous = 0;  // the digit of the current run and of the run before it
  bool adjacent = false;        // the current run directly follows the one before it
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (is_hex_digit(c)) {
      const char lower = static_cast<char>(c | 0x20);
      if (lower == last) {
        ++run;
      } else {
        adjacent = i > 0 && is_hex_digit(s[i - 1]);
        previous = last;
        previous_run = run;
        last = lower;
        run = 1;
      }
      if (run > out.digit_run) {
        out.digit_run = run;
        out.digit = lower;
      }
      // "aaaabbbb": a fourth 'b' right after four or more 'a'.
      if (run == 4 && lower == 'b' && previous == 'a' && previous_run >= 4 && adjacent) {
        out.aaaabbbb = true;
      }
      x = 0;
      continue;
    }
    out.dots = out.dots || c == '.' || c == '\xE2';
    if (is_x(c)) {
      if (++x == 3 && out.x_end == 0) out.x_begin = i - 2;
      if (x >= 3 && out.x_begin + x == i + 1) out.x_end = i + 1;
    } else {
      x = 0;
    }
  }
  return out;
}

std::string digit_run_mask(const MaskScan& m) {
  return "a run of " + std::to_string(m.digit_run) + " '" + std::string(1, m.digit) + "'";
}

// The shared masks: a whole placeholder or elision, and "aaaabbbb" (the masking of Microsoft's
// documentation, never a real run of a hash's digits: 16^-7 per place).
std::optional<std::string> common_mask(string_view v, const MaskScan& m) {
  // "<serial>", "<container name>": the whole value in angle brackets.
  if (v.size() >= 3 && v.front() == '<' && v.back() == '>' &&
      v.substr(1, v.size() - 2).find_first_of("<>") == string_view::npos) {
    return "a placeholder";
  }
  if (m.dots &&
      (v.find("...") != string_view::npos || v.find("\xE2\x80\xA6") != string_view::npos)) {
    return "an elision";
  }
  if (m.aaaabbbb) return "'aaaabbbb'";
  return std::nullopt;
}

bool is_key_spec_name(string_view name) {
  return name == "XCN_AT_NONE" || name == "AT_NONE" || name == "AT_KEYEXCHANGE" ||
         name == "AT_SIGNATURE";
}

}  // namespace

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

// Whether a value without spaces may hold a mask at all: a character no hex digit is, or four
// equal characters in a row (which "aaaabbbb" and any long run start with). Two passes without
// an early exit, which the compiler vectorizes: nearly every thumbprint is rejected here.
bool may_hide_a_mask(string_view v) {
  bool odd = false;
  for (char c : v)
    odd |= !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
  bool four = false;
  for (std::size_t i = 0; i + 3 < v.size(); ++i) {
    four |= v[i] == v[i + 1] && v[i] == v[i + 2] && v[i] == v[i + 3];
  }
  return odd || four;
}

std::optional<std::string> hex_mask(string_view value, bool random) {
  const string_view v = trim(value);
  if (v.empty() || !may_hide_a_mask(v)) return std::nullopt;
  const MaskScan m = scan_masks(v);
  if (auto mask = common_mask(v, m)) return mask;
  // 'x' is no hex digit, so any run of it stands for digits.
  if (m.x_end != 0) return std::string("a run of 'x'");
  if (random && m.digit_run >= 16) return digit_run_mask(m);
  return std::nullopt;
}

std::optional<std::string> name_mask(string_view value) {
  const string_view v = trim(value);
  if (v.empty()) return std::nullopt;
  const MaskScan m = scan_masks(v);
  if (auto mask = common_mask(v, m)) return mask;
  // A name of hex digits and separators (a GUID, "<md5>_<GUID>"): digits stood for by 'x' or
  // by one digit repeated. In other names only 'x' standing alone ("te-xxxx-xxxx"), so that
  // "Exxxon CA" stays a name.
  const bool hexish = std::all_of(v.begin(), v.end(), [](char c) {
    return is_hex_digit(c) || is_x(c) || c == '-' || c == '_' || c == '{' || c == '}';
  });
  if (m.x_end != 0) {
    const bool alone = (m.x_begin == 0 || !is_alpha(v[m.x_begin - 1])) &&
                       (m.x_end == v.size() || !is_alpha(v[m.x_end]));
    if (hexish || alone) return std::string("a run of 'x'");
  }
  if (hexish && m.digit_run >= 16) return digit_run_mask(m);
  return std::nullopt;
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

}  // namespace certbed::repair::dump_detail
