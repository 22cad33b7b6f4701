// certbed import-dump: a customer's certutil dump into an emulated machine (a snapshot) that
// reproduces what the dump shows, so the case can be replayed, repaired and kept as a fixture.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "certbed/emulator/import/dump_import.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/model/printable.h"
#include "cli_support.h"
#include "commands.h"

namespace certbed::cli {

namespace {

// The machine is built in memory and must fit one snapshot, so the dump is capped at the
// snapshot's size rather than at the streaming commands' cap.
const platform::InputLimits kImportDumpLimits{"dump", emulator::kSnapshotLimits.max_bytes};

// The --map table: original values beside their replacements. It holds every identifying value
// of the dump, so it is created readable by its owner only.
repair::Status write_map(const std::string& path, const std::vector<emulator::Replacement>& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& r : table) {
    rows.push_back({{"kind", r.kind}, {"original", r.original}, {"replacement", r.replacement}});
  }
  const nlohmann::ordered_json doc = {{"replacements", rows}};
  return platform::replace_file(
      path, doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
      platform::NewFileMode::kPrivate);
}

}  // namespace

void add_import_dump_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "import-dump",
      "Build an emulated machine (a snapshot) that reproduces a certutil [-v] -store dump");
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("DUMPFILE", *file, "certutil output, as redirected to a file (- for stdin)")
      ->required();
  cmd->add_option("-o,--output", *output, "Snapshot to write (.textproto for text)")->required();
  add_store_options(cmd, *selection);
  auto anonymize = std::make_shared<bool>(false);
  auto map = std::make_shared<std::string>();
  cmd->add_flag("--anonymize", *anonymize,
                "Replace every identifying value (names, containers, serials, non-built-in "
                "templates) consistently; the snapshot then holds no original value");
  cmd->add_option("--map", *map,
                  "With --anonymize: write the original-to-replacement table (serials and "
                  "thumbprints too) to this file, created private");
  cmd->callback([=, &exit_code] {
    if (!map->empty() && !*anonymize) {
      exit_code = report(repair::make_error(repair::ErrorCode::kInvalidArgument,
                                            "--map needs --anonymize: without it the snapshot "
                                            "keeps the original values"));
      return;
    }
    auto hint = store_hint(*selection);
    if (!hint) {
      exit_code = report(hint.error());
      return;
    }
    auto bytes = platform::read_input(*file, kImportDumpLimits);
    if (!bytes) {
      exit_code = report(bytes.error());
      return;
    }
    emulator::DumpImportOptions options;
    options.hint = *hint;
    options.anonymize = *anonymize;
    auto imported = emulator::import_store_dump(*bytes, input_name(*file), options);
    if (!imported) {
      exit_code = report(imported.error());
      return;
    }
    for (const auto& w : imported->warnings) {
      std::cerr << fmt::format("{}:{}: warning: {}\n", repair::printable(input_name(*file)), w.line,
                               repair::printable(w.message));
    }
    if (auto saved = emulator::save_snapshot(imported->machine, *output); !saved) {
      exit_code = report(saved.error());
      return;
    }
    if (!map->empty()) {
      if (auto written = write_map(*map, imported->replacements); !written) {
        exit_code = report(written.error());
        return;
      }
    }
    const auto& record = *imported->machine.import_record();
    std::size_t certificates = 0, containers = 0;
    for (const auto& [key, store] : imported->machine.stores()) certificates += store.size();
    for (const auto& [name, provider] : imported->machine.providers()) {
      containers += provider.containers().size();
    }
    std::cout << fmt::format(
        "wrote {} ({}: {} certificate(s), {} key container(s){}; dump caller {}; {} item(s) not "
        "reproduced, listed in the snapshot's imported_from)\n",
        repair::printable(*output), imported->store.to_string(), certificates, containers,
        imported->machine.ca_configuration() ? ", a CA configuration" : "", record.caller,
        record.not_reproduced.size());
  });
}

}  // namespace certbed::cli
