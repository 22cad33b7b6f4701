// certbed.exe: the repair engine on the live Windows certificate stores, in certutil's argument
// order. It has no emulator commands: those need OpenSSL and protobuf, which have no MinGW
// build here.
//   certbed diagnose --live [--store NAME] [--location L] [--json]
//   certbed repairstore --live STORE CERTIDLIST [INF] [--location L] [--backup-dir DIR]
//   certbed plan --live -o DIR [--store NAME] [--location L]
//   certbed apply --live DIR [--backup-dir DIR]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/formats/plan/plan_file.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/windows/crypt_store.h"
#include "certbed/windows/journal.h"
#include "certbed/windows/win_text.h"

namespace certbed::windows {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitInputError = 2;
// An INF is a few lines; anything past this is not one.
constexpr std::size_t kMaxInfBytes = 1 << 20;

int report(const repair::Error& error) {
  std::cerr << "certbed: " << error.to_string() << "\n";
  return kExitInputError;
}

repair::Result<repair::StoreLocation> parse_location(const std::string& text) {
  for (auto location : {repair::StoreLocation::kLocalMachine, repair::StoreLocation::kCurrentUser,
                        repair::StoreLocation::kLocalMachineEnterprise}) {
    if (repair::location_name(location) == text) return location;
  }
  return repair::make_error(
      repair::ErrorCode::kInvalidArgument,
      "--location " + text + ": expected LocalMachine, CurrentUser or LocalMachineEnterprise");
}

// A file's bytes, read whole through its wide-character path; at most kMaxInfBytes (an INF, a
// plan.json).
repair::Result<std::string> read_small_file(const std::string& path) {
  auto wide = to_wide(path);
  if (!wide) return repair::make_error(repair::ErrorCode::kInvalidArgument, path + ": not UTF-8");
  std::ifstream in(std::filesystem::path(*wide), std::ios::binary);
  if (!in) return repair::make_error(repair::ErrorCode::kIo, path + ": cannot open the file");
  std::string bytes(kMaxInfBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kMaxInfBytes) {
    return repair::make_error(repair::ErrorCode::kInvalidArgument,
                              path + ": larger than 1 MiB, which no INF or plan.json is");
  }
  return bytes;
}

// A journal in the backup folder means a live commit was cut short (a crash, a kill): its
// properties are put back before anything else runs. False when one could not be.
bool recover_cut_short_commits(const std::string& backup_dir) {
  std::error_code ec;
  auto wide = to_wide(backup_dir);
  if (!wide) return true;
  for (const auto& entry : std::filesystem::directory_iterator(*wide, ec)) {
    if (entry.path().extension() != L".journal") continue;
    const std::string path = to_utf8(entry.path().wstring());
    auto restored = recover_journal(path);
    if (!restored) {
      std::cerr << "certbed: a commit was cut short and could not be undone: "
                << restored.error().to_string() << "\n";
      return false;
    }
    if (*restored) {
      std::cerr << "certbed: " << path << ": a commit was cut short; its changes were undone:\n";
      for (const auto& line : **restored) std::cerr << "  " << line << "\n";
    }
  }
  return true;
}

int diagnose_live(const std::string& store_name, repair::StoreLocation location, bool json) {
  auto store = CryptStore::open_system(location, store_name);
  if (!store) return report(store.error());
  const auto findings = repair::diagnose(*store);
  const bool errors = std::any_of(findings.begin(), findings.end(), [](const repair::Finding& f) {
    return f.severity == repair::Severity::kError;
  });
  const auto checked = repair::coverage_lines(repair::diagnosis_coverage(*store));
  if (json) {
    nlohmann::json doc;
    doc["store"] = store->description();
    doc["findings"] = nlohmann::json::array();
    for (const auto& f : findings) {
      doc["findings"].push_back({{"rule", f.rule},
                                 {"severity", repair::severity_name(f.severity)},
                                 {"serial", f.serial},
                                 {"sha1", f.sha1},
                                 {"subject", f.subject},
                                 {"evidence", f.evidence},
                                 {"fix", f.fix},
                                 {"fix_kind", repair::fix_kind_name(f.fix_kind)}});
    }
    doc["checked"] = checked;
    // Names from a store may hold any character: replaced, never an exception.
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << fmt::format("{}: {} finding(s)\n", store->description(), findings.size());
    for (const auto& f : findings) {
      std::cout << fmt::format("[{}] {} {} ({})\n  evidence: {}\n  fix: {}\n",
                               repair::severity_name(f.severity), f.rule, f.sha1, f.subject,
                               f.evidence, f.fix);
    }
    std::cout << "What was checked:\n";
    for (const auto& line : checked) std::cout << "- " << line << "\n";
  }
  return errors ? kExitFindings : kExitOk;
}

// A backup of the whole store, written by crypt32 itself, before anything changes.
repair::Result<std::string> back_up(const CryptStore& store, const std::string& store_name,
                                    const std::string& dir) {
  SYSTEMTIME now{};
  GetSystemTime(&now);
  const std::string path =
      fmt::format("{}\\{}-{:04}{:02}{:02}T{:02}{:02}{:02}Z.sst", dir, store_name, now.wYear,
                  now.wMonth, now.wDay, now.wHour, now.wMinute, now.wSecond);
  if (auto ok = store.save_as_sst(path); !ok) return ok.error();
  return path;
}

int repairstore_live(const std::string& store_name, const std::string& cert_ids,
                     const std::optional<std::string>& inf_path, repair::StoreLocation location,
                     const std::string& backup_dir) {
  std::optional<repair::PropertyInf> inf;
  if (inf_path) {
    auto bytes = read_small_file(*inf_path);
    if (!bytes) return report(bytes.error());
    auto parsed = repair::parse_property_inf(*bytes, *inf_path);
    if (!parsed) return report(parsed.error());
    inf = std::move(*parsed);
  }
  auto store = CryptStore::open_system(location, store_name);
  if (!store) return report(store.error());
  auto staged = repair::stage_repair_store(*store, cert_ids, inf ? &*inf : nullptr);
  if (!staged) return report(staged.error());
  for (const auto& line : staged->transcript) std::cout << line << "\n";
  if (staged->changes.empty()) {
    std::cout << "certbed: nothing to change\n";
    return kExitOk;
  }
  auto backup = back_up(*store, store_name, backup_dir);
  if (!backup) {
    std::cerr << "certbed: nothing was changed\n";
    return report(backup.error());
  }
  store->set_journal(*backup + ".journal");
  // Test seam for the kill-mid-commit test: terminate after this many property writes.
  if (const char* n = std::getenv("CERTBED_TEST_TERMINATE_AFTER_WRITES")) {
    store->terminate_after_writes(static_cast<std::size_t>(std::strtoul(n, nullptr, 10)));
  }
  if (auto ok = repair::commit_changes(*store, staged->changes); !ok) {
    std::cerr << "certbed: nothing was changed (the backup is " << *backup << ")\n";
    return report(ok.error());
  }
  std::cout << fmt::format("certbed: backed up {} to {}; applied {} change(s)\n",
                           store->description(), *backup, staged->changes.size());
  return kExitOk;
}

repair::Status write_whole_file(const std::wstring& path, const std::string& content) {
  HANDLE file = CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                            FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    return repair::make_error(repair::ErrorCode::kIo, to_utf8(path) + ": cannot create the file: " +
                                                          error_message(GetLastError()));
  }
  DWORD written = 0;
  const bool ok =
      WriteFile(file, content.data(), static_cast<DWORD>(content.size()), &written, nullptr) &&
      written == content.size() && FlushFileBuffers(file);
  CloseHandle(file);
  if (!ok) return repair::make_error(repair::ErrorCode::kIo, to_utf8(path) + ": write failed");
  return {};
}

