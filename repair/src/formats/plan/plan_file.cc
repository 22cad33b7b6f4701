// plan.json: written with nlohmann-json, read back through a checked walk that turns every
// shape it does not expect into a located Error (nlohmann is used without exceptions here).
#include "certbed/repair/formats/plan/plan_file.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/printable.h"

namespace certbed::repair {
namespace {

using Json = nlohmann::ordered_json;

Json text_or_null(const std::string& text) { return text.empty() ? Json() : Json(text); }

Json finding_object(const Finding& f) {
  return {{"rule", f.rule},
          {"severity", severity_name(f.severity)},
          {"serial", text_or_null(f.serial)},
          {"sha1", text_or_null(f.sha1)},
          {"subject", text_or_null(f.subject)},
          {"evidence", f.evidence},
          {"fix", f.fix},
          {"fix_kind", fix_kind_name(f.fix_kind)},
          {"ca", f.is_ca}};
}

// Invalid UTF-8 cannot come from the parsers, but dump() would throw on it: replace it instead.
std::string dump_json(const Json& json, int indent) {
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// Only names the planner makes ("keyprov-<hex>.inf") are opened beside a plan.
bool is_plain_file_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Input quoted in a message: at most 60 bytes, terminal controls escaped.
std::string quoted_input(std::string_view text) { return printable_excerpt(text, 60); }

SourceLocation location_at(std::string_view text, std::size_t offset, const std::string& source) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_break = before.rfind('\n');
  const std::size_t column =
      last_break == std::string_view::npos ? offset + 1 : offset - last_break;
  return SourceLocation{source, line, column};
}

// Nesting deeper than any plan has is refused before nlohmann builds (and later destroys) it.
std::optional<std::size_t> first_too_deep(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxPlanFileDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// Finds where and why nlohmann's parser stopped, without exceptions.
class ErrorSax final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    position_ = position;
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    // or "[json.exception.out_of_range.406] number overflow parsing '1e999999'": keep the
    // explanation; the location is computed from `position`.
    std::string what = ex.what();
    if (what.rfind("[json.exception.", 0) == 0) {
      if (const auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    }
    if (what.rfind("parse error at line ", 0) == 0) {
      if (const auto colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
    }
    if (const auto last = what.find("; last read: "); last != std::string::npos) {
      what = what.substr(0, last);
    }
    message_ = what + (last_token.empty() ? "" : " (near \"" + quoted_input(last_token) + "\")");
    return false;
  }
  std::size_t position() const { return position_; }
  const std::string& message() const { return message_; }

 private:
  std::size_t position_ = 0;
  std::string message_ = "syntax error";
};

// A checked walk over the parsed JSON: each accessor reports the path of what it rejects.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  // "findings[2]" + "sha1" -> "findings[2].sha1"; the root has the empty path.
  static std::string member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  Error fail(const std::string& path, const std::string& what) const {
    return make_error(ErrorCode::kParse, source_ + ": " + (path.empty() ? "" : path + ": ") + what);
  }
  Error wrong_type(const std::string& path, std::string_view expected, const Json& found) const {
    return fail(path, fmt_expected(expected, found));
  }
  static std::string fmt_expected(std::string_view expected, const Json& found) {
    return "expected " + std::string(expected) + ", found " + std::string(found.type_name());
  }

  // The members of an object, each of `keys` required and nothing else allowed.
  Status check_keys(const Json& object, const std::string& path,
                    std::initializer_list<std::string_view> keys) const {
    if (!object.is_object()) return wrong_type(path, "object", object);
    for (std::string_view key : keys) {
      if (!object.contains(std::string(key)))
        return fail(path, "missing \"" + std::string(key) + "\"");
    }
    for (const auto& [key, value] : object.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return fail(path, "unknown key \"" + quoted_input(key) + "\"");
      }
    }
    return {};
  }

  Result<std::string> text(const Json& object, const std::string& path, const char* key,
                           bool nullable = false) const {
    const Json& v = object.at(key);
    if (nullable && v.is_null()) return std::string();
    if (!v.is_string())
      return wrong_type(member(path, key), nullable ? "string or null" : "string", v);
    return v.get<std::string>();
  }

  Result<bool> flag(const Json& object, const std::string& path, const char* key) const {
    const Json& v = object.at(key);
    if (!v.is_boolean()) return wrong_type(member(path, key), "true or false", v);
    return v.get<bool>();
  }

  Result<const Json*> array(const Json& object, const std::string& path, const char* key) const {
    const Json& v = object.at(key);
    if (!v.is_array()) return wrong_type(member(path, key), "array", v);
    return &v;
  }

