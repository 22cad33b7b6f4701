// Third stage of the dump parser, continued: the certificate's own fields in a record (serial,
// names, dates, hash lines, extensions), English or localized labels read by position.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "certbed/repair/formats/dump/dump_format.h"
#include "dump_stages.h"

namespace certbed::repair::dump_detail {
namespace {

namespace df = dump_format;

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

}  // namespace

void RecordBuilder::general_line(std::size_t indent, string_view text, string_view b,
                                 std::size_t n) {
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
    if (consume_label(b, df::kPublicKeyLength, v)) {
      // "2048 bits"; a value that does not read leaves the length unknown.
      if (v.ends_with(" bits")) c.public_key_bits = parse_u32(v.substr(0, v.size() - 5), 10);
      return;
    }
    if (b == df::kSignatureMatchesPublicKey || b.starts_with("Possible Root Certificate")) {
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
      set_hex(c.signature_hash, v, n, "Signature Hash", false);
      return;
    }
  }
  if (auto h = parse_hash_line(b); h && (top || h->label == "Name Hash")) {
    hash_line(*h, n);
    return;
  }
  if (auto kp = parse_kp_line(b)) {
    const bool starts_block = kp->field == KpField::kContainer || kp->field == KpField::kProvider ||
                              kp->field == KpField::kUnique || kp->field == KpField::kSimple;
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

void RecordBuilder::set_serial(string_view v, std::size_t n) {
  saw_serial_line_ = true;
  const bool is_masked = note_masked(hex_mask(v, false), "Serial Number", v, n, false);
  auto hex = hex_value(v);
  if (!hex) {
    if (!is_masked) {
      warn(n, "expected a hex serial number after 'Serial Number:', found " + quote(v));
    }
    return;
  }
  rec_->serial = std::move(*hex);
}

// Documentation masks the ids and names it shows. A masked id (serial, thumbprint, key id,
// unique container name) names no certificate on a machine, so no script may use it; a masked
// Key Container or Simple container name would put a wrong name into an INF, so its record is
// kept out of every INF and script as an unfaithful one is.
bool RecordBuilder::note_masked(const std::optional<std::string>& mask, string_view what,
                                string_view v, std::size_t n, bool name_in_inf) {
  if (!mask) return false;
  rec_->elided = true;
  summary_.elided = true;
  const std::string reason = "the " + std::string(what) + " value looks masked (" + *mask + ")";
  if (name_in_inf) {
    warn(n, "the " + std::string(what) + " value " + quote(v) + " looks masked (" + *mask +
                "), as documentation hides real values: certbed will not use the values of "
                "certificate" +
                record_name() + " in a script or an INF");
    note_unfaithful(n, reason);
  } else {
    warn(n, "the " + std::string(what) + " value " + quote(v) + " looks masked (" + *mask +
                "), as documentation hides real values: no script will name certificate" +
                record_name() + " by it");
    if (rec_->masked.size() < DumpCertificate::kMaxUnfaithfulLines) {
      rec_->masked.push_back(DumpUnfaithfulLine{n, reason});
    }
  }
  return true;
}

void RecordBuilder::set_name(NameTarget target, string_view v) {
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

void RecordBuilder::set_date(std::string& field, string_view v, std::size_t n) {
  if (is_placeholder(v)) {
    rec_->elided = true;
    summary_.elided = true;
    warn(n, "placeholder " + quote(v) + " instead of a date: left empty");
    return;
  }
  field = std::string(v);
}

void RecordBuilder::set_hex(std::string& field, string_view v, std::size_t n, string_view what,
                            bool id) {
  // Only the ids a script or a certID could use are looked at for masks.
  const bool is_masked = id && note_masked(hex_mask(v, true), what, v, n, false);
  auto hex = hex_value(v);
  if (!hex) {
    if (!is_masked) warn(n, "expected hex after '" + std::string(what) + "', found " + quote(v));
    return;
  }
  field = std::move(*hex);
}

void RecordBuilder::set_ca_version(string_view v, std::size_t n) {
  rec_->is_ca = true;
  if (auto version = parse_ca_version(v)) {
    rec_->ca_version = version;
  } else {
    warn(n, "expected a CA version like 'V0.0', found " + quote(v));
  }
}

// RDN lines of a verbose Issuer/Subject section, and its Name Hash lines.
bool RecordBuilder::name_line(std::size_t indent, string_view b, std::size_t n) {
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

void RecordBuilder::hash_line(const HashLine& h, std::size_t n) {
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
    set_hex(*field, h.value, n, std::string(h.label) + "(" + std::string(h.alg) + ")",
            field == &c.sha1 || field == &c.key_id_hash_rfc_sha1 || field == &c.key_id_hash_sha1);
}

// Localized non-verbose/verbose header lines, read by the shapes the layout fixes:
// a hex serial, " <date>" with one leading space, RDN values, "Label:" sections.
bool RecordBuilder::localized_header_line(string_view text, string_view b, std::size_t n) {
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

void RecordBuilder::extension_line(string_view b) {
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

}  // namespace certbed::repair::dump_detail
