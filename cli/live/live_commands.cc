// certbed.exe's commands: the repair engine on a live Windows store, each writing command backing
// the store up with crypt32's own CertSaveStore first and committing all or nothing.
#include "live/live_commands.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string_view>
#include <utility>
#include <vector>

#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/formats/plan/plan_file.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/store/store_identity.h"
#include "certbed/windows/crypt_store.h"
#include "certbed/windows/journal.h"
#include "certbed/windows/win_text.h"
#include "common/diagnose_output.h"
#include "common/report.h"

namespace certbed::cli {

using windows::CryptStore;
using windows::error_message;
using windows::to_utf8;
using windows::to_wide;

namespace {

// A file's bytes, read whole through its wide-character path; at most `limit` bytes (the same
// cap the host's certbed puts on that kind of input).
repair::Result<std::string> read_small_file(const std::string& path, std::size_t limit,
                                            std::string_view what) {
  auto wide = to_wide(path);
  if (!wide) return repair::make_error(repair::ErrorCode::kInvalidArgument, path + ": not UTF-8");
  std::ifstream in(std::filesystem::path(*wide), std::ios::binary);
  if (!in) return repair::make_error(repair::ErrorCode::kIo, path + ": cannot open the file");
  std::string bytes(limit + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > limit) {
    return repair::make_error(
        repair::ErrorCode::kInvalidArgument,
        fmt::format("{}: larger than {} MiB, which no {} is", path, limit >> 20, what));
  }
  return bytes;
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

}  // namespace

repair::Result<repair::StoreLocation> parse_location(const std::string& text) {
  if (auto location = repair::parse_store_location(text)) return *location;
  return repair::make_error(
      repair::ErrorCode::kInvalidArgument,
      "--location " + text + ": expected LocalMachine, CurrentUser or LocalMachineEnterprise");
}

bool recover_cut_short_commits(const std::string& backup_dir) {
  std::error_code ec;
  auto wide = to_wide(backup_dir);
  if (!wide) return true;
  for (const auto& entry : std::filesystem::directory_iterator(*wide, ec)) {
    if (entry.path().extension() != L".journal") continue;
    const std::string path = to_utf8(entry.path().wstring());
    auto restored = windows::recover_journal(path);
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
  auto printer = make_diagnosis_printer(json ? DiagnosisFormat::kJson : DiagnosisFormat::kText,
                                        /*batch=*/false);
  printer->begin(store->description());
  bool errors = false;
  for (const auto& f : repair::diagnose(*store)) {
    errors = errors || f.severity == repair::Severity::kError;
    printer->finding(f);
  }
  const int status = errors ? kExitFailure : kExitOk;
  printer->end(repair::diagnosis_coverage(*store), status);
  return status;
}

int repairstore_live(const std::string& store_name, const std::string& cert_ids,
                     const std::optional<std::string>& inf_path, repair::StoreLocation location,
                     const std::string& backup_dir) {
  std::optional<repair::PropertyInf> inf;
  if (inf_path) {
    auto bytes = read_small_file(*inf_path, repair::kMaxInfFileBytes, "property INF");
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
  auto text = read_small_file(in_dir("plan.json"), repair::kMaxPlanFileBytes, "plan file");
  if (!text) return report(text.error());
  auto plan = repair::read_plan_file(*text, in_dir("plan.json"));
  if (!plan) return report(plan.error());
  if (plan->store_name.empty()) {
    return report(repair::make_error(repair::ErrorCode::kInvalidArgument,
                                     in_dir("plan.json") + ": the plan names no store"));
  }
  auto steps = repair::apply_steps_of(
      plan->steps, [&](const std::string& name) -> repair::Result<repair::PropertyInf> {
        auto bytes = read_small_file(in_dir(name), repair::kMaxInfFileBytes, "property INF");
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
  return result->fixed ? kExitOk : kExitFailure;
}

}  // namespace certbed::cli