  Result<std::vector<std::string>> texts(const Json& object, const std::string& path,
                                         const char* key) const {
    auto list = array(object, path, key);
    if (!list) return list.error();
    std::vector<std::string> out;
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const Json& v = (**list)[i];
      if (!v.is_string()) return wrong_type(index_path(member(path, key), i), "string", v);
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  static std::string index_path(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  Result<Finding> finding(const Json& v, const std::string& path) const {
    if (auto s = check_keys(
            v, path,
            {"rule", "severity", "serial", "sha1", "subject", "evidence", "fix", "fix_kind", "ca"});
        !s) {
      return s.error();
    }
    Finding f;
    auto rule = text(v, path, "rule");
    auto severity = text(v, path, "severity");
    auto serial = text(v, path, "serial", true);
    auto sha1 = text(v, path, "sha1", true);
    auto subject = text(v, path, "subject", true);
    auto evidence = text(v, path, "evidence");
    auto fix = text(v, path, "fix");
    auto fix_kind = text(v, path, "fix_kind");
    auto ca = flag(v, path, "ca");
    for (const auto* r : {&rule, &severity, &serial, &sha1, &subject, &evidence, &fix, &fix_kind}) {
      if (!*r) return r->error();
    }
    if (!ca) return ca.error();
    const auto parsed_severity = parse_severity(*severity);
    if (!parsed_severity) {
      return fail(path + ".severity",
                  "expected info, warning or error, found \"" + quoted_input(*severity) + "\"");
    }
    const auto parsed_fix_kind = parse_fix_kind(*fix_kind);
    if (!parsed_fix_kind) {
      return fail(path + ".fix_kind",
                  "expected none, inf, repair-key-association or manual, found \"" +
                      quoted_input(*fix_kind) + "\"");
    }
    f.rule = std::move(*rule);
    f.severity = *parsed_severity;
    f.serial = std::move(*serial);
    f.sha1 = std::move(*sha1);
    f.subject = std::move(*subject);
    f.evidence = std::move(*evidence);
    f.fix = std::move(*fix);
    f.fix_kind = *parsed_fix_kind;
    f.is_ca = *ca;
    return f;
  }

  Result<PlanStep> step(const Json& v, const std::string& path) const {
    if (auto s = check_keys(v, path, {"kind", "title", "detail", "cert_id", "inf", "rules"}); !s) {
      return s.error();
    }
    auto kind = text(v, path, "kind");
    auto title = text(v, path, "title");
    auto detail = text(v, path, "detail");
    auto cert_id = text(v, path, "cert_id", true);
    auto inf = text(v, path, "inf", true);
    auto rules = texts(v, path, "rules");
    for (const auto* r : {&kind, &title, &detail, &cert_id, &inf}) {
      if (!*r) return r->error();
    }
    if (!rules) return rules.error();
    const auto parsed_kind = parse_step_kind(*kind);
    if (!parsed_kind) {
      return fail(path + ".kind",
                  "expected backup, repairstore, verify, retry or manual, found \"" +
                      quoted_input(*kind) + "\"");
    }
    PlanStep step;
    step.kind = *parsed_kind;
    step.title = std::move(*title);
    step.detail = std::move(*detail);
    step.cert_id = std::move(*cert_id);
    if (!inf->empty()) step.inf_file = std::move(*inf);
    step.rules = std::move(*rules);
    if (step.kind == StepKind::kRepairStore && !is_hex_id(step.cert_id)) {
      return fail(path + ".cert_id",
                  "a repairstore step needs a certificate id in lower-case "
                  "hex, found \"" +
                      quoted_input(step.cert_id) + "\"");
    }
    if (step.inf_file && step.kind != StepKind::kRepairStore) {
      return fail(path + ".inf", "only a repairstore step has an INF file");
    }
    if (step.inf_file && !is_plain_file_name(*step.inf_file)) {
      return fail(path + ".inf", "INF file name \"" + quoted_input(*step.inf_file) +
                                     "\" is not a plain file name");
    }
    return step;
  }

 private:
  const std::string& source_;
};

}  // namespace

PlanFile plan_file_of(const RepairPlan& plan) {
  PlanFile file{plan.store.name, plan.store.location, plan.ca_host, plan.ca_hsm_provider,
                plan.findings,   plan.steps,          {},           plan.refused};
  for (const auto& inf : plan.infs) file.inf_files.push_back(inf.file_name);
  return file;
}

std::string finding_json(const Finding& finding, int indent) {
  return dump_json(finding_object(finding), indent);
}

std::string store_identity_json(const StoreIdentity& store, int indent) {
  const Json json = {{"name", text_or_null(store.name)},
                     {"location", store.location == StoreLocation::kUnknown
                                      ? Json()
                                      : Json(std::string(location_name(store.location)))},
                     {"name_source", text_or_null(store.name_source)},
                     {"location_source", text_or_null(store.location_source)},
                     {"role", std::string(store_role_name(store.role()))}};
  return dump_json(json, indent);
}

std::string json_string(std::string_view text) { return dump_json(Json(std::string(text)), -1); }

std::string write_plan_file(const PlanFile& plan) {
  Json steps = Json::array();
  for (const auto& s : plan.steps) {
    steps.push_back({{"kind", step_kind_name(s.kind)},
                     {"title", s.title},
                     {"detail", s.detail},
                     {"cert_id", text_or_null(s.cert_id)},
                     {"inf", s.inf_file ? Json(*s.inf_file) : Json()},
                     {"rules", s.rules}});
  }
  Json findings = Json::array();
  for (const auto& f : plan.findings) findings.push_back(finding_object(f));
  Json refused = Json::array();
  for (const auto& r : plan.refused) {
    refused.push_back({{"rule", r.rule}, {"cert_id", r.cert_id}, {"reason", r.reason}});
  }
  const Json json = {
      {"format", kPlanFileFormat},
      {"store", text_or_null(plan.store_name)},
      {"location", location_name(plan.location)},
      {"ca_host", plan.ca_host},
      {"ca_hsm_provider", plan.ca_hsm_provider ? Json(*plan.ca_hsm_provider) : Json()},
      {"findings", findings},
      {"steps", steps},
      {"inf_files", plan.inf_files},
      {"refused", refused}};
  return dump_json(json, 2) + "\n";
}

Result<PlanFile> read_plan_file(std::string_view text, const std::string& source) {
  if (text.size() > kMaxPlanFileBytes) {
    return make_error(ErrorCode::kParse, source + ": " + std::to_string(text.size()) +
                                             " bytes is larger than a plan "
                                             "file can be (" +
                                             std::to_string(kMaxPlanFileBytes) + " bytes)");
  }
  if (auto deep = first_too_deep(text)) {
    return make_error(
        ErrorCode::kParse,
        "nested deeper than a plan file is (" + std::to_string(kMaxPlanFileDepth) + " levels)",
        location_at(text, *deep, source));
  }
  const Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    ErrorSax sax;
    Json::sax_parse(text.begin(), text.end(), &sax);
    return make_error(ErrorCode::kParse, "not JSON: " + sax.message(),
                      location_at(text, sax.position() == 0 ? 0 : sax.position() - 1, source));
  }
  const Reader r(source);
  const std::string root;
  if (auto s = r.check_keys(json, root,
                            {"format", "store", "location", "ca_host", "ca_hsm_provider",
                             "findings", "steps", "inf_files", "refused"});
      !s) {
    return s.error();
  }
  auto format = r.text(json, root, "format");
  if (!format) return format.error();
  if (*format != kPlanFileFormat) {
    return r.fail("format", "expected \"" + std::string(kPlanFileFormat) + "\", found \"" +
                                quoted_input(*format) + "\"");
  }
  PlanFile plan;
  auto store = r.text(json, root, "store", /*nullable=*/true);
  if (!store) return store.error();
  plan.store_name = std::move(*store);
  auto location = r.text(json, root, "location");
  if (!location) return location.error();
  auto parsed = *location == "unknown" ? std::optional(StoreLocation::kUnknown)
                                       : parse_store_location(*location);
  if (!parsed) {
    return r.fail("location",
                  "expected LocalMachine, CurrentUser, LocalMachineEnterprise or unknown, found "
                  "\"" +
                      quoted_input(*location) + "\"");
  }
  plan.location = *parsed;
  auto ca_host = r.flag(json, root, "ca_host");
  if (!ca_host) return ca_host.error();
  plan.ca_host = *ca_host;
  auto hsm = r.text(json, root, "ca_hsm_provider", /*nullable=*/true);
  if (!hsm) return hsm.error();
  if (!hsm->empty()) plan.ca_hsm_provider = std::move(*hsm);

