// Helpers every command shares: error reports, store selection, INF reading, snapshot updates.
#include "cli_support.h"

#include <fmt/format.h>

#include <iostream>

#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/model/printable.h"
#include "commands.h"

namespace certbed::cli {

void add_store_options(CLI::App* cmd, StoreSelection& selection) {
  cmd->add_option("--store", selection.name,
                  "Store name (My, Root, CA, Request, ...); for a dump, overrides its header")
      ->capture_default_str()
      ->each([&selection](const std::string&) { selection.name_given = true; });
  cmd->add_option("--location", selection.location,
                  "LocalMachine, CurrentUser or LocalMachineEnterprise (certutil -enterprise); "
                  "a dump does not show it")
      ->capture_default_str()
      ->each([&selection](const std::string&) { selection.location_given = true; });
}

repair::Status write_export(const std::string& path, repair::ByteView bytes) {
  return platform::replace_file(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
      platform::NewFileMode::kPublic);
}

void add_store_export_command(CLI::App* parent, StoreExport what, int& exit_code) {
  auto* cmd = parent->add_subcommand(what.name, what.description);
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("SNAPSHOT", *file, "Snapshot file")->required();
  cmd->add_option("-o,--output", *output, what.output_help)->required();
  add_store_options(cmd, *selection);
  cmd->callback([=, what = std::move(what), &exit_code] {
    auto opened = open_snapshot(*file, *selection);
    if (!opened) {
      exit_code = report(opened.error());
      return;
    }
    const auto& store = opened->store->backing_store();
    auto bytes = what.encode(store);
    if (!bytes) {
      exit_code = report(bytes.error());
      return;
    }
    if (auto s = write_export(*output, *bytes); !s) {
      exit_code = report(s.error());
      return;
    }
    std::cout << fmt::format("wrote {} ({})\n", repair::printable(*output),
                             what.summary(store, bytes->size()));
  });
}

void add_caller_option(CLI::App* cmd, std::string& caller, const std::string& effect) {
  cmd->add_option("--as", caller,
                  "Who runs certutil: administrator (elevated), standard-user, system, or "
                  "service:ACCOUNT; " +
                      effect)
      ->capture_default_str();
}

repair::Result<emulator::Caller> parse_caller_option(const std::string& caller) {
  auto parsed = emulator::parse_caller(caller);
  if (!parsed) {
    return repair::make_error(
        repair::ErrorCode::kInvalidArgument,
        "--as " + repair::printable(caller) +
            ": expected administrator, standard-user, system or service:ACCOUNT");
  }
  return *parsed;
}

repair::Result<repair::StoreHint> store_hint(const StoreSelection& selection) {
  repair::StoreHint hint;
  if (selection.name_given) hint.name = selection.name;
  if (selection.location_given) {
    auto location = emulator::parse_location(selection.location);
    if (!location) return location.error();
    hint.location = emulator::to_repair_location(*location);
  }
  return hint;
}

repair::Result<std::unique_ptr<emulator::EmulatedStore>> select_store(
    emulator::Machine& machine, const std::string& file, const StoreSelection& selection) {
  auto location = emulator::parse_location(selection.location);
  if (!location) return location.error();
  if (machine.find_store(*location, selection.name) == nullptr) {
    return repair::make_error(
        repair::ErrorCode::kNotFound,
        fmt::format("{}: no store {}\\{}", file, selection.location, selection.name));
  }
  return std::make_unique<emulator::EmulatedStore>(machine, *location, selection.name);
}

repair::Result<OpenSnapshot> open_snapshot(const std::string& file,
                                           const StoreSelection& selection) {
  auto machine = emulator::load_snapshot(file);
  if (!machine) return machine.error();
  OpenSnapshot opened;
  opened.machine = std::make_unique<emulator::Machine>(std::move(*machine));
  auto store = select_store(*opened.machine, file, selection);
  if (!store) return store.error();
  opened.store = std::move(*store);
  return opened;
}

std::string input_name(const std::string& path) {
  return path == platform::kStandardInput ? "standard input" : path;
}

repair::Result<repair::PropertyInf> read_property_inf(const std::string& path,
                                                      bool print_warnings) {
  auto data = platform::read_input(path, kInfLimits);
  if (!data) return data.error();
  auto parsed = repair::parse_property_inf(*data, input_name(path));
  if (!parsed) return parsed.error();
  if (print_warnings) {
    for (const auto& w : parsed->warnings) {
      std::cerr << fmt::format("{}:{}: warning: {}\n", input_name(path), w.line, w.message);
    }
  }
  return parsed;
}

namespace {

repair::Error changed_meanwhile(const std::string& target) {
  return repair::make_error(repair::ErrorCode::kConflict,
                            repair::printable(target) +
                                ": changed by another process since it was read; nothing written");
}

bool same_file(const platform::PathState& a, const platform::PathState& b) {
  return a.kind == b.kind && (a.kind != platform::PathKind::kRegular || a.identity == b.identity);
}

}  // namespace

repair::Result<SnapshotUpdate> SnapshotUpdate::open(const std::string& source,
                                                    const std::string& target) {
  // A folder, link or device as the target is refused before the lock file or a backup exists.
  if (auto ok = platform::check_file_target(target); !ok) return ok.error();
  auto lock = platform::FileLock::acquire(target, kLockWait);
  if (!lock) return lock.error();
  SnapshotUpdate update(std::move(*lock));
  update.target_ = target;
  auto baseline = platform::path_state(target);
  if (!baseline) return baseline.error();
  update.baseline_ = *baseline;
  auto machine = emulator::load_snapshot(source);
  if (!machine) return machine.error();
  // A writer that does not lock may have replaced the file between the look and the read.
  auto after = platform::path_state(target);
  if (!after) return after.error();
  if (!same_file(update.baseline_, *after)) return changed_meanwhile(target);
  update.machine_ = std::make_unique<emulator::Machine>(std::move(*machine));
  return update;
}

repair::Result<std::optional<std::string>> SnapshotUpdate::publish() {
  auto data = emulator::serialize_snapshot(*machine_, emulator::snapshot_format_for(target_));
  if (!data) return data.error();
  auto staged = platform::StagedFile::create(target_, platform::NewFileMode::kPrivate);
  if (!staged) return staged.error();
  if (auto ok = staged->write(*data); !ok) return ok.error();
  // The flush to disk comes before the check, so that only the backup's hard link and the
  // rename stand between the check and the replacement (a writer that takes no lock can still
  // replace the file in that window: rename cannot be made conditional).
  if (auto ok = staged->flush(); !ok) return ok.error();
  auto now = platform::path_state(target_);
  if (!now) return now.error();
  if (!same_file(baseline_, *now)) return changed_meanwhile(target_);
  std::optional<std::string> backup;
  if (now->kind == platform::PathKind::kRegular) {
    auto made = platform::back_up_file(target_);
    if (!made) {
      // link() fails with ENOENT when the file it looked up is renamed over meanwhile: say so.
      auto later = platform::path_state(target_);
      if (later && !same_file(baseline_, *later)) return changed_meanwhile(target_);
      return made.error();
    }
    backup = std::move(*made);
    // A replacement during the backup would make it a copy of the other writer's file.
    auto later = platform::path_state(target_);
    if (!later || !same_file(baseline_, *later)) {
      platform::remove_backup(*backup);
      if (!later) return later.error();
      return changed_meanwhile(target_);
    }
  }
  if (auto ok = staged->commit(); !ok) {
    // Nothing was replaced, so the backup of it is not one: leave the folder as it was.
    if (backup) platform::remove_backup(*backup);
    return ok.error();
  }
  return backup;
}

repair::Result<std::optional<std::string>> add_to_snapshot(
    const std::string& output, const std::function<repair::Status(emulator::Machine&)>& change) {
  auto state = platform::path_state(output);
  if (!state) return state.error();
  if (state->kind == platform::PathKind::kAbsent) {
    emulator::Machine machine;
    if (auto changed = change(machine); !changed) return changed.error();
    if (auto saved = emulator::save_snapshot(machine, output); !saved) return saved.error();
    return std::optional<std::string>{};
  }
  auto update = SnapshotUpdate::open(output, output);
  if (!update) return update.error();
  if (auto changed = change(update->machine()); !changed) return changed.error();
  return update->publish();
}

}  // namespace certbed::cli