// The plan folder is written whole: into a new sibling folder, then moved to `dir`, which must
// not exist yet (or be empty), so a plan is never mixed with other files.
repair::Status write_plan_folder(const std::string& dir,
                                 const std::vector<std::pair<std::string, std::string>>& files) {
  auto wide = to_wide(dir);
  if (!wide || dir.empty()) {
    return repair::make_error(repair::ErrorCode::kInvalidArgument, "-o: not a folder name");
  }
  std::error_code ec;
  const std::filesystem::path target(*wide);
  if (std::filesystem::exists(target, ec) && !std::filesystem::is_empty(target, ec)) {
    return repair::make_error(repair::ErrorCode::kConflict,
                              dir + ": not empty; give a new or empty folder (nothing written)");
  }
  const std::wstring partial = *wide + L".partial-" + std::to_wstring(GetCurrentProcessId());
  if (!CreateDirectoryW(partial.c_str(), nullptr)) {
    return repair::make_error(repair::ErrorCode::kIo, dir + ": cannot create a folder beside it");
  }
  for (const auto& [name, content] : files) {
    if (auto ok = write_whole_file(partial + L"\\" + *to_wide(name), content); !ok) {
      std::filesystem::remove_all(partial, ec);
      return ok;
    }
  }
  if (std::filesystem::exists(target, ec)) RemoveDirectoryW(wide->c_str());
  if (!MoveFileExW(partial.c_str(), wide->c_str(), MOVEFILE_WRITE_THROUGH)) {
    std::filesystem::remove_all(partial, ec);
    return repair::make_error(repair::ErrorCode::kIo, dir + ": cannot move the plan in place: " +
                                                          error_message(GetLastError()));
  }
  return {};
}

