// Helpers every command shares: error reporting with exit codes, store selection, backups.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "certbed/repair/result.h"

namespace certbed::cli {

// Prints "certbed: <error>" and returns the exit code for it (2 for input errors).
int report(const repair::Error& error);

struct StoreSelection {
  std::string location = "LocalMachine";
  std::string name = "My";
};

void add_store_options(CLI::App* cmd, StoreSelection& selection);

// Copies `path` to the first free "<path>.bak", "<path>.bak.1", ... and returns the copy's name.
repair::Result<std::string> back_up(const std::string& path);

}  // namespace certbed::cli
