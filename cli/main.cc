// certbed: a test bed for Windows certificate-store repair logic.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.h"

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
  certbed::cli::add_renew_command(app, exit_code);
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
  // Commands report errors as values; this is only for what none expects (bad_alloc).
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fputs("certbed: internal error: ", stderr);
    std::fputs(e.what(), stderr);
    std::fputs("\n", stderr);
  } catch (...) {
    std::fputs("certbed: internal error: unknown exception\n", stderr);
  }
  return certbed::cli::kExitFailure;
}
