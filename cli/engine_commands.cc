// diagnose, plan and apply: the repair engine end to end, on a snapshot or a customer's dump.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/rules/dump_diagnosis.h"
#include "certbed/repair/store/dump_store.h"
#include "certbed/repair/planner/repair_plan.h"
#include "cli_support.h"
#include "commands.h"

namespace certbed::cli {

using Json = nlohmann::ordered_json;

namespace {

// A snapshot (by extension) or else a certutil dump, behind one ReadOnlyStore.
struct Input {
  std::unique_ptr<emulator::Machine> machine;
  std::unique_ptr<emulator::EmulatedStore> emulated;
  std::unique_ptr<repair::DumpStore> dump;
  repair::ReadOnlyStore* store = nullptr;
};

bool is_snapshot_path(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt" || ext == ".pb" ||
         ext == ".binpb";
}

repair::Result<Input> load_input(const std::string& path, const StoreSelection& selection) {
  Input input;
  if (is_snapshot_path(path)) {
    auto opened = open_snapshot(path, selection);
    if (!opened) return opened.error();
    input.machine = std::move(opened->machine);
    input.emulated = std::move(opened->store);
    input.store = input.emulated.get();
    return input;
  }
  auto bytes = emulator::read_file(path);
  if (!bytes) return bytes.error();
  auto dump = repair::DumpStore::parse(*bytes, path);
  if (!dump) return dump.error();
  for (const auto& w : dump->summary().warnings) {
    std::cerr << fmt::format("{}:{}: warning: {}\n", path, w.line, w.message);
  }
  input.dump = std::make_unique<repair::DumpStore>(std::move(*dump));
  input.store = input.dump.get();
  return input;
}

std::string_view fix_kind_name(repair::FixKind kind) {
  switch (kind) {
    case repair::FixKind::kNone:
      return "none";
    case repair::FixKind::kPropertyInf:
      return "inf";
    case repair::FixKind::kRepairKeyAssociation:
      return "repair-key-association";
    case repair::FixKind::kManual:
      return "manual";
  }
  return "none";
}

repair::FixKind fix_kind_from(std::string_view name) {
  if (name == "inf") return repair::FixKind::kPropertyInf;
  if (name == "repair-key-association") return repair::FixKind::kRepairKeyAssociation;
  if (name == "manual") return repair::FixKind::kManual;
  return repair::FixKind::kNone;
}

Json finding_json(const repair::Finding& f) {
  return {{"rule", f.rule},
          {"severity", repair::severity_name(f.severity)},
          {"serial", f.serial.empty() ? Json() : Json(f.serial)},
          {"sha1", f.sha1.empty() ? Json() : Json(f.sha1)},
          {"subject", f.subject.empty() ? Json() : Json(f.subject)},
          {"evidence", f.evidence},
          {"fix", f.fix},
          {"fix_kind", fix_kind_name(f.fix_kind)},
          {"ca", f.is_ca}};
}

bool has_errors(const std::vector<repair::Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const repair::Finding& f) {
    return f.severity == repair::Severity::kError;
  });
}

void print_findings(const std::vector<repair::Finding>& findings) {
  if (findings.empty()) {
    std::cout << "no findings\n";
    return;
  }
  for (const auto& f : findings) {
    std::cout << fmt::format("[{}] {}{}{}\n  evidence: {}\n  fix: {}\n",
                             repair::severity_name(f.severity), f.rule,
                             f.serial.empty() ? "" : " certificate " + f.serial,
                             f.subject.empty() ? "" : " (" + f.subject + ")", f.evidence, f.fix);
  }
}

// A dump is diagnosed in two streaming passes, each finding printed as it is found, so memory
// stays bounded by the dump's key containers whatever its size. The output is the same as
// print_findings / the JSON of the findings list would give.
int diagnose_dump(const std::string& path, const repair::DiagnosisOptions& options, bool json) {
  bool errors = false;
  std::size_t count = 0;
  auto on_summary = [&](const repair::DumpSummary& summary) {
    for (const auto& w : summary.warnings) {
      std::cerr << fmt::format("{}:{}: warning: {}\n", path, w.line, w.message);
    }
    if (json) std::cout << "{\n  \"findings\": [";
  };
  auto on_finding = [&](repair::Finding&& f) {
    errors = errors || f.severity == repair::Severity::kError;
    if (json) {
      // Indented as nlohmann's dump(2) indents an element of the list.
      std::string text = finding_json(f).dump(2);
      std::string indented = "    ";
      for (char c : text) {
        indented += c;
        if (c == '\n') indented += "    ";
      }
      std::cout << (count == 0 ? "\n" : ",\n") << indented;
    } else {
      print_findings({f});
    }
    ++count;
  };
  auto result = repair::diagnose_dump_file(path, options, on_finding, on_summary);
  if (!result) return report(result.error());
  if (json) {
    std::cout << (count == 0 ? "]\n}\n" : "\n  ]\n}\n");
  } else if (count == 0) {
    std::cout << "no findings\n";
  }
  return errors ? kExitFailure : kExitOk;
}

