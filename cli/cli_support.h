// Helpers every command shares: error reporting with exit codes, store selection, backups.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/result.h"

namespace certbed::cli {

// Prints "certbed: <error>" and returns the exit code for it (2 for input errors).
int report(const repair::Error& error);

struct StoreSelection {
  std::string location = "LocalMachine";
  std::string name = "My";
};

void add_store_options(CLI::App* cmd, StoreSelection& selection);

// A snapshot opened on one of its stores. The machine lives on the heap, so the store view
// stays valid when this moves.
struct OpenSnapshot {
  std::unique_ptr<emulator::Machine> machine;
  std::unique_ptr<emulator::EmulatedStore> store;
};

// Loads `file` and selects the store; a store the snapshot does not have is a kNotFound error.
repair::Result<OpenSnapshot> open_snapshot(const std::string& file,
                                           const StoreSelection& selection);

// Reads and parses a property INF for any command. Its warnings go to stderr as
// "file:line: warning: ..." unless `print_warnings` is false (a caller that prints them itself).
repair::Result<repair::PropertyInf> read_property_inf(const std::string& path,
                                                      bool print_warnings = true);

// Copies `path` to the first free "<path>.bak", "<path>.bak.1", ... and returns the copy's name.
repair::Result<std::string> back_up(const std::string& path);

}  // namespace certbed::cli