int plan_live(const std::string& store_name, repair::StoreLocation location,
              const std::string& dir) {
  auto store = CryptStore::open_system(location, store_name);
  if (!store) return report(store.error());
  const auto findings = repair::diagnose(*store);
  repair::PlanOptions options;
  options.store = store->identity();
  options.checked = repair::coverage_lines(repair::diagnosis_coverage(*store));
  auto plan = repair::make_repair_plan(findings, options);
  if (!plan) return report(plan.error());
  auto cmd_script = repair::render_cmd_script(*plan);
  auto ps_script = repair::render_powershell_script(*plan);
  if (!cmd_script) return report(cmd_script.error());
  if (!ps_script) return report(ps_script.error());
  std::vector<std::pair<std::string, std::string>> files = {
      {"repair.cmd", *cmd_script},
      {"repair.ps1", "\xEF\xBB\xBF" + *ps_script},  // BOM: Windows PowerShell reads UTF-8
      {"plan.json", repair::write_plan_file(repair::plan_file_of(*plan))},
      {"summary.txt", repair::render_plan_summary(*plan)}};
  for (const auto& inf : plan->infs) files.emplace_back(inf.file_name, inf.content);
  if (auto ok = write_plan_folder(dir, files); !ok) return report(ok.error());
  std::cout << repair::render_plan_summary(*plan);
  std::cout << fmt::format("\nwrote {} file(s) to {}\n", files.size(), dir);
  return kExitOk;
}

int apply_live(const std::string& dir, const std::string& backup_dir) {
  const auto in_dir = [&](const std::string& name) { return dir + "\\" + name; };
  auto text = read_small_file(in_dir("plan.json"));
  if (!text) return report(text.error());
  auto plan = repair::read_plan_file(*text, in_dir("plan.json"));
  if (!plan) return report(plan.error());
  if (plan->store_name.empty()) {
    return report(repair::make_error(repair::ErrorCode::kInvalidArgument,
                                     in_dir("plan.json") + ": the plan names no store"));
  }
  auto steps = repair::apply_steps_of(
      plan->steps, [&](const std::string& name) -> repair::Result<repair::PropertyInf> {
        auto bytes = read_small_file(in_dir(name));
        if (!bytes) return bytes.error();
        return repair::parse_property_inf(*bytes, in_dir(name));
      });
  if (!steps) return report(steps.error());
  auto store = CryptStore::open_system(plan->location, plan->store_name);
  if (!store) return report(store.error());
  std::optional<std::string> backup;
  auto result =
      repair::apply_repair_steps(*store, *steps, plan->findings, {}, [&]() -> repair::Status {
        auto saved = back_up(*store, plan->store_name, backup_dir);
        if (!saved) return saved.error();
        backup = *saved;
        store->set_journal(*saved + ".journal");
        return {};
      });
  if (!result) {
    std::cerr << "certbed: nothing was changed\n";
    return report(result.error());
  }
  for (const auto& line : result->transcript) std::cout << line << "\n";
  std::cout << fmt::format("certbed: backed up {} to {}; applied {} change(s)\n",
                           store->description(), backup.value_or("(nothing)"),
                           result->changes.size());
  for (const auto& f : result->still_open) {
    std::cout << fmt::format("NOT FIXED: [{}] {} {}\n", repair::severity_name(f.severity), f.rule,
                             f.sha1);
  }
  for (const auto& f : result->remaining) {
    std::cout << fmt::format("remaining: [{}] {} {}\n", repair::severity_name(f.severity), f.rule,
                             f.sha1);
  }
  return result->fixed ? kExitOk : kExitFindings;
}

}  // namespace
}  // namespace certbed::windows

