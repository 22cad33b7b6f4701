// certbed case: support cases as regression fixtures. `case new` turns a customer's dump into a
// case folder (the dump, anonymized on request, and its imported machine); `case expect` writes
// a case's expected results by running the commands a support engineer runs on each input.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/import/dump_import.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/platform/staged_folder.h"
#include "certbed/platform/this_program.h"
#include "certbed/repair/model/printable.h"
#include "cli_support.h"
#include "commands.h"

namespace certbed::cli {

namespace {

namespace fs = std::filesystem;

using repair::ErrorCode;
using repair::make_error;

const platform::InputLimits kCaseDumpLimits{"dump", emulator::kSnapshotLimits.max_bytes};
const platform::InputLimits kArgsLimits{"case args", 4096};
const platform::InputLimits kCaptureLimits{"command output", std::uint64_t{64} << 20};

// A case's args file as words: double quotes group a word, and inside them \\ and \" stand for
// \ and " (as sh and shlex read it: scripts/regen-cases and the case test read it so too).
repair::Result<std::vector<std::string>> args_words(std::string_view text,
                                                    const std::string& file) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false, quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        quoted = false;
      } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == '"')) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == '"') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      if (in_word) out.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quoted) return make_error(ErrorCode::kParse, file + ": a double quote is not closed");
  if (in_word) out.push_back(word);
  return out;
}

// One word of an args file, quoted when it holds more than letters, digits and - _ . \.
std::string args_word(const std::string& value) {
  const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
  });
  if (plain) return value;
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

bool is_snapshot_file(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".textproto" || ext == ".pb";
}

// Runs certbed with `args`, its output to `out` (or dropped), its error output returned.
struct Run {
  int code = 0;
  std::string err;
};
repair::Result<Run> run(const std::vector<std::string>& args, const std::string& out,
                        const fs::path& scratch) {
  const std::string err_path = (scratch / "stderr").string();
  auto code = platform::run_this_program(args, out, err_path);
  if (!code) return code.error();
  auto err = platform::read_input(err_path, kCaptureLimits);
  if (!err) return err.error();
  return Run{*code, std::move(*err)};
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string replaced_all(std::string text, const std::string& what, const std::string& with) {
  if (what.empty()) return text;
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
  return text;
}

// "Renew CA Certificate" with the existing key on a copy, as its exit code.
repair::Result<int> renew_exit(const fs::path& snapshot, const fs::path& scratch) {
  auto renewed = run(
      {"renew", "--reuse-keys", snapshot.string(), "-o", (scratch / "renewed.textproto").string(),
       "--request-out", (scratch / "renewed.req").string()},
      "/dev/null", scratch);
  if (!renewed) return renewed.error();
  return renewed->code;
}

// The expected results of one input, into `expected`: the diagnosis (or, for an input certbed
// refuses, the reason), the plan folder, and for a snapshot the exit code of applying the plan;
// for an imported CA, renewal with the existing key before and after the plan.
repair::Status expect_input(const fs::path& input, const std::vector<std::string>& args,
                            const fs::path& expected, const fs::path& scratch) {
  const std::string stem = input.stem().string();
  const auto at = [&](const std::string& suffix) { return (expected / (stem + suffix)).string(); };
  auto diagnosed = run(joined(joined({"diagnose", "--json"}, args), {input.string()}),
                       at(".diagnosis.json"), scratch);
  if (!diagnosed) return diagnosed.error();
  if (diagnosed->code == kExitInputError) {
    fs::remove(at(".diagnosis.json"));
    // The message names the input by the path it was given; INPUT stands for it.
    return platform::replace_file(at(".refused"),
                                  replaced_all(diagnosed->err, input.string(), "INPUT"),
                                  platform::NewFileMode::kPublic);
  }
  if (diagnosed->code != kExitOk && diagnosed->code != kExitFailure) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("{}: diagnose exited {}: {}", repair::printable(input.string()),
                                  diagnosed->code, repair::printable(diagnosed->err)));
  }
  const std::string plan = at(".plan");
  auto planned =
      run(joined(joined({"plan"}, args), {input.string(), "-o", plan}), "/dev/null", scratch);
  if (!planned) return planned.error();
  if (planned->code != kExitOk) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("{}: plan exited {}: {}", repair::printable(input.string()),
                                  planned->code, repair::printable(planned->err)));
  }
  if (!is_snapshot_file(input)) return {};
  const fs::path copy = scratch / input.filename();
  const auto fresh_copy = [&]() -> repair::Status {
    std::error_code ec;
    fs::copy_file(input, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) return make_error(ErrorCode::kIo, copy.string() + ": " + ec.message());
    return {};
  };
  const auto apply = [&]() -> repair::Result<int> {
    auto applied =
        run(joined(joined({"apply"}, args), {copy.string(), plan}), "/dev/null", scratch);
    if (!applied) return applied.error();
    return applied->code;
  };
  if (auto ok = fresh_copy(); !ok) return ok;
  auto applied = apply();
  if (!applied) return applied.error();
  if (auto ok = platform::replace_file(at(".apply-exit"), fmt::format("{}\n", *applied),
                                       platform::NewFileMode::kPublic);
      !ok) {
    return ok;
  }
  auto machine = emulator::load_snapshot(input.string());
  if (!machine) return machine.error();
  if (stem != "input-imported" || !machine->ca_configuration()) return {};
  if (auto ok = fresh_copy(); !ok) return ok;
  auto before = renew_exit(copy, scratch);
  if (!before) return before.error();
  if (auto again = apply(); !again) return again.error();
  auto after = renew_exit(copy, scratch);
  if (!after) return after.error();
  if (auto ok = platform::replace_file(at(".renew-before"), fmt::format("{}\n", *before),
                                       platform::NewFileMode::kPublic);
      !ok) {
    return ok;
  }
  return platform::replace_file(at(".renew-after"), fmt::format("{}\n", *after),
                                platform::NewFileMode::kPublic);
}

