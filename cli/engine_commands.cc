// diagnose, plan and apply: the repair engine end to end, on a snapshot or a customer's dump.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/staged_folder.h"
#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/formats/plan/plan_file.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/rules/dump_diagnosis.h"
#include "certbed/repair/store/dump_store.h"
#include "cli_support.h"
#include "commands.h"
#include "terminal_output.h"

namespace certbed::cli {

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
  auto hint = store_hint(selection);
  if (!hint) return hint.error();
  Input input;
  if (is_snapshot_path(path)) {
    auto opened = open_snapshot(path, selection);
    if (!opened) return opened.error();
    input.machine = std::move(opened->machine);
    input.emulated = std::move(opened->store);
    input.store = input.emulated.get();
    return input;
  }
  // Parsed as it is read, so input that is not a dump is given up on early.
  std::vector<repair::DumpCertificate> records;
  const std::string name = input_name(path);
  repair::StoreDumpParser parser(
      [&](repair::DumpCertificate&& record) { records.push_back(std::move(record)); }, name);
  auto read = platform::stream_input(path, kDumpLimits, [&](std::string_view chunk) {
    parser.feed(chunk);
    return !parser.done();
  });
  if (!read) return read.error();
  auto summary = parser.finish();
  if (!summary) return summary.error();
  for (const auto& w : summary->warnings) {
    std::cerr << fmt::format("{}:{}: warning: {}\n", name, w.line, w.message);
  }
  auto dump = repair::DumpStore::from_records(std::move(records), std::move(*summary), name, *hint);
  if (!dump) return dump.error();
  input.dump = std::make_unique<repair::DumpStore>(std::move(*dump));
  input.store = input.dump.get();
  return input;
}

bool has_errors(const std::vector<repair::Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const repair::Finding& f) {
    return f.severity == repair::Severity::kError;
  });
}

// What the diagnosis could and could not check, after its findings.
void print_coverage(const repair::DiagnosisCoverage& coverage) {
  std::cout << "\nchecked:\n";
  for (const auto& line : repair::coverage_lines(coverage)) std::cout << "- " << line << "\n";
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

// {"findings": [...]} written one finding at a time, indented as nlohmann's dump(2) indents the
// whole list, so a streaming diagnosis prints what a diagnosis in memory prints.
class FindingsJsonWriter {
 public:
  void begin() { std::cout << "{\n  \"findings\": ["; }
  void add(const repair::Finding& f) {
    std::string indented = "    ";
    for (char c : repair::finding_json(f, 2)) {
      indented += c;
      if (c == '\n') indented += "    ";
    }
    std::cout << (count_ == 0 ? "\n" : ",\n") << indented;
    ++count_;
  }
  // Closes the list, then the store and what was checked: {"store": {"name", "location",
  // "name_source", "location_source", "role"}, "checked": ["...", ...]}.
  void end(const repair::DiagnosisCoverage& coverage) {
    std::cout << (count_ == 0 ? "]" : "\n  ]") << ",\n  \"store\": ";
    std::string store;
    for (char c : repair::store_identity_json(coverage.store, 2)) {
      store += c;
      if (c == '\n') store += "  ";
    }
    std::cout << store << ",\n  \"checked\": [";
    const auto lines = repair::coverage_lines(coverage);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::cout << (i == 0 ? "\n    " : ",\n    ") << repair::json_string(lines[i]);
    }
    std::cout << (lines.empty() ? "]\n}\n" : "\n  ]\n}\n");
  }

 private:
  std::size_t count_ = 0;
};

// A dump is diagnosed in two streaming passes, each finding printed as it is found, so memory
// stays bounded by the dump's key containers whatever its size.
int diagnose_dump(const std::string& path, const repair::DiagnosisOptions& options,
                  const StoreSelection& selection, bool json) {
  auto hint = store_hint(selection);
  if (!hint) return report(hint.error());
  bool errors = false;
  std::size_t count = 0;
  FindingsJsonWriter writer;
  auto on_summary = [&](const repair::DumpSummary& summary) {
    for (const auto& w : summary.warnings) {
      std::cerr << fmt::format("{}:{}: warning: {}\n", input_name(path), w.line, w.message);
    }
    if (json) writer.begin();
  };
  auto on_finding = [&](repair::Finding&& f) {
    errors = errors || f.severity == repair::Severity::kError;
    if (json) {
      writer.add(f);
    } else {
      print_findings({f});
    }
    ++count;
  };
  // Two passes: a file is read twice, standard input or a FIFO is kept in a temporary file.
  auto input = platform::ReplayableInput::open(path, kDumpLimits);
  if (!input) return report(input.error());
  auto result = repair::diagnose_dump_stream(
      [&](const repair::DumpChunkSink& sink) { return input->replay(sink); }, input_name(path),
      options, on_finding, on_summary, *hint);
  if (!result) return report(result.error());
  if (json) {
    writer.end(result->coverage);
  } else {
    if (count == 0) std::cout << "no findings\n";
    print_coverage(result->coverage);
  }
  return errors ? kExitFailure : kExitOk;
}

void add_profile_option(CLI::App* cmd, std::vector<std::string>& profiles) {
  cmd->add_option("--profile", profiles,
                  "Also check an application's requirements (sql, adfs, exchange)")
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"sql", "adfs", "exchange"}));
}

// A certbed plan folder: its plan.json reads as one.
bool holds_certbed_plan(const std::string& dir) {
  const std::string plan = (std::filesystem::path(dir) / "plan.json").string();
  auto text = platform::read_input(plan, kPlanLimits);
  return text && repair::read_plan_file(*text, plan).ok();
}