// wmain (-municode): the arguments arrive as UTF-16 and are handed to CLI11 as UTF-8, so store
// names, paths and CertIDs outside the ANSI code page arrive intact.
int wmain(int argc, wchar_t** wargv) {
  using namespace certbed;
  std::vector<std::string> utf8_args;
  for (int i = 0; i < argc; ++i) utf8_args.push_back(windows::to_utf8(wargv[i]));
  std::vector<const char*> argv;
  for (const auto& a : utf8_args) argv.push_back(a.c_str());
  CLI::App app{"certbed: diagnose and repair certificates' private-key metadata (live stores)"};
  app.require_subcommand(1);
  int exit_code = 0;

  auto* diagnose = app.add_subcommand("diagnose", "Run the diagnosis rules on a live store");
  bool live = false, json = false;
  std::string store_name = "My", location_text = "LocalMachine";
  diagnose->add_flag("--live", live, "Read the live store (the only input certbed.exe has)")
      ->required();
  diagnose->add_option("--store", store_name, "Store name (My, Root, CA, ...)");
  diagnose->add_option("--location", location_text,
                       "LocalMachine, CurrentUser or LocalMachineEnterprise");
  diagnose->add_flag("--json", json, "Print one JSON document");
  std::string diagnose_backups = ".";
  diagnose->add_option("--backup-dir", diagnose_backups,
                       "Folder of repairstore's backups and journals (a journal left there by a "
                       "commit cut short is undone first)");
  diagnose->callback([&] {
    if (!windows::recover_cut_short_commits(diagnose_backups)) {
      exit_code = 2;
      return;
    }
    auto location = windows::parse_location(location_text);
    exit_code = location ? windows::diagnose_live(store_name, *location, json)
                         : windows::report(location.error());
  });

  auto* repair_cmd = app.add_subcommand(
      "repairstore", "certutil -repairstore on a live store, after a backup, all or nothing");
  bool repair_live = false;
  std::string repair_store, cert_ids, repair_location = "LocalMachine", backup_dir = ".";
  std::optional<std::string> inf;
  repair_cmd->add_flag("--live", repair_live, "Change the live store")->required();
  repair_cmd->add_option("STORE", repair_store, "Store name (my, ca, ...)")->required();
  repair_cmd->add_option("CERTIDLIST", cert_ids, "Serials, thumbprints or indexes, comma-separated")
      ->required();
  repair_cmd->add_option("INF", inf,
                         "Property INF (KeyProv.inf); without one, repair the key "
                         "association");
  repair_cmd->add_option("--location", repair_location,
                         "LocalMachine, CurrentUser or LocalMachineEnterprise");
  repair_cmd->add_option("--backup-dir", backup_dir,
                         "Folder for the .sst backup written before any change, and the journal "
                         "of the commit beside it");
  repair_cmd->callback([&] {
    if (!windows::recover_cut_short_commits(backup_dir)) {
      exit_code = 2;
      return;
    }
    auto location = windows::parse_location(repair_location);
    exit_code = location
                    ? windows::repairstore_live(repair_store, cert_ids, inf, *location, backup_dir)
                    : windows::report(location.error());
  });

  auto* plan_cmd = app.add_subcommand("plan", "Write a repair plan for a live store");
  bool plan_live = false;
  std::string plan_store = "My", plan_location = "LocalMachine", plan_dir;
  plan_cmd->add_flag("--live", plan_live, "Plan for the live store")->required();
  plan_cmd->add_option("-o,--output", plan_dir, "New or empty folder for the plan")->required();
  plan_cmd->add_option("--store", plan_store, "Store name (My, Root, CA, ...)");
  plan_cmd->add_option("--location", plan_location,
                       "LocalMachine, CurrentUser or LocalMachineEnterprise");
  plan_cmd->callback([&] {
    auto location = windows::parse_location(plan_location);
    exit_code = location ? windows::plan_live(plan_store, *location, plan_dir)
                         : windows::report(location.error());
  });

  auto* apply_cmd = app.add_subcommand(
      "apply", "Apply a plan folder to the live store it names, after a backup, all or nothing");
  bool apply_live = false;
  std::string apply_dir, apply_backups = ".";
  apply_cmd->add_flag("--live", apply_live, "Change the live store")->required();
  apply_cmd->add_option("DIR", apply_dir, "Plan folder written by certbed plan")->required();
  apply_cmd->add_option("--backup-dir", apply_backups,
                        "Folder for the .sst backup and the commit's journal");
  apply_cmd->callback([&] {
    exit_code = windows::recover_cut_short_commits(apply_backups)
                    ? windows::apply_live(apply_dir, apply_backups)
                    : 2;
  });

  try {
    app.parse(argc, argv.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
