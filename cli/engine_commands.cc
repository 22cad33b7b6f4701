// diagnose, plan and apply: the repair engine end to end, on a snapshot or a customer's dump.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/platform/staged_folder.h"
#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/formats/plan/plan_file.h"
#include "certbed/repair/formats/report/html_report.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/rules/dump_diagnosis.h"
#include "certbed/repair/store/dump_store.h"
#include "cli_support.h"
#include "commands.h"
#include "common/diagnose_output.h"
#include "common/terminal_output.h"

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
  // Refused before its warnings are printed: for what is not a store dump the reason is what
  // matters.
  auto dump = repair::DumpStore::from_records(std::move(records), std::move(*summary), name, *hint);
  if (!dump) return dump.error();
  for (const auto& w : dump->summary().warnings) {
    std::cerr << fmt::format("{}:{}: warning: {}\n", name, w.line, w.message);
  }
  input.dump = std::make_unique<repair::DumpStore>(std::move(*dump));
  input.store = input.dump.get();
  return input;
}

bool has_errors(const std::vector<repair::Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const repair::Finding& f) {
    return f.severity == repair::Severity::kError;
  });
}

// Diagnoses one input, handing each finding to `printer` as it is found, and returns its exit
// status. A dump is diagnosed in two streaming passes, so memory stays bounded by the dump's
// key containers whatever its size.
int diagnose_input(const std::string& path, const repair::DiagnosisOptions& options,
                   const StoreSelection& selection, DiagnosisPrinter& printer) {
  printer.begin(input_name(path));
  bool errors = false;
  auto on_finding = [&](repair::Finding&& f) {
    errors = errors || f.severity == repair::Severity::kError;
    printer.finding(f);
  };
  const auto failed = [&](const repair::Error& error) {
    const int status = error.code == repair::ErrorCode::kInternal ? kExitFailure : kExitInputError;
    printer.failed(error, status);
    return status;
  };
  if (is_snapshot_path(path)) {
    auto loaded = load_input(path, selection);
    if (!loaded) return failed(loaded.error());
    for (auto& f : repair::diagnose(*loaded->store, options)) on_finding(std::move(f));
    const int status = errors ? kExitFailure : kExitOk;
    printer.end(repair::diagnosis_coverage(*loaded->store, options), status);
    return status;
  }
  auto hint = store_hint(selection);
  if (!hint) return failed(hint.error());
  auto on_summary = [&](const repair::DumpSummary& summary) {
    for (const auto& w : summary.warnings) {
      std::cerr << fmt::format("{}:{}: warning: {}\n", input_name(path), w.line, w.message);
    }
  };
  // Two passes: a file is read twice, standard input or a FIFO is kept in a temporary file.
  auto input = platform::ReplayableInput::open(path, kDumpLimits);
  if (!input) return failed(input.error());
  auto result = repair::diagnose_dump_stream(
      [&](const repair::DumpChunkSink& sink) { return input->replay(sink); }, input_name(path),
      options, on_finding, on_summary, *hint);
  if (!result) return failed(result.error());
  const int status = errors ? kExitFailure : kExitOk;
  printer.end(result->coverage, status);
  return status;
}

// The inputs diagnose was given, a folder standing for the files in it (sorted, hidden files
// left out, not recursing: a support case folder holds its dumps side by side).
repair::Result<std::vector<std::string>> expand_inputs(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  std::size_t stdin_uses = 0;
  for (const auto& path : given) {
    if (path == platform::kStandardInput) {
      if (++stdin_uses > 1) {
        return repair::make_error(repair::ErrorCode::kInvalidArgument,
                                  "standard input (-) can be given only once");
      }
      out.push_back(path);
      continue;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      out.push_back(path);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.front() == '.') continue;
      std::error_code type_ec;
      if (entry.is_regular_file(type_ec)) files.push_back(entry.path().string());
    }
    if (ec) {
      return repair::make_error(repair::ErrorCode::kIo,
                                fmt::format("{}: cannot list the folder: {}", path, ec.message()));
    }
    if (files.empty()) {
      return repair::make_error(repair::ErrorCode::kInvalidArgument,
                                fmt::format("{}: the folder holds no file to diagnose", path));
    }
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

// The worst of two exit statuses: an input error over findings over a clean result.
int worst_exit(int a, int b) {
  const auto rank = [](int code) { return code == kExitInputError ? 2 : code == kExitOk ? 0 : 1; };
  return rank(a) >= rank(b) ? a : b;
}

void add_profile_option(CLI::App* cmd, std::vector<std::string>& profiles) {
  cmd->add_option("--profile", profiles,
                  "Also check an application's requirements (sql, adfs, exchange)")
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"sql", "adfs", "exchange"}));
}

