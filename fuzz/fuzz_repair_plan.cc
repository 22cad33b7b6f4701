// make_repair_plan and the cmd / PowerShell renderers on findings with arbitrary serials,
// thumbprints, subjects and key provider names. Invariants: every INF reads back to the key
// provider it was made from; the scripts consist only of the planner's fixed lines and
// -repairstore lines whose arguments are a hex certificate id and the INF name derived from it;
// no name from the input reaches a script.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/planner/repair_plan.h"
#include "fuzz_check.h"

namespace {

using namespace certbed::repair;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find("\r\n", start);
    CHECK(end != std::string::npos, "a script does not end with CRLF");
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

constexpr std::string_view kCmdCertutil = R"("%SystemRoot%\System32\certutil.exe" )";

// The lines a script may contain besides -repairstore lines: those of a plan with every kind of
// step (backup with the CA, inspect, repairstore, verify, retry, manual) in every location.
struct FixedLines {
  std::set<std::string> cmd, ps1;
  std::string text;  // all of them, for the substring check
};

constexpr StoreLocation kLocations[] = {StoreLocation::kLocalMachine, StoreLocation::kCurrentUser,
                                        StoreLocation::kLocalMachineEnterprise};

bool is_repairstore_line(const std::string& line) {
  return (line.starts_with(kCmdCertutil) || line.starts_with("Invoke-Checked @(")) &&
         line.find("-repairstore") != std::string::npos;
}

// The reference plans: each location, with a software and a hardware-module CA key.
const FixedLines& fixed_lines() {
  static const FixedLines fixed = [] {
    FixedLines out;
    for (const auto location : kLocations) {
      for (const char* provider :
           {"Microsoft Software Key Storage Provider", "SafeNet Key Storage Provider"}) {
        Finding keyspec{"ksp-keyspec-not-zero",
                        Severity::kError,
                        0,
                        "1f3a",
                        "",
                        "CN=CA",
                        true,
                        "",
                        "",
                        FixKind::kPropertyInf,
                        KeyProvInfo{"CA", provider, 0, 0x20, 0, {}}};
        Finding lost{
            "lost-key-association",         Severity::kWarning, 1, "2b", "", "", false, "", "",
            FixKind::kRepairKeyAssociation, std::nullopt};
        Finding manual{"missing-keyset", Severity::kError, 2, "3c", "", "", false, "", "",
                       FixKind::kManual, std::nullopt};
        PlanOptions options;
        options.store.location = location;
        auto plan = make_repair_plan({keyspec, lost, manual}, options);
        CHECK(plan.ok(), "the reference plan fails");
        for (const auto& line : split_lines(render_cmd_script(*plan).value())) {
          if (!is_repairstore_line(line)) out.cmd.insert(line);
        }
        for (const auto& line : split_lines(render_powershell_script(*plan).value())) {
          if (!is_repairstore_line(line)) out.ps1.insert(line);
        }
      }
    }
    for (const auto& set : {out.cmd, out.ps1}) {
      for (const auto& line : set) out.text += line + "\n";
    }
    return out;
  }();
  return fixed;
}

std::string consume_id(FuzzedDataProvider& fdp) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: {  // lower-case hex, as the engine normalizes ids
      std::string id;
      const auto n = fdp.ConsumeIntegralInRange<std::size_t>(0, 40);
      for (std::size_t i = 0; i < n; ++i)
        id += "0123456789abcdef"[fdp.ConsumeIntegral<std::uint8_t>() % 16];
      return id;
    }
    case 1:
      return "";
    default:
      return fdp.ConsumeRandomLengthString(48);
  }
}

Finding consume_finding(FuzzedDataProvider& fdp) {
  static constexpr const char* kRules[] = {"ksp-keyspec-not-zero", "lost-key-association",
                                           "missing-keyset", "csp-keyspec-mismatch",
                                           "sql-tls-needs-capi-keyexchange"};
  Finding f;
  f.rule = fdp.ConsumeBool() ? std::string(fdp.PickValueInArray(kRules))
                             : fdp.ConsumeRandomLengthString(24);
  f.severity = fdp.PickValueInArray({Severity::kInfo, Severity::kWarning, Severity::kError});
  f.serial = consume_id(fdp);
  f.sha1 = consume_id(fdp);
  f.subject = fdp.ConsumeRandomLengthString(64);
  f.is_ca = fdp.ConsumeBool();
  f.evidence = fdp.ConsumeRandomLengthString(32);
  f.fix = fdp.ConsumeRandomLengthString(32);
  f.fix_kind = fdp.PickValueInArray(
      {FixKind::kNone, FixKind::kPropertyInf, FixKind::kRepairKeyAssociation, FixKind::kManual});
  if (fdp.ConsumeBool()) {
    KeyProvInfo info;
    info.container = fdp.ConsumeRandomLengthString(64);
    info.provider = fdp.ConsumeRandomLengthString(64);
    info.provider_type = fdp.ConsumeIntegralInRange<std::uint32_t>(0, 24);
    info.flags = fdp.ConsumeBool() ? 0x20 : fdp.ConsumeIntegral<std::uint32_t>();
    info.key_spec = fdp.ConsumeIntegralInRange<std::uint32_t>(0, 2);
    f.key_provider = info;
  }
  return f;
}

