// Third stage of the dump parser: the record state machine. One certificate record at a time:
// its sections, the property list, the key provider block and the status lines after them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "certbed/repair/formats/dump/dump_format.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "dump_stages.h"

namespace certbed::repair::dump_detail {
namespace {

namespace df = dump_format;
namespace wc = wincrypt;

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

}  // namespace

RecordBuilder::RecordBuilder(ParseContext& ctx, StoreDumpParser::Callback on_certificate)
    : ctx_(ctx), options_(ctx.options), summary_(ctx.summary), cb_(std::move(on_certificate)) {}

void RecordBuilder::note_unfaithful(std::size_t n, std::string reason) {
  if (!rec_) return;  // text outside the records feeds no repair; its warning is enough
  ++rec_->unfaithful_lines;
  if (rec_->unfaithful.size() < DumpCertificate::kMaxUnfaithfulLines) {
    rec_->unfaithful.push_back(DumpUnfaithfulLine{n, std::move(reason)});
  }
}

void RecordBuilder::finish(std::size_t last_line) {
  if (rec_) {
    warn(last_line, "input ends inside certificate" + record_name() + " (started at line " +
                        std::to_string(rec_->first_line) +
                        "): the record is incomplete (truncated dump?)");
    close_record(false);
  }
  if (summary_.certificates == 0 && evidence_ && orphan_lines_ > 0) {
    warn(0, "certutil output found but no certificate record (no '" +
                std::string(df::kSeparatorPrefix) +
                "N ================' or 'Serial Number:' line): damaged or localized dump");
  }
}

std::string RecordBuilder::record_name() const {
  if (rec_ && rec_->index) return " " + std::to_string(*rec_->index);
  return "";
}

// ---- Records and their sections ---------------------------------------------------------------

void RecordBuilder::on_separator(const Separator& sep, std::size_t n) {
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
void RecordBuilder::take_store_header(string_view margin) {
  if (header_taken_) return;
  header_taken_ = true;
  for (const std::string* candidate : {&last_header_, &first_header_}) {
    const string_view c = *candidate;
    if (c.empty() || margin_of(c) != margin) continue;
    if (parse_store_header(trim(c), summary_.store_name, summary_.store_description)) return;
  }
}

void RecordBuilder::on_line(string_view text, std::size_t n, string_view margin) {
  const string_view body = trim(text);
  if (body.starts_with(df::kCertUtilPrefix)) {
    on_certutil_line(body, n, margin);
    return;
  }
  if (!rec_) {
    outside_line(text, body, n, margin);
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
    outside_line(text, body, n, margin);
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

void RecordBuilder::outside_line(string_view text, string_view body, std::size_t n,
                                 string_view margin) {
  if (body.empty()) return;
  if (body.starts_with(df::kSerialNumber) || body == df::kX509Certificate) {
    evidence_ = true;
    take_store_header(margin);
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

void RecordBuilder::on_certutil_line(string_view body, std::size_t n, string_view margin) {
  evidence_ = true;
  if (rec_) close_record(true);
  if (!header_taken_ && summary_.certificates == 0) take_store_header(margin);
  // The word after the dash names the verb in every language ("-store comando completado").
  if (string_view verb = body; consume(verb, df::kCompletionPrefix)) {
    summary_.verb = std::string(verb.substr(0, verb.find(' ')));
  }
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

void RecordBuilder::open_record(std::size_t n, std::optional<std::uint32_t> index) {
  rec_.emplace();
  ctx_.record_warnings = &rec_->warnings;
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

void RecordBuilder::close_record(bool complete) {
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
  ctx_.record_warnings = nullptr;
  if (cb_) cb_(std::move(done));
}

void RecordBuilder::flush_tail_pending() {
  auto& target = rec_->properties.empty() ? rec_->other_lines : rec_->key_details;
  for (auto& s : tail_pending_) target.push_back(std::move(s));
  tail_pending_.clear();
}

void RecordBuilder::note_localized(std::size_t n, string_view label, string_view meaning) {
  if (localized_warned_) return;
  localized_warned_ = true;
  warn(n, "non-English label " + quote(label) + " read as '" + std::string(meaning) +
              "' by its position; further localized labels in this record are read the same "
              "way");
}

void RecordBuilder::record_line(string_view text, string_view body, std::size_t n) {
  const std::size_t indent = indent_of(text);
  if (body.empty()) {
    on_blank();
    return;
  }
  if (is_elision(body)) {
    rec_->elided = true;
    summary_.elided = true;
    warn(n,
         "documentation elision " + quote(body) + ": certificate" + record_name() + " is partial");
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

void RecordBuilder::on_blank() {
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

// ---- Properties and key provider --------------------------------------------------------------

void RecordBuilder::start_key_block(const KpLine& kp, std::size_t n) {
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

void RecordBuilder::start_property(const PropertyHeader& ph, std::size_t n) {
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
  c.properties.push_back(DumpProperty{ph.id, std::string(ph.name), std::string(ph.suffix), n, {}});
  cur_prop_ = c.properties.size() - 1;
  state_ = State::kProperty;
}

void RecordBuilder::end_property() {
  if (cur_prop_) last_prop_ = cur_prop_;
  cur_prop_.reset();
}

void RecordBuilder::property_line(string_view b, std::size_t n) {
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
bool RecordBuilder::after_property_line(std::size_t indent, string_view b, std::size_t n) {
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

bool RecordBuilder::kp_line(DumpKeyProvider& kp, string_view b, std::size_t n, bool positional) {
  auto line = parse_kp_line(b);
  if (!line) return false;
  if (!positional && !is_english_kp_field(line->field)) return false;
  return apply_kp(kp, *line, n, positional);
}

bool RecordBuilder::apply_kp(DumpKeyProvider& kp, const KpLine& line, std::size_t n,
                             bool positional) {
  auto number = [&](std::optional<std::uint32_t>& field, string_view what) {
    auto parsed = parse_certutil_number(line.value);
    if (!parsed) {
      warn(n, "expected a number after '" + std::string(what) + " = ', found " + quote(line.value));
      return;
    }
    if (parsed->decimal_mismatch) {
      warn(n, "hex and decimal disagree in " + quote(line.value) + "; using the hex value");
    }
    field = parsed->value;
  };
  auto take_name = [&](std::optional<std::string>& field, string_view what) {
    note_masked(name_mask(line.value), what, line.value, n, what != "Unique container name");
    field = std::string(line.value);
  };
  switch (line.field) {
    case KpField::kContainer:
      take_name(kp.container, "Key Container");
      return true;
    case KpField::kUnique:
      take_name(kp.unique_container, "Unique container name");
      return true;
    case KpField::kSimple:
      take_name(kp.simple_container, "Simple container name");
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
          warn(n, "KeySpec " + std::to_string(parsed->value) + " printed with name " + quote(name) +
                      ", expected '" + std::string(expected) + "'");
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
        take_name(kp.container, "Key Container");
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
      take_name(kp.unique_container, "Unique container name");
      return true;
  }
  return false;
}

}  // namespace certbed::repair::dump_detail