  auto findings = r.array(json, root, "findings");
  if (!findings) return findings.error();
  for (std::size_t i = 0; i < (*findings)->size(); ++i) {
    auto f = r.finding((**findings)[i], Reader::index_path("findings", i));
    if (!f) return f.error();
    plan.findings.push_back(std::move(*f));
  }
  auto inf_files = r.texts(json, root, "inf_files");
  if (!inf_files) return inf_files.error();
  plan.inf_files = std::move(*inf_files);
  auto steps = r.array(json, root, "steps");
  if (!steps) return steps.error();
  for (std::size_t i = 0; i < (*steps)->size(); ++i) {
    const std::string path = Reader::index_path("steps", i);
    auto s = r.step((**steps)[i], path);
    if (!s) return s.error();
    if (s->inf_file && std::find(plan.inf_files.begin(), plan.inf_files.end(), *s->inf_file) ==
                           plan.inf_files.end()) {
      return r.fail(path + ".inf", "\"" + *s->inf_file + "\" is not listed in inf_files");
    }
    plan.steps.push_back(std::move(*s));
  }
  auto refused = r.array(json, root, "refused");
  if (!refused) return refused.error();
  for (std::size_t i = 0; i < (*refused)->size(); ++i) {
    const Json& v = (**refused)[i];
    const std::string path = Reader::index_path("refused", i);
    if (auto s = r.check_keys(v, path, {"rule", "cert_id", "reason"}); !s) return s.error();
    auto rule = r.text(v, path, "rule");
    auto cert_id = r.text(v, path, "cert_id");
    auto reason = r.text(v, path, "reason");
    for (const auto* t : {&rule, &cert_id, &reason}) {
      if (!*t) return t->error();
    }
    plan.refused.push_back({std::move(*rule), std::move(*cert_id), std::move(*reason)});
  }
  return plan;
}

}  // namespace certbed::repair
