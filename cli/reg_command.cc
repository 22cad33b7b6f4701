// certbed reg: registry exports (.reg files) of certificate stores, written as `reg export`
// writes them and read into a snapshot.
#include <fmt/format.h>

#include <iostream>

#include "certbed/emulator/serialized/registry_certificates.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/formats/registry/reg_file.h"
#include "certbed/repair/model/printable.h"
#include "cli_support.h"
#include "commands.h"

namespace certbed::cli {

namespace {

const platform::InputLimits kRegFileLimits{"registry export", repair::kMaxRegFileBytes};

void add_export(CLI::App* reg, int& exit_code) {
  add_store_export_command(
      reg,
      {"export", "Write a snapshot store as reg export writes its registry key (.reg)",
       ".reg file to write",
       [](const emulator::CertificateStore& store) {
         return repair::write_reg_file(emulator::registry_export(store, store.location()));
       },
       [](const emulator::CertificateStore& store, std::size_t) {
         return fmt::format(
             "{} certificate(s) under {}", store.size(),
             repair::printable(emulator::certificates_key(store.location(), store.name())));
       }},
      exit_code);
}

void add_import(CLI::App* reg, int& exit_code) {
  auto* cmd = reg->add_subcommand(
      "import", "Add the certificates of a .reg file's stores to a snapshot (made when missing)");
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, ".reg file (reg export of a store), or - for standard input")
      ->required();
  cmd->add_option("-o,--output", *output, "Snapshot to write")->required();
  cmd->callback([=, &exit_code] {
    auto data = platform::read_input(*file, kRegFileLimits);
    if (!data) {
      exit_code = report(data.error());
      return;
    }
    const std::string source = input_name(*file);
    auto parsed = repair::parse_reg_file(*data, source);
    if (!parsed) {
      exit_code = report(parsed.error());
      return;
    }
    auto stores = emulator::decode_registry_certificates(*parsed, source);
    if (!stores) {
      exit_code = report(stores.error());
      return;
    }
    std::string summary;
    auto written = add_to_snapshot(*output, [&](emulator::Machine& machine) -> repair::Status {
      for (const auto& s : *stores) {
        for (const auto& w : s.certificates.warnings) std::cerr << repair::printable(w) << "\n";
        auto& store = machine.store(s.location, s.name);
        if (auto added = emulator::add_serialized_certificates(s.certificates, store, source);
            !added) {
          return added.error();
        }
        summary +=
            fmt::format("imported {} certificate(s) into {}\n", s.certificates.certificates.size(),
                        repair::printable(store.description()));
      }
      return {};
    });
    if (!written) {
      exit_code = report(written.error());
      return;
    }
    std::cout << (summary.empty() ? "the file holds no certificates\n" : summary)
              << fmt::format("wrote {}{}\n", repair::printable(*output),
                             *written ? " (backed up to " + repair::printable(**written) + ")"
                                      : std::string());
  });
}

}  // namespace

void add_reg_command(CLI::App& app, int& exit_code) {
  auto* reg = app.add_subcommand(
      "reg", "Registry exports (.reg) of certificate stores: export a snapshot store, import one");
  reg->require_subcommand(1);
  add_export(reg, exit_code);
  add_import(reg, exit_code);
}

}  // namespace certbed::cli