void add_profile_option(CLI::App* cmd, std::vector<std::string>& profiles) {
  cmd->add_option("--profile", profiles, "Also check an application's requirements (sql)")
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"sql"}));
}

// Only names the planner makes ("keyprov-<hex>.inf") are read back from a plan folder.
bool safe_file_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

}  // namespace

void add_diagnose_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "diagnose", "Run the diagnosis rules on a snapshot or a certutil [-v] -store dump");
  auto input = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto profiles = std::make_shared<std::vector<std::string>>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("INPUT", *input, "Snapshot (.textproto, .pb) or dump file")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  add_profile_option(cmd, *profiles);
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    repair::DiagnosisOptions options;
    options.profiles = *profiles;
    if (!is_snapshot_path(*input)) {
      exit_code = diagnose_dump(*input, options, *json);
      return;
    }
    auto loaded = load_input(*input, *selection);
    if (!loaded) {
      exit_code = report(loaded.error());
      return;
    }
    const auto findings = repair::diagnose(*loaded->store, options);
    if (*json) {
      Json list = Json::array();
      for (const auto& f : findings) list.push_back(finding_json(f));
      std::cout << Json{{"findings", list}}.dump(2) << "\n";
    } else {
      print_findings(findings);
    }
    exit_code = has_errors(findings) ? kExitFailure : kExitOk;
  });
}

void add_plan_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "plan", "Write a repair plan: INF files, repair.cmd, repair.ps1, plan.json, summary.txt");
  auto input = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto profiles = std::make_shared<std::vector<std::string>>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("INPUT", *input, "Snapshot (.textproto, .pb) or dump file")->required();
  cmd->add_option("-o,--output", *dir, "Folder to write the plan into")->required();
  add_profile_option(cmd, *profiles);
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    auto loaded = load_input(*input, *selection);
    if (!loaded) {
      exit_code = report(loaded.error());
      return;
    }
    repair::DiagnosisOptions options;
    options.profiles = *profiles;
    const auto findings = repair::diagnose(*loaded->store, options);
    repair::PlanOptions plan_options;
    plan_options.ca_host = loaded->store->ca_configuration().has_value();
    auto plan = repair::make_repair_plan(findings, plan_options);
    if (!plan) {
      exit_code = report(plan.error());
      return;
    }
    auto cmd_script = repair::render_cmd_script(*plan);
    auto ps_script = repair::render_powershell_script(*plan);
    if (!cmd_script || !ps_script) {
      exit_code = report(!cmd_script ? cmd_script.error() : ps_script.error());
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    if (ec) {
      exit_code = report(
          repair::make_error(repair::ErrorCode::kIo, *dir + ": cannot create: " + ec.message()));
      return;
    }
    Json steps = Json::array();
    for (const auto& s : plan->steps) {
      steps.push_back({{"kind", repair::step_kind_name(s.kind)},
                       {"title", s.title},
                       {"detail", s.detail},
                       {"cert_id", s.cert_id.empty() ? Json() : Json(s.cert_id)},
                       {"inf", s.inf_file ? Json(*s.inf_file) : Json()},
                       {"rules", s.rules}});
    }
    Json findings_json = Json::array();
    for (const auto& f : plan->findings) findings_json.push_back(finding_json(f));
    Json refused = Json::array();
    for (const auto& r : plan->refused) {
      refused.push_back({{"rule", r.rule}, {"cert_id", r.cert_id}, {"reason", r.reason}});
    }
    Json infs = Json::array();
    for (const auto& inf : plan->infs) infs.push_back(inf.file_name);
    const Json plan_json = {{"format", "certbed-plan-1"},
                            {"store", plan->store_name},
                            {"ca_host", plan->ca_host},
                            {"findings", findings_json},
                            {"steps", steps},
                            {"inf_files", infs},
                            {"refused", refused}};
    const auto path = [&](const std::string& name) {
      return (std::filesystem::path(*dir) / name).string();
    };
    std::vector<std::pair<std::string, std::string>> files = {
        {"repair.cmd", *cmd_script},
        {"repair.ps1", "\xEF\xBB\xBF" + *ps_script},  // BOM: Windows PowerShell reads UTF-8
        {"plan.json", plan_json.dump(2) + "\n"},
        {"summary.txt", repair::render_plan_summary(*plan)}};
    for (const auto& inf : plan->infs) files.emplace_back(inf.file_name, inf.content);
    for (const auto& [name, content] : files) {
      if (auto s = emulator::write_file_atomically(path(name), content); !s) {
        exit_code = report(s.error());
        return;
      }
    }
    std::cout << repair::render_plan_summary(*plan);
    std::cout << fmt::format("\nwrote {} file(s) to {}\n", files.size(), *dir);
  });
}

