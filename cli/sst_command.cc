// certbed sst: serialized stores (.sst files) listed, imported into a snapshot and exported from
// one, with every property as the file stores it.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "certbed/emulator/serialized/serialized_certificates.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/formats/serialized/serialized_store.h"
#include "certbed/repair/model/printable.h"
#include "certbed/repair/model/property_id.h"
#include "cli_support.h"
#include "commands.h"
#include "common/terminal_output.h"

namespace certbed::cli {

namespace {

const platform::InputLimits kSerializedStoreLimits{"serialized store",
                                                   repair::kMaxSerializedStoreBytes};

// The file read and decoded; its warnings (stale stored hashes) go to stderr.
repair::Result<emulator::SerializedCertificates> read_serialized_certificates(
    const std::string& path) {
  auto data = platform::read_input(path, kSerializedStoreLimits);
  if (!data) return data.error();
  const std::string source = input_name(path);
  auto parsed = repair::parse_serialized_store(
      repair::ByteView(reinterpret_cast<const std::uint8_t*>(data->data()), data->size()), source);
  if (!parsed) return parsed.error();
  auto decoded = emulator::decode_serialized_certificates(*parsed, source);
  if (!decoded) return decoded.error();
  for (const auto& warning : decoded->warnings) std::cerr << repair::printable(warning) << "\n";
  return decoded;
}

nlohmann::ordered_json certificate_list_json(const emulator::SerializedCertificates& decoded) {
  auto certificates = nlohmann::ordered_json::array();
  for (const auto& c : decoded.certificates) {
    auto properties = nlohmann::ordered_json::array();
    for (const auto& entry : c.facts.properties.entries()) {
      const auto name = repair::property_name(entry.id);
      properties.push_back({{"id", repair::to_number(entry.id)},
                            {"name", name ? nlohmann::ordered_json(std::string(*name))
                                          : nlohmann::ordered_json(nullptr)},
                            {"bytes", entry.value.size()}});
    }
    certificates.push_back({{"index", c.index},
                            {"sha1", c.facts.sha1},
                            {"subject", c.facts.subject},
                            {"properties", std::move(properties)}});
  }
  return {{"certificates", std::move(certificates)}};
}

void print_certificate_list(const emulator::SerializedCertificates& decoded) {
  for (const auto& c : decoded.certificates) {
    std::string ids;
    for (const auto& entry : c.facts.properties.entries()) {
      if (!ids.empty()) ids += ",";
      ids += std::to_string(repair::to_number(entry.id));
    }
    std::cout << fmt::format("{:>4}  {}  {}  properties: {}\n", c.index, c.facts.sha1,
                             c.facts.subject, ids.empty() ? "none" : ids);
  }
  std::cout << fmt::format("{} certificate(s)\n", decoded.certificates.size());
}

void add_list(CLI::App* sst, int& exit_code) {
  auto* cmd = sst->add_subcommand("list", "List an .sst file's certificates and their properties");
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "Serialized store (.sst), or - for standard input")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([=, &exit_code] {
    if (*json) unfilter_stdout();
    auto decoded = read_serialized_certificates(*file);
    if (!decoded) {
      exit_code = report(decoded.error());
      return;
    }
    if (*json) {
      std::cout << certificate_list_json(*decoded).dump(
                       2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                << "\n";
    } else {
      print_certificate_list(*decoded);
    }
  });
}

void add_import(CLI::App* sst, int& exit_code) {
  auto* cmd = sst->add_subcommand(
      "import",
      "Add an .sst file's certificates, with their properties, to a snapshot (made when missing)");
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("FILE", *file, "Serialized store (.sst), or - for standard input")->required();
  cmd->add_option("-o,--output", *output, "Snapshot to write")->required();
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    auto location = emulator::parse_location(selection->location);
    if (!location) {
      exit_code = report(location.error());
      return;
    }
    auto decoded = read_serialized_certificates(*file);
    if (!decoded) {
      exit_code = report(decoded.error());
      return;
    }
    std::string into;
    auto written = add_to_snapshot(*output, [&](emulator::Machine& machine) {
      auto& store = machine.store(*location, selection->name);
      into = store.description();
      return emulator::add_serialized_certificates(*decoded, store, input_name(*file));
    });
    if (!written) {
      exit_code = report(written.error());
      return;
    }
    std::cout << fmt::format(
        "imported {} certificate(s) into {} of {}{}\n", decoded->certificates.size(), into,
        repair::printable(*output),
        *written ? " (backed up to " + repair::printable(**written) + ")" : std::string());
  });
}

void add_export(CLI::App* sst, int& exit_code) {
  add_store_export_command(
      sst,
      {"export", "Write a snapshot store as an .sst file", "Serialized store (.sst) to write",
       [](const emulator::CertificateStore& store) -> repair::Result<repair::Bytes> {
         return repair::write_serialized_store(emulator::serialize_certificate_store(store));
       },
       [](const emulator::CertificateStore& store, std::size_t bytes) {
         return fmt::format("{} certificate(s), {} bytes", store.size(), bytes);
       }},
      exit_code);
}

}  // namespace

void add_sst_command(CLI::App& app, int& exit_code) {
  auto* sst = app.add_subcommand(
      "sst", "Serialized stores (.sst): list, import into a snapshot, export from one");
  sst->require_subcommand(1);
  add_list(sst, exit_code);
  add_import(sst, exit_code);
  add_export(sst, exit_code);
}

}  // namespace certbed::cli