repair::Status check_plan_folder(const std::string& dir) {
  auto state = platform::folder_state(dir);
  if (!state) return state.error();
  if (*state == platform::FolderState::kNotEmpty && !holds_certbed_plan(dir)) {
    return repair::make_error(repair::ErrorCode::kConflict,
                              dir +
                                  ": not empty and holds no certbed plan; give an empty or new "
                                  "folder (nothing written)");
  }
  return {};
}

// The plan's files, written whole into a temporary folder and then put in place of `dir`; an
// earlier plan there is kept under the returned name.
repair::Result<std::optional<std::string>> write_plan_folder(
    const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  auto staged = platform::StagedFolder::create(dir);
  if (!staged) return staged.error();
  for (const auto& [name, content] : files) {
    if (auto ok = staged->add_file(name, content); !ok) return ok.error();
  }
  return staged->commit(holds_certbed_plan);
}

}  // namespace

void add_diagnose_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "diagnose", "Run the diagnosis rules on a snapshot or a certutil [-v] -store dump");
  auto input = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto profiles = std::make_shared<std::vector<std::string>>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("INPUT", *input, "Snapshot (.textproto, .pb) or dump file (- for stdin)")
      ->required();
  cmd->add_flag("--json", *json, "Print JSON");
  add_profile_option(cmd, *profiles);
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    if (*json) unfilter_stdout();
    repair::DiagnosisOptions options;
    options.profiles = *profiles;
    if (!is_snapshot_path(*input)) {
      exit_code = diagnose_dump(*input, options, *selection, *json);
      return;
    }
    auto loaded = load_input(*input, *selection);
    if (!loaded) {
      exit_code = report(loaded.error());
      return;
    }
    const auto findings = repair::diagnose(*loaded->store, options);
    const auto coverage = repair::diagnosis_coverage(*loaded->store);
    if (*json) {
      FindingsJsonWriter writer;
      writer.begin();
      for (const auto& f : findings) writer.add(f);
      writer.end(coverage);
    } else {
      print_findings(findings);
      print_coverage(coverage);
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
  cmd->add_option("INPUT", *input, "Snapshot (.textproto, .pb) or dump file (- for stdin)")
      ->required();
  cmd->add_option("-o,--output", *dir,
                  "Folder to write the plan into: new, empty, or one holding an earlier plan "
                  "(kept as <folder>.bak)")
      ->required();
  add_profile_option(cmd, *profiles);
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    // A folder the plan may not replace is refused before any work.
    if (auto ok = check_plan_folder(*dir); !ok) {
      exit_code = report(ok.error());
      return;
    }
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
    plan_options.store = loaded->store->identity();
    plan_options.checked = repair::coverage_lines(repair::diagnosis_coverage(*loaded->store));
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
    std::vector<std::pair<std::string, std::string>> files = {
        {"repair.cmd", *cmd_script},
        {"repair.ps1", "\xEF\xBB\xBF" + *ps_script},  // BOM: Windows PowerShell reads UTF-8
        {"plan.json", repair::write_plan_file(repair::plan_file_of(*plan))},
        {"summary.txt", repair::render_plan_summary(*plan)}};
    for (const auto& inf : plan->infs) files.emplace_back(inf.file_name, inf.content);
    auto previous = write_plan_folder(*dir, files);
    if (!previous) {
      exit_code = report(previous.error());
      return;
    }
    std::cout << repair::render_plan_summary(*plan);
    if (*previous) std::cout << fmt::format("\ncertbed: kept the previous plan as {}", **previous);
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
    auto plan_text = platform::read_input(in_dir("plan.json"), kPlanLimits);
    if (!plan_text) {
      exit_code = report(plan_text.error());
      return;
    }
    auto plan = repair::read_plan_file(*plan_text, in_dir("plan.json"));
    if (!plan) {
      exit_code = report(plan.error());
      return;
    }
    auto steps = repair::apply_steps_of(
        plan->steps, [&](const std::string& name) { return read_property_inf(in_dir(name)); });
    if (!steps) {
      exit_code = report(steps.error());
      return;
    }
    const std::vector<repair::Finding>& planned = plan->findings;

    if (!is_snapshot_path(*file)) {
      exit_code = report(
          repair::make_error(repair::ErrorCode::kInvalidArgument,
                             *file + ": apply needs a snapshot (.textproto or .pb), not a dump"));
      return;
    }
    auto update = SnapshotUpdate::open(*file, *file);
    if (!update) {
      exit_code = report(update.error());
      return;
    }
    auto store = select_store(update->machine(), *file, *selection);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    repair::DiagnosisOptions options;
    options.profiles = *profiles;
    // No backup callback: every change stays in memory until publish(), which backs the
    // snapshot up right before it replaces it, under the lock.
    auto result = repair::apply_repair_steps(**store, *steps, planned, options, {});
    if (!result) {
      std::cerr << "certbed: nothing was changed\n";
      exit_code = report(result.error());
      return;
    }
    for (const auto& line : result->transcript) std::cout << line << "\n";
    if (!result->changes.empty()) {
      auto backup = update->publish();
      if (!backup) {
        std::cerr << "certbed: nothing was changed\n";
        exit_code = report(backup.error());
        return;
      }
      std::cout << fmt::format("backed up {} to {}; applied {} change(s)\n", *file,
                               backup->value_or("(nothing)"), result->changes.size());
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
