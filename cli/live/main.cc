// certbed.exe: the repair engine on the live Windows certificate stores, in certutil's argument
// order. It has no emulator commands: those need OpenSSL and protobuf, which have no MinGW
// build here.
//   certbed diagnose --live [--store NAME] [--location L] [--json]
//   certbed repairstore --live STORE CERTIDLIST [INF] [--location L] [--backup-dir DIR]
//   certbed plan --live -o DIR [--store NAME] [--location L]
//   certbed apply --live DIR [--backup-dir DIR]
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "certbed/windows/win_text.h"
#include "common/report.h"
#include "common/terminal_output.h"
#include "live/live_commands.h"
namespace {

int run(int argc, wchar_t** wargv) {
  using namespace certbed;
  std::vector<std::string> utf8_args;
  for (int i = 0; i < argc; ++i) utf8_args.push_back(windows::to_utf8(wargv[i]));
  std::vector<const char*> argv;
  for (const auto& a : utf8_args) argv.push_back(a.c_str());
  CLI::App app{"certbed: diagnose and repair certificates' private-key metadata (live stores)"};
  app.require_subcommand(1);
  int exit_code = cli::kExitOk;

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
    if (!cli::recover_cut_short_commits(diagnose_backups)) {
      exit_code = cli::kExitInputError;
      return;
    }
    auto location = cli::parse_location(location_text);
    if (json) cli::unfilter_stdout();
    exit_code =
        location ? cli::diagnose_live(store_name, *location, json) : cli::report(location.error());
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
    if (!cli::recover_cut_short_commits(backup_dir)) {
      exit_code = cli::kExitInputError;
      return;
    }
    auto location = cli::parse_location(repair_location);
    exit_code = location ? cli::repairstore_live(repair_store, cert_ids, inf, *location, backup_dir)
                         : cli::report(location.error());
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
    auto location = cli::parse_location(plan_location);
    exit_code =
        location ? cli::plan_live(plan_store, *location, plan_dir) : cli::report(location.error());
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
    exit_code = cli::recover_cut_short_commits(apply_backups)
                    ? cli::apply_live(apply_dir, apply_backups)
                    : cli::kExitInputError;
  });

  try {
    app.parse(argc, argv.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kExitOk : cli::kExitInputError;
  }
  return exit_code;
}

}  // namespace

// wmain (-municode): the arguments arrive as UTF-16 and are handed to CLI11 as UTF-8, so store
// names, paths and CertIDs outside the ANSI code page arrive intact.
int wmain(int argc, wchar_t** wargv) {
  // Everything printed, help and usage errors included, goes through the filter, as in certbed.
  certbed::cli::TerminalOutput terminal;
  // Commands report errors as values; this is only for what none expects (bad_alloc).
  try {
    return run(argc, wargv);
  } catch (const std::exception& e) {
    std::cerr << "certbed: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "certbed: internal error: unknown exception\n";
  }
  return certbed::cli::kExitFailure;
}
