// The certbed subcommands. Each returns the process exit code: 0 ok, 1 findings or failure,
// 2 usage or input error.
#pragma once

#include <CLI/CLI.hpp>

#include "common/report.h"

namespace certbed::cli {

void add_init_command(CLI::App& app, int& exit_code);
void add_store_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_dump_command(CLI::App& app, int& exit_code);
void add_parse_command(CLI::App& app, int& exit_code);
void add_inf_command(CLI::App& app, int& exit_code);
void add_repairstore_command(CLI::App& app, int& exit_code);
void add_diagnose_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_apply_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_renew_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_sst_command(CLI::App& app, int& exit_code);
void add_reg_command(CLI::App& app, int& exit_code);
void add_import_dump_command(CLI::App& app, int& exit_code);
void add_case_command(CLI::App& app, int& exit_code);

}  // namespace certbed::cli
