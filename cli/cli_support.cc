// Helpers every command shares: error reports, store selection, INF reading, backups.
#include "cli_support.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "certbed/emulator/snapshot/snapshot.h"
#include "commands.h"

namespace certbed::cli {

int report(const repair::Error& error) {
  std::cerr << "certbed: " << error.to_string() << "\n";
  return error.code == repair::ErrorCode::kInternal ? kExitFailure : kExitInputError;
}

void add_store_options(CLI::App* cmd, StoreSelection& selection) {
  cmd->add_option("--store", selection.name, "Store name (My, Root, CA, Request, ...)")
      ->capture_default_str();
  cmd->add_option("--location", selection.location, "LocalMachine or CurrentUser")
      ->capture_default_str();
}

repair::Result<OpenSnapshot> open_snapshot(const std::string& file,
                                           const StoreSelection& selection) {
  auto machine = emulator::load_snapshot(file);
  if (!machine) return machine.error();
  auto location = emulator::parse_location(selection.location);
  if (!location) return location.error();
  if (machine->find_store(*location, selection.name) == nullptr) {
    return repair::make_error(
        repair::ErrorCode::kNotFound,
        fmt::format("{}: no store {}\\{}", file, selection.location, selection.name));
  }
  OpenSnapshot opened;
  opened.machine = std::make_unique<emulator::Machine>(std::move(*machine));
  opened.store =
      std::make_unique<emulator::EmulatedStore>(*opened.machine, *location, selection.name);
  return opened;
}

repair::Result<repair::PropertyInf> read_property_inf(const std::string& path,
                                                      bool print_warnings) {
  auto data = emulator::read_file(path);
  if (!data) return data.error();
  auto parsed = repair::parse_property_inf(*data, path);
  if (!parsed) return parsed.error();
  if (print_warnings) {
    for (const auto& w : parsed->warnings) {
      std::cerr << fmt::format("{}:{}: warning: {}\n", path, w.line, w.message);
    }
  }
  return parsed;
}

repair::Result<std::string> back_up(const std::string& path) {
  auto data = emulator::read_file(path);
  if (!data) return data.error();
  std::string backup = path + ".bak";
  for (int n = 1; std::ifstream(backup).good(); ++n) backup = path + ".bak." + std::to_string(n);
  if (auto s = emulator::write_file_atomically(backup, *data); !s) return s.error();
  return backup;
}

}  // namespace certbed::cli