repair::Status write_case_expectations(const std::string& dir) {
  const fs::path folder(dir);
  std::vector<std::string> args;
  if (fs::exists(folder / "args")) {
    const std::string file = (folder / "args").string();
    auto text = platform::read_input(file, kArgsLimits);
    if (!text) return text.error();
    auto words = args_words(*text, file);
    if (!words) return words.error();
    args = std::move(*words);
  }
  std::vector<fs::path> inputs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    if (e.path().filename().string().rfind("input", 0) == 0) inputs.push_back(e.path());
  }
  if (ec) return make_error(ErrorCode::kIo, repair::printable(dir) + ": " + ec.message());
  if (inputs.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      repair::printable(dir) + ": no input* file: not a case folder");
  }
  std::sort(inputs.begin(), inputs.end());
  const fs::path expected = folder / "expected";
  fs::remove_all(expected, ec);
  fs::create_directories(expected, ec);
  if (ec) return make_error(ErrorCode::kIo, expected.string() + ": " + ec.message());
  // mkdtemp: a name no one can have guessed and planted a link at.
  std::string scratch_name = (fs::temp_directory_path() / "certbed-case-XXXXXX").string();
  if (::mkdtemp(scratch_name.data()) == nullptr) {
    return make_error(ErrorCode::kIo,
                      "cannot create a scratch folder in " + fs::temp_directory_path().string());
  }
  const fs::path scratch(scratch_name);
  repair::Status status;
  for (const auto& input : inputs) {
    status = expect_input(input, args, expected, scratch);
    if (!status) break;
  }
  fs::remove_all(scratch, ec);
  return status;
}

// A case folder's name: it becomes a path, so lower-case letters, digits and inner hyphens only.
bool is_case_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && name.front() != '-' && name.back() != '-' &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::string readme_stub(const std::string& name, const emulator::ImportedMachine& imported,
                        bool anonymize, const std::string& args) {
  std::size_t certificates = 0;
  for (const auto& [key, store] : imported.machine.stores()) certificates += store.size();
  const auto& record = *imported.machine.import_record();
  std::string out = fmt::format("# {}\n\n", name);
  out += fmt::format(
      "Imported by `certbed case new` from {}: {}, {} certificate(s), printed by certutil{} as "
      "{}.\n\n",
      anonymize ? "a customer's certutil dump, anonymized" : "`" + record.source + "`",
      imported.store.to_string(), certificates, imported.verbose ? " -v" : "", record.caller);
  if (anonymize) {
    out +=
        "Every identifying value was replaced consistently (names, containers, serials, "
        "non-built-in templates); no original value is in this folder.\n\n";
  }
  out += "- `input-dump.txt`: ";
  out += anonymize
             ? "the anonymized machine as `certbed dump` prints it, in the dump's verbosity.\n"
             : "the dump as certutil printed it.\n";
  out +=
      "- `input-imported.textproto`: the machine imported from the dump; its `imported_from` "
      "lists what the dump could not give.\n";
  if (!args.empty()) out += fmt::format("- `args`: `{}`, what the dump does not say.\n", args);
  out +=
      "- `expected/`: written by `certbed case expect`: each input's diagnosis and plan, the "
      "exit code of applying the plan to the snapshot, and for a CA the exit code of renewing "
      "with the existing key before and after the plan.\n\n"
      "## What the case shows\n\n"
      "TODO: the customer's symptom, what the diagnosis finds and on which evidence, and why the "
      "plan fixes it. Review every expected file by hand before committing the case.\n";
  return out;
}

struct NewCase {
  std::string name;
  std::string from;
  std::string cases = "fixtures/cases";
  bool anonymize = false;
  StoreSelection selection;
};

