// certbed: a test bed for Windows certificate-store repair logic.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.h"
#include "common/terminal_output.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{
      "certbed: emulate Windows certificate stores and key providers, diagnose and "
      "repair key provider metadata (CERT_KEY_PROV_INFO_PROP_ID)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "certbed 0.1.0");
  int exit_code = certbed::cli::kExitOk;
  certbed::cli::add_init_command(app, exit_code);
  certbed::cli::add_store_command(app, exit_code);
  certbed::cli::add_export_command(app, exit_code);
  certbed::cli::add_dump_command(app, exit_code);
  certbed::cli::add_parse_command(app, exit_code);
  certbed::cli::add_inf_command(app, exit_code);
  certbed::cli::add_repairstore_command(app, exit_code);
  certbed::cli::add_diagnose_command(app, exit_code);
  certbed::cli::add_plan_command(app, exit_code);
  certbed::cli::add_apply_command(app, exit_code);
  certbed::cli::add_report_command(app, exit_code);
  certbed::cli::add_renew_command(app, exit_code);
  certbed::cli::add_sst_command(app, exit_code);
  certbed::cli::add_reg_command(app, exit_code);
  certbed::cli::add_import_dump_command(app, exit_code);
  certbed::cli::add_case_command(app, exit_code);
  certbed::cli::add_demo_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : certbed::cli::kExitInputError;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything printed, help and usage errors included, goes through the filter.
  certbed::cli::TerminalOutput terminal;
  // Commands report errors as values; this is only for what none expects (bad_alloc).
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "certbed: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "certbed: internal error: unknown exception\n";
  }
  return certbed::cli::kExitFailure;
}