// The account key-acl-denied checks the key ACLs for. Windows account names hold letters,
// digits, spaces and . _ - $ @ \ (a gMSA ends in $); anything else is refused here, so that a
// finding's icacls command can always quote it.
void add_service_account_option(CLI::App* cmd, std::string& account) {
  cmd->add_option("--service-account", account,
                  "Check that this account may read each key (\"NT AUTHORITY\\NETWORK "
                  "SERVICE\", \"CONTOSO\\svc-sql\", \"NT Service\\MSSQLSERVER\")")
      ->check([](const std::string& value) -> std::string {
        const bool ok = !value.empty() && value.size() <= 256 &&
                        std::count(value.begin(), value.end(), '\\') <= 1 &&
                        std::all_of(value.begin(), value.end(), [](unsigned char c) {
                          return std::isalnum(c) != 0 || c == ' ' || c == '\\' || c == '$' ||
                                 c == '.' || c == '_' || c == '-' || c == '@';
                        });
        return ok ? std::string()
                  : "an account name (DOMAIN\\name or name: letters, digits, spaces, "
                    ". _ - $ @ and one backslash)";
      });
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

// The diagnosis of an input and the plan made from it, with the report of both.
struct PlannedInput {
  repair::RepairPlan plan;
  std::string report_html;
};

repair::Result<PlannedInput> plan_input(const Input& loaded, const std::string& path,
                                        const repair::DiagnosisOptions& options) {
  auto findings = repair::diagnose(*loaded.store, options);
  repair::PlanOptions plan_options;
  plan_options.ca_host = loaded.store->ca_configuration().has_value();
  plan_options.store = loaded.store->identity();
  plan_options.checked = repair::coverage_lines(repair::diagnosis_coverage(*loaded.store, options));
  auto plan = repair::make_repair_plan(findings, plan_options);
  if (!plan) return plan.error();
  repair::ReportInput report_input;
  // The file's name only: the report travels (to a customer, into a case folder), and the
  // folder it was read from is neither needed nor the reader's business.
  report_input.input_name = path == platform::kStandardInput
                                ? input_name(path)
                                : std::filesystem::path(path).filename().string();
  report_input.findings = std::move(findings);
  report_input.checked = plan_options.checked;
  if (loaded.machine && loaded.machine->import_record()) {
    report_input.notes = loaded.machine->import_record()->not_reproduced;
  }
  PlannedInput out{std::move(*plan), {}};
  report_input.plan = &out.plan;
  out.report_html = repair::render_html_report(*loaded.store, report_input);
  return out;
}

repair::DiagnosisOptions diagnosis_options(const std::vector<std::string>& profiles,
                                           const std::string& account) {
  repair::DiagnosisOptions options;
  options.profiles = profiles;
  options.service_account = account;
  return options;
}

// What plan and report are given: one input and the diagnosis options.
struct PlanRequest {
  std::string input;
  std::vector<std::string> profiles;
  std::string account;
  StoreSelection selection;
};

void add_plan_request_options(CLI::App* cmd, PlanRequest& request) {
  cmd->add_option("INPUT", request.input, "Snapshot (.textproto, .pb) or dump file (- for stdin)")
      ->required();
  add_profile_option(cmd, request.profiles);
  add_service_account_option(cmd, request.account);
  add_store_options(cmd, request.selection);
}

repair::Result<PlannedInput> plan_request(const PlanRequest& request) {
  auto loaded = load_input(request.input, request.selection);
  if (!loaded) return loaded.error();
  return plan_input(*loaded, request.input, diagnosis_options(request.profiles, request.account));
}

}  // namespace

