// Where one certutil line runs on into the next: the labels that start a line of a certificate
// record, in the order certutil prints them, and how the text after each must read. A
// documentation tool or a mail client that joins lines leaves "Subject: CN=x NotBefore: ..." or,
// without the space, "...0004Issuer: CN=...".
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "certbed/repair/formats/dump/dump_format.h"
#include "dump_text.h"

namespace certbed::repair::dump_detail {
namespace {

namespace df = dump_format;

// What a label's value is, which says whether a label inside it can be text of its own.
enum class Kind {
  kNone,     // a line that is only its label ("Non-root Certificate")
  kHex,      // "Serial Number: 1f3a", "Signature Hash: ..."
  kHash,     // "Cert Hash(sha1): ...": the algorithm, then hex
  kDate,     // "NotBefore: 1/30/2013 3:24 PM"
  kNumber,   // "Flags = 20 (32)"
  kVersion,  // "CA Version: V0.0"
  kName,     // "Subject: CN=a, DC=b": RDNs, whose values certutil quotes when they hold '='
  kWords,    // "Template: CA, Root Certification Authority": names an administrator chose
  kText,     // "Provider = ...", "Key Container = ...": a name, which may hold any text
  kVerb,     // "CertUtil: -store command ..."
};

struct LineLabel {
  string_view text;  // as it starts a line
  string_view name;  // for messages
  int group;         // certutil's order of a record's lines
  bool repeats;      // several lines of the group follow one another, in any order
  Kind kind;
  string_view indent;  // of its line in a non-verbose dump
};

constexpr std::array<LineLabel, 35> kLineLabels = {{
    {df::kArchived, df::kArchived, 0, false, Kind::kNone, ""},
    {"Serial Number:", "Serial Number", 1, false, Kind::kHex, ""},
    {"Issuer:", "Issuer", 2, false, Kind::kName, ""},
    {"NotBefore:", "NotBefore", 3, false, Kind::kDate, df::kDateIndent},
    {"NotAfter:", "NotAfter", 4, false, Kind::kDate, df::kDateIndent},
    {"Subject:", "Subject", 5, false, Kind::kName, ""},
    // The extension-derived lines come in the certificate's extension order.
    {"Certificate Template Name (Certificate Type):", "Certificate Template Name", 6, true,
     Kind::kWords, ""},
    {"CA Version:", "CA Version", 6, true, Kind::kVersion, ""},
    {df::kNonRootCertificate, df::kNonRootCertificate, 6, true, Kind::kNone, ""},
    {df::kSignatureMatchesPublicKey, df::kSignatureMatchesPublicKey, 6, true, Kind::kNone, ""},
    {df::kRootCertificate, df::kRootCertificate, 6, true, Kind::kNone, ""},
    {df::kTemplate, "Template", 7, false, Kind::kWords, ""},
    {df::kKeyIdHashPrefix, "Key Id Hash", 8, true, Kind::kHash, ""},
    {df::kCertHashPrefix, "Cert Hash", 8, true, Kind::kHash, ""},
    {"Signature Hash:", "Signature Hash", 8, true, Kind::kHex, ""},
    {df::kNoKeyProviderInformation, df::kNoKeyProviderInformation, 9, false, Kind::kNone, ""},
    // Property 2 prints Key Container, Unique/Simple, Provider; a key found by searching prints
    // Provider, Simple, Unique.
    {"Key Container =", "Key Container", 10, true, Kind::kText, df::kKeyLineIndent},
    {"Unique container name:", "Unique container name", 10, true, Kind::kText, df::kKeyLineIndent},
    {"Simple container name:", "Simple container name", 10, true, Kind::kText, df::kKeyLineIndent},
    {"Provider =", "Provider", 10, true, Kind::kText, df::kKeyLineIndent},
    {"ProviderType =", "ProviderType", 10, true, Kind::kNumber, df::kKeyLineIndent},
    {"Flags =", "Flags", 10, true, Kind::kNumber, df::kKeyLineIndent},
    {"KeySpec =", "KeySpec", 10, true, Kind::kNumber, df::kKeyLineIndent},
    {df::kPrivateKeyNotExportable, df::kPrivateKeyNotExportable, 11, true, Kind::kNone, ""},
    {df::kPrivateKeyNotPlainTextExportable, df::kPrivateKeyNotPlainTextExportable, 11, true,
     Kind::kNone, ""},
    {df::kEncryptionTestPassed, df::kEncryptionTestPassed, 11, true, Kind::kNone, ""},
    {df::kSignatureTestPassed, df::kSignatureTestPassed, 11, true, Kind::kNone, ""},
    {df::kEncryptionTestFailed, df::kEncryptionTestFailed, 11, true, Kind::kNone, ""},
    {"Signature test FAILED", "Signature test FAILED", 11, true, Kind::kNone, ""},
    {df::kMissingStoredKeyset, df::kMissingStoredKeyset, 11, true, Kind::kNone, ""},
    {df::kCannotFindCertAndKey, df::kCannotFindCertAndKey, 11, true, Kind::kNone, ""},
    {df::kMissingKeyAssociation, df::kMissingKeyAssociation, 11, true, Kind::kNone, ""},
    {"Private key verifies", "Private key verifies", 11, true, Kind::kNone, ""},
    {"Public key matching test succeeded", "Public key matching test succeeded", 11, true,
     Kind::kNone, ""},
    {df::kCompletionPrefix, "CertUtil", 12, false, Kind::kVerb, ""},
}};

// The labels by their first byte: most of a dump's text starts no label, and where a capital
// letter does, one to seven labels share it.
struct FirstByteIndex {
  std::array<std::array<std::uint8_t, 8>, 256> labels{};  // indexes into kLineLabels
  std::array<std::uint8_t, 256> count{};
};
constexpr FirstByteIndex kByFirstByte = [] {
  FirstByteIndex index;
  for (std::size_t i = 0; i < kLineLabels.size(); ++i) {
    const auto b = static_cast<unsigned char>(kLineLabels[i].text.front());
    index.labels[b][index.count[b]++] = static_cast<std::uint8_t>(i);
  }
  return index;
}();

// Calls f(label) for each label `s` starts with.
template <typename F>
void for_labels_at(string_view s, F&& f) {
  if (s.empty()) return;
  const auto b = static_cast<unsigned char>(s.front());
  for (std::size_t k = 0; k < kByFirstByte.count[b]; ++k) {
    const LineLabel& l = kLineLabels[kByFirstByte.labels[b][k]];
    if (s.size() >= l.text.size() && s[1] == l.text[1] && s.starts_with(l.text)) f(l);
  }
}

// The longest label the text starts with ("Root Certificate: ..." before any shorter one).
const LineLabel* label_at(string_view s) {
  const LineLabel* found = nullptr;
  for_labels_at(s, [&](const LineLabel& l) {
    if (found == nullptr || l.text.size() > found->text.size()) found = &l;
  });
  return found;
}

bool follows(const LineLabel& own, const LineLabel& next) {
  return next.group > own.group || (next.group == own.group && own.repeats);
}

// "CN=", "OID.1.2.3=", "E=": an attribute name, then '='.
bool starts_like_rdn(string_view v) {
  if (v.empty() || !is_alpha(v.front())) return false;
  const std::size_t eq = v.find('=');
  if (eq > 40) return false;  // also npos: no '=' at all
  for (char c : v.substr(0, eq)) {
    if (!is_alnum(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// Hex, or the masks documentation writes in its place ("xxxx", "<serial>").
bool starts_like_hex(string_view v) {
  return !v.empty() &&
         (is_hex_digit(v.front()) || v.front() == 'x' || v.front() == 'X' || v.front() == '<');
}

// "sha1): 7f d8": the length of "sha1):" when an algorithm and a hex value follow.
std::size_t hash_algorithm_length(string_view after) {
  const std::size_t close = after.find(df::kHashSuffix);
  if (close == 0 || close == string_view::npos || close > 24) return 0;
  for (char c : after.substr(0, close)) {
    if (!is_alnum(c) && c != '-') return 0;
  }
  if (!starts_like_hex(trim_left(after.substr(close + df::kHashSuffix.size())))) return 0;
  return close + 2;
}

// The text after a label reads as that label's value.
bool value_fits(const LineLabel& label, string_view after) {
  const string_view v = trim_left(after);
  switch (label.kind) {
    case Kind::kNone:
      return v.empty() || label_at(v) != nullptr;
    case Kind::kHex:
      return starts_like_hex(v);
    case Kind::kHash:
      return hash_algorithm_length(after) > 0;
    case Kind::kDate:
      return !v.empty() && (is_digit(v.front()) || v.front() == '<');
    case Kind::kNumber:
      return !v.empty() && is_hex_digit(v.front());
    case Kind::kVersion:
      return v.size() >= 2 && v[0] == 'V' && is_digit(v[1]);
    case Kind::kName:
      return starts_like_rdn(v);
    case Kind::kWords:
    case Kind::kText:
      return true;
    case Kind::kVerb:
      return !after.empty() && is_alpha(after.front());
  }
  return false;
}

// Whether a label found inside the value of `own` is a join rather than text of the value.
// Hex, dates and numbers hold no label. A name or template holds words: a label of more than
// one word (or with '=', which certutil would have quoted) at most a few lines on is a join,
// "Template:" may be a word of it. A container or provider name may hold anything.
bool is_join(const LineLabel& own, const LineLabel& next) {
  switch (own.kind) {
    case Kind::kName:
    case Kind::kWords: {
      const bool free_text = next.kind == Kind::kWords || next.kind == Kind::kText;
      return next.group <= own.group + 3 &&
             !(free_text && next.text.find(' ') == string_view::npos);
    }
    case Kind::kText:
      return false;
    default:
      return true;
  }
}

// "Cert Hash(sha1)" of "Cert Hash(sha1): ...", the label's name otherwise.
string_view shown(const LineLabel& l, string_view at, bool with_colon) {
  if (l.kind != Kind::kHash) return with_colon ? l.text : l.name;
  const std::size_t n = l.text.size() + hash_algorithm_length(at.substr(l.text.size()));
  return at.substr(0, with_colon ? n : n - 1);
}

}  // namespace

bool starts_with_line_label(string_view body) { return label_at(body) != nullptr; }

constexpr bool labels_start_capital() {
  for (const LineLabel& l : kLineLabels) {
    if (l.text.front() < 'A' || l.text.front() > 'Z') return false;
  }
  return true;
}
static_assert(labels_start_capital(), "has_capital() skips lines by the first byte of labels");

// Every label starts with a capital letter. Written without an early exit so that the compiler
// vectorizes it: most label lines hold hex, which this rejects at once.
bool has_capital(string_view s) {
  bool any = false;
  for (char c : s) any |= c >= 'A' && c <= 'Z';
  return any;
}

std::optional<RunOn> find_run_on(string_view body, bool reflowed) {
  const LineLabel* own = label_at(body);
  if (own == nullptr || !has_capital(body.substr(own->text.size()))) return std::nullopt;
  std::size_t p = own->text.size();
  const LineLabel* next = nullptr;
  bool quoted = false;
  for (; p < body.size() && next == nullptr; ++p) {
    // A label right after '=' starts an attribute's value; inside quotes (RDN values) it is
    // part of one.
    if (own->kind == Kind::kName && body[p] == '"') quoted = !quoted;
    if (quoted || kByFirstByte.count[static_cast<unsigned char>(body[p])] == 0 ||
        body[p - 1] == '=') {
      continue;
    }
    const string_view at = body.substr(p);
    for_labels_at(at, [&](const LineLabel& l) {
      if (follows(*own, l) && (next == nullptr || l.text.size() > next->text.size()) &&
          value_fits(l, at.substr(l.text.size()))) {
        next = &l;
      }
    });
  }
  if (next == nullptr) return std::nullopt;
  --p;  // the loop stepped past the label it found
  const bool split = reflowed || is_join(*own, *next);
  return RunOn{shown(*own, body, false),
               own->kind != Kind::kNone,
               shown(*next, body.substr(p), true),
               p,
               next->indent,
               split};
}

}  // namespace certbed::repair::dump_detail