std::optional<std::string> cert_id_of(const Finding& f) {
  if (is_hex_id(f.sha1)) return f.sha1;
  if (is_hex_id(f.serial)) return f.serial;
  return std::nullopt;
}

void check_script(const std::string& script, const std::set<std::string>& fixed,
                  const std::regex& repairstore, const std::vector<std::string>& inputs) {
  std::vector<std::string> checked;
  for (const auto& line : split_lines(script)) {
    if (is_repairstore_line(line)) {
      std::smatch m;
      CHECK(std::regex_match(line, m, repairstore),
            ("a -repairstore line of an unexpected shape: " + line).c_str());
      CHECK(!m[2].matched || m[2].str() == m[1].str(),
            ("the INF name is not derived from the id: " + line).c_str());
      checked.push_back(line);
    } else {
      CHECK(fixed.contains(line), ("a script line that is not fixed text: " + line).c_str());
    }
  }
  // Input names never reach a script, except where they happen to be fixed text or the
  // validated -repairstore lines (e.g. a subject "-repairstore").
  for (const auto& s : inputs) {
    if (s.size() <= 3 || is_hex_id(s) || s.find_first_of("\r\n") != std::string::npos) continue;
    if (script.find(s) == std::string::npos) continue;
    bool explained = fixed_lines().text.find(s) != std::string::npos;
    for (const auto& line : checked) explained = explained || line.find(s) != std::string::npos;
    CHECK(explained, ("an input string reached a script: " + s).c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)fixed_lines();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::vector<Finding> findings;
  const auto count = fdp.ConsumeIntegralInRange<int>(1, 6);
  findings.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) findings.push_back(consume_finding(fdp));
  PlanOptions options;
  options.ca_host = fdp.ConsumeBool();
  options.store.location = fdp.PickValueInArray(kLocations);

  const auto plan = make_repair_plan(findings, options);
  CHECK(plan.ok(), ("make_repair_plan failed: " + plan.error().to_string()).c_str());

  // The INF of a certificate carries the key provider of its last finding that needs one.
  std::map<std::string, KeyProvInfo> expected;
  std::vector<std::string> inputs;
  for (const auto& f : findings) {
    inputs.insert(inputs.end(), {f.subject, f.serial, f.sha1, f.rule, f.evidence, f.fix});
    if (f.key_provider)
      inputs.insert(inputs.end(), {f.key_provider->container, f.key_provider->provider});
    const auto id = cert_id_of(f);
    if (f.fix_kind != FixKind::kPropertyInf || !f.key_provider || !id) continue;
    if (write_property_inf({inf_key_provider(*f.key_provider)})) expected[*id] = *f.key_provider;
  }
  CHECK(plan->infs.size() == expected.size(), "the plan writes another number of INFs");
  for (const auto& inf : plan->infs) {
    CHECK(is_hex_id(inf.cert_id) && inf.file_name == "keyprov-" + inf.cert_id + ".inf",
          "an INF name that is not keyprov-<hex id>.inf");
    const auto parsed = parse_property_inf(inf.content, inf.file_name);
    CHECK(parsed.ok(), ("a planned INF does not parse: " + parsed.error().to_string()).c_str());
    CHECK(parsed->properties.size() == 1 && parsed->properties[0].key_provider,
          "a planned INF does not set exactly property 2");
    const auto info = parsed->properties[0].key_provider->to_key_prov_info();
    CHECK(info.ok() && expected.contains(inf.cert_id), "a planned INF for an unexpected id");
    CHECK(*info == expected[inf.cert_id],
          ("a planned INF reads back to another key provider: " + info->to_string()).c_str());
  }

  const auto cmd = render_cmd_script(*plan);
  CHECK(cmd.ok(), ("render_cmd_script failed: " + cmd.error().to_string()).c_str());
  const auto ps1 = render_powershell_script(*plan);
  CHECK(ps1.ok(), ("render_powershell_script failed: " + ps1.error().to_string()).c_str());
  static const std::regex cmd_line(
      R"re("%SystemRoot%\\System32\\certutil\.exe" (?:-user |-enterprise )?-repairstore "My" "([0-9a-f]{1,128})"(?: "keyprov-([0-9a-f]{1,128})\.inf")?)re");
  static const std::regex ps1_line(
      R"re(Invoke-Checked @\((?:'-user', |'-enterprise', )?'-repairstore', \$store, '([0-9a-f]{1,128})'(?:, 'keyprov-([0-9a-f]{1,128})\.inf')?\))re");
  check_script(*cmd, fixed_lines().cmd, cmd_line, inputs);
  check_script(*ps1, fixed_lines().ps1, ps1_line, inputs);
  (void)render_plan_summary(*plan);
  return 0;
}