void add_diagnose_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "diagnose", "Run the diagnosis rules on snapshots or certutil [-v] -store dumps");
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  auto jsonl = std::make_shared<bool>(false);
  auto profiles = std::make_shared<std::vector<std::string>>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("INPUT", *inputs,
                  "Snapshots (.textproto, .pb), dump files (- for stdin) or folders of them")
      ->required();
  auto* json_flag = cmd->add_flag("--json", *json, "Print one JSON document (one input)");
  cmd->add_flag("--jsonl", *jsonl, "Print one JSON object per input, one per line")
      ->excludes(json_flag);
  auto account = std::make_shared<std::string>();
  add_profile_option(cmd, *profiles);
  add_service_account_option(cmd, *account);
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    auto expanded = expand_inputs(*inputs);
    if (!expanded) {
      exit_code = report(expanded.error());
      return;
    }
    const bool batch = expanded->size() > 1 || *jsonl;
    if (*json && expanded->size() > 1) {
      exit_code = report(repair::make_error(
          repair::ErrorCode::kInvalidArgument,
          fmt::format("--json prints one document; for {} inputs use --jsonl", expanded->size())));
      return;
    }
    if (*json || *jsonl) unfilter_stdout();
    repair::DiagnosisOptions options;
    options.profiles = *profiles;
    options.service_account = *account;
    const auto format = *jsonl  ? DiagnosisFormat::kJsonLines
                        : *json ? DiagnosisFormat::kJson
                                : DiagnosisFormat::kText;
    auto printer = make_diagnosis_printer(format, batch);
    int worst = kExitOk;
    for (const auto& path : *expanded) {
      worst = worst_exit(worst, diagnose_input(path, options, *selection, *printer));
    }
    exit_code = worst;
  });
}

void add_plan_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "plan",
      "Write a repair plan: INF files, repair.cmd, repair.ps1, plan.json, summary.txt, "
      "report.html");
  auto request = std::make_shared<PlanRequest>();
  auto dir = std::make_shared<std::string>();
  add_plan_request_options(cmd, *request);
  cmd->add_option("-o,--output", *dir,
                  "Folder to write the plan into: new, empty, or one holding an earlier plan "
                  "(kept as <folder>.bak)")
      ->required();
  cmd->callback([=, &exit_code] {
    // A folder the plan may not replace is refused before any work.
    if (auto ok = check_plan_folder(*dir); !ok) {
      exit_code = report(ok.error());
      return;
    }
    auto planned = plan_request(*request);
    if (!planned) {
      exit_code = report(planned.error());
      return;
    }
    const repair::RepairPlan* plan = &planned->plan;
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
        {"summary.txt", repair::render_plan_summary(*plan)},
        {"report.html", planned->report_html}};
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
  auto account = std::make_shared<std::string>();
  add_profile_option(cmd, *profiles);
  add_service_account_option(cmd, *account);
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
    options.service_account = *account;
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

void add_report_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write one self-contained HTML page for a person: the store with its problem fields, "
      "which certificate links to which key container, the findings, the plan, what was not "
      "checked");
  auto request = std::make_shared<PlanRequest>();
  auto output = std::make_shared<std::string>();
  add_plan_request_options(cmd, *request);
  cmd->add_option("-o,--output", *output, "The HTML file to write")->required();
  cmd->callback([=, &exit_code] {
    if (auto ok = platform::check_file_target(*output); !ok) {
      exit_code = report(ok.error());
      return;
    }
    auto planned = plan_request(*request);
    if (!planned) {
      exit_code = report(planned.error());
      return;
    }
    if (auto ok =
            platform::replace_file(*output, planned->report_html, platform::NewFileMode::kPublic);
        !ok) {
      exit_code = report(ok.error());
      return;
    }
    std::cout << fmt::format("wrote {} ({} finding(s), {} plan step(s))\n", *output,
                             planned->plan.findings.size(), planned->plan.steps.size());
  });
}

}  // namespace certbed::cli