void add_apply_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "apply",
      "Apply a plan folder to a snapshot in one transaction (after a backup), then "
      "diagnose again");
  auto file = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto profiles = std::make_shared<std::vector<std::string>>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("SNAPSHOT", *file, "Snapshot file")->required();
  cmd->add_option("DIR", *dir, "Plan folder written by certbed plan")->required();
  add_profile_option(cmd, *profiles);
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    const auto in_dir = [&](const std::string& name) {
      return (std::filesystem::path(*dir) / name).string();
    };
    auto plan_text = emulator::read_file(in_dir("plan.json"));
    if (!plan_text) {
      exit_code = report(plan_text.error());
      return;
    }
    const Json plan = Json::parse(*plan_text, nullptr, false);
    if (plan.is_discarded() || !plan.is_object() || plan.value("format", "") != "certbed-plan-1" ||
        !plan.contains("steps") || !plan["steps"].is_array()) {
      exit_code = report(repair::make_error(repair::ErrorCode::kParse,
                                            in_dir("plan.json") + ": not a certbed plan"));
      return;
    }
    std::vector<repair::ApplyStep> steps;
    for (const auto& s : plan["steps"]) {
      if (!s.is_object() || s.value("kind", "") != "repairstore") continue;
      if (!s.contains("cert_id") || !s["cert_id"].is_string()) {
        exit_code = report(repair::make_error(repair::ErrorCode::kParse,
                                              in_dir("plan.json") + ": a step has no cert_id"));
        return;
      }
      repair::ApplyStep step{s["cert_id"].get<std::string>(), std::nullopt};
      if (s.contains("inf") && s["inf"].is_string()) {
        const auto name = s["inf"].get<std::string>();
        if (!safe_file_name(name)) {
          exit_code = report(repair::make_error(
              repair::ErrorCode::kUnsafe,
              in_dir("plan.json") + ": INF file name \"" + name + "\" is not a plain file name"));
          return;
        }
        auto bytes = emulator::read_file(in_dir(name));
        if (!bytes) {
          exit_code = report(bytes.error());
          return;
        }
        auto inf = repair::parse_property_inf(*bytes, in_dir(name));
        if (!inf) {
          exit_code = report(inf.error());
          return;
        }
        step.inf = std::move(*inf);
      }
      steps.push_back(std::move(step));
    }
    std::vector<repair::Finding> planned;
    if (plan.contains("findings") && plan["findings"].is_array()) {
      for (const auto& f : plan["findings"]) {
        if (!f.is_object()) continue;
        repair::Finding finding;
        finding.rule = f.value("rule", "");
        finding.sha1 =
            f.contains("sha1") && f["sha1"].is_string() ? f["sha1"].get<std::string>() : "";
        finding.fix_kind = fix_kind_from(f.value("fix_kind", ""));
        planned.push_back(std::move(finding));
      }
    }

    auto loaded = load_input(*file, *selection);
    if (!loaded || !loaded->emulated) {
      exit_code = report(loaded ? repair::make_error(repair::ErrorCode::kInvalidArgument,
                                                     *file + ": apply needs a snapshot "
                                                             "(.textproto or .pb), not a dump")
                                : loaded.error());
      return;
    }
    repair::DiagnosisOptions options;
    options.profiles = *profiles;
    std::string backup_name;
    auto result = repair::apply_repair_steps(*loaded->emulated, steps, planned, options,
                                             [&]() -> repair::Status {
                                               auto backup = back_up(*file);
                                               if (!backup) return backup.error();
                                               backup_name = *backup;
                                               return {};
                                             });
    if (!result) {
      std::cerr << "certbed: nothing was changed\n";
      exit_code = report(result.error());
      return;
    }
    for (const auto& line : result->transcript) std::cout << line << "\n";
    if (!result->changes.empty()) {
      if (auto saved = emulator::save_snapshot(*loaded->machine, *file); !saved) {
        exit_code = report(saved.error());
        return;
      }
      std::cout << fmt::format("backed up {} to {}; applied {} change(s)\n", *file, backup_name,
                               result->changes.size());
    } else {
      std::cout << "nothing to change: the plan was already applied\n";
    }
    if (!result->still_open.empty()) {
      std::cout << "NOT FIXED:\n";
      print_findings(result->still_open);
    } else {
      std::cout << "diagnosis after the repair: every finding the plan fixes is gone\n";
    }
    if (!result->remaining.empty()) {
      std::cout << "remaining findings:\n";
      print_findings(result->remaining);
    }
    exit_code = result->fixed && !has_errors(result->remaining) ? kExitOk : kExitFailure;
  });
}

}  // namespace certbed::cli