repair::Result<std::string> make_case(const NewCase& request) {
  if (!is_case_name(request.name)) {
    return make_error(ErrorCode::kInvalidArgument,
                      repair::printable(request.name) +
                          ": a case name is lower-case letters, digits and inner hyphens (64 at "
                          "most)");
  }
  if (auto folder = platform::path_state(request.cases);
      !folder || folder->kind != platform::PathKind::kDirectory) {
    if (!folder) return folder.error();
    return make_error(ErrorCode::kNotFound, repair::printable(request.cases) +
                                                ": not a folder of cases (run from the project "
                                                "root, or give --cases FOLDER)");
  }
  const std::string target = (fs::path(request.cases) / request.name).string();
  if (auto state = platform::path_state(target);
      !state || state->kind != platform::PathKind::kAbsent) {
    if (!state) return state.error();
    return make_error(ErrorCode::kConflict, repair::printable(target) +
                                                ": exists already; give a new case name "
                                                "(nothing written)");
  }
  auto hint = store_hint(request.selection);
  if (!hint) return hint.error();
  auto bytes = platform::read_input(request.from, kCaseDumpLimits);
  if (!bytes) return bytes.error();
  emulator::DumpImportOptions options;
  options.hint = *hint;
  options.anonymize = request.anonymize;
  auto imported = emulator::import_store_dump(*bytes, input_name(request.from), options);
  if (!imported) return imported.error();
  for (const auto& w : imported->warnings) {
    std::cerr << fmt::format("{}:{}: warning: {}\n", repair::printable(input_name(request.from)),
                             w.line, repair::printable(w.message));
  }
  auto snapshot = emulator::serialize_snapshot(imported->machine, emulator::SnapshotFormat::kText);
  if (!snapshot) return snapshot.error();
  std::string dump = *bytes;
  if (request.anonymize) {
    // The original text names the customer: the case keeps the anonymized machine's dump.
    StoreSelection where;
    where.name = imported->store.name;
    where.location = std::string(repair::location_name(imported->store.location));
    auto store = select_store(imported->machine, target, where);
    if (!store) return store.error();
    auto caller = parse_caller_option(imported->machine.import_record()->caller);
    if (!caller) return caller.error();
    emulator::DumpOptions render;
    render.verbose = imported->verbose;
    render.crlf = bytes->find("\r\n") != std::string::npos;
    render.typed_store_name = imported->store.name;
    render.caller = *caller;
    dump = emulator::render_store_dump(imported->machine, (*store)->backing_store(), render);
  }
  std::vector<std::string> arg_words;
  if (request.selection.name_given) {
    arg_words.insert(arg_words.end(), {"--store", args_word(request.selection.name)});
  }
  if (request.selection.location_given) {
    arg_words.insert(arg_words.end(), {"--location", args_word(request.selection.location)});
  }
  std::string args;
  for (const auto& w : arg_words) args += (args.empty() ? "" : " ") + w;
  auto staged = platform::StagedFolder::create(target);
  if (!staged) return staged.error();
  for (const auto& [file, content] : std::vector<std::pair<std::string, std::string>>{
           {"input-dump.txt", dump},
           {"input-imported.textproto", *snapshot},
           {"README.md", readme_stub(request.name, *imported, request.anonymize, args)}}) {
    if (auto ok = staged->add_file(file, content); !ok) return ok.error();
  }
  if (!args.empty()) {
    if (auto ok = staged->add_file("args", args + "\n"); !ok) return ok.error();
  }
  if (auto put = staged->commit([](const std::string&) { return false; }); !put) {
    return put.error();
  }
  if (auto ok = write_case_expectations(target); !ok) {
    return make_error(ok.error().code, ok.error().message + " (" + repair::printable(target) +
                                           " holds the inputs; run certbed case expect on it "
                                           "again)");
  }
  return target;
}

}  // namespace

void add_case_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("case", "Support cases as regression fixtures");
  cmd->require_subcommand(1);

  auto* make = cmd->add_subcommand(
      "new",
      "Make a case folder from a certutil dump: the dump (anonymized on request), the machine "
      "imported from it, a README stub and the expected results");
  auto request = std::make_shared<NewCase>();
  make->add_option("NAME", request->name, "Case name (lower-case letters, digits, hyphens)")
      ->required();
  make->add_option("--from", request->from, "certutil [-v] -store output (- for stdin)")
      ->required();
  make->add_option("--cases", request->cases, "Folder of cases (default: fixtures/cases)");
  make->add_flag("--anonymize", request->anonymize,
                 "Replace every identifying value consistently; the case then holds no original "
                 "value, and its dump is the anonymized machine's");
  add_store_options(make, request->selection);
  make->callback([=, &exit_code] {
    auto made = make_case(*request);
    if (!made) {
      exit_code = report(made.error());
      return;
    }
    std::cout << fmt::format(
        "wrote the case {}: review every file under {}/expected by hand and complete its "
        "README.md\n",
        repair::printable(*made), repair::printable(*made));
  });

  auto* expect = cmd->add_subcommand(
      "expect",
      "Write a case folder's expected/ anew from its input* files and args: the diagnosis, plan, "
      "apply result and, for an imported CA, renewal before and after the plan");
  auto dir = std::make_shared<std::string>();
  expect->add_option("DIR", *dir, "Case folder")->required();
  expect->callback([=, &exit_code] {
    if (auto ok = write_case_expectations(*dir); !ok) {
      exit_code = report(ok.error());
      return;
    }
    std::cout << fmt::format("wrote {}/expected\n", repair::printable(*dir));
  });
}

}  // namespace certbed::cli
