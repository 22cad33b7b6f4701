#include "commands.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "certbed/emulator/dump_renderer.h"
#include "certbed/emulator/emulated_store.h"
#include "certbed/emulator/scenarios.h"
#include "certbed/emulator/snapshot.h"
#include "certbed/repair/cert_id.h"
#include "certbed/repair/wincrypt_constants.h"
#include "store_table.h"

namespace certbed::cli {

using emulator::StoreLocation;

namespace {

int report(const repair::Error& error) {
  std::cerr << "certbed: " << error.to_string() << "\n";
  return error.code == repair::ErrorCode::kInternal ? kExitFailure : kExitInputError;
}

struct StoreSelection {
  std::string location = "LocalMachine";
  std::string name = "My";
};

void add_store_options(CLI::App* cmd, StoreSelection& selection) {
  cmd->add_option("--store", selection.name, "Store name (My, Root, CA, Request, ...)")
      ->capture_default_str();
  cmd->add_option("--location", selection.location, "LocalMachine or CurrentUser")
      ->capture_default_str();
}

nlohmann::json store_json(const repair::ReadOnlyStore& store) {
  nlohmann::json certs = nlohmann::json::array();
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto facts = store.certificate(i);
    nlohmann::json c = {{"index", i},
                        {"serial", facts.serial},
                        {"subject", facts.subject},
                        {"issuer", facts.issuer},
                        {"not_before", facts.not_before},
                        {"not_after", facts.not_after},
                        {"sha1", facts.sha1},
                        {"key_provider", nullptr}};
    if (auto kpi = facts.key_prov_info(); kpi && kpi->has_value()) {
      const auto& info = **kpi;
      c["key_provider"] = {{"container", info.container},
                           {"provider", info.provider},
                           {"provider_type", info.provider_type},
                           {"flags", info.flags},
                           {"keyspec", info.key_spec}};
    }
    nlohmann::json props = nlohmann::json::array();
    for (const auto& e : facts.properties.entries()) {
      auto name = repair::property_name(e.id);
      props.push_back({{"id", repair::to_number(e.id)},
                       {"name", name ? nlohmann::json(std::string(*name)) : nlohmann::json()}});
    }
    c["properties"] = std::move(props);
    certs.push_back(std::move(c));
  }
  return {{"store", store.description()}, {"certificates", std::move(certs)}};
}

}  // namespace

void add_init_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("init", "Write a snapshot of a built-in scenario");
  auto scenario = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto list = std::make_shared<bool>(false);
  cmd->add_option("SCENARIO", *scenario, "Scenario name (see --list)");
  cmd->add_option("-o,--output", *output,
                  "Snapshot file (.textproto for text format, anything else binary)");
  cmd->add_flag("--list", *list, "List the built-in scenarios");
  cmd->callback([=, &exit_code] {
    if (*list) {
      for (const auto& s : emulator::list_scenarios()) {
        std::cout << fmt::format("{:<26} {}\n", s.name, s.description);
      }
      return;
    }
    if (scenario->empty() || output->empty()) {
      std::cerr << "certbed init: give SCENARIO and -o FILE (or --list)\n";
      exit_code = kExitInputError;
      return;
    }
    auto machine = emulator::build_scenario(*scenario);
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    if (auto saved = emulator::save_snapshot(*machine, *output, *scenario); !saved) {
      exit_code = report(saved.error());
      return;
    }
    std::cout << fmt::format("wrote scenario {} to {}\n", *scenario, *output);
  });
}

void add_store_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("store", "List a snapshot store's certificates and key providers");
  auto file = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "Snapshot file")->required();
  add_store_options(cmd, *selection);
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([=, &exit_code] {
    auto machine = emulator::load_snapshot(*file);
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    auto location = emulator::parse_location(selection->location);
    if (!location) {
      exit_code = report(location.error());
      return;
    }
    if (machine->find_store(*location, selection->name) == nullptr) {
      exit_code = report(repair::make_error(
          repair::ErrorCode::kNotFound,
          fmt::format("{}: no store {}\\{}", *file, selection->location, selection->name)));
      return;
    }
    emulator::EmulatedStore store(*machine, *location, selection->name);
    if (*json) {
      std::cout << store_json(store).dump(2) << "\n";
    } else {
      print_store_table(std::cout, store);
    }
  });
}

void add_export_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("export", "Write one certificate's DER");
  auto file = std::make_shared<std::string>();
  auto cert_id = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("FILE", *file, "Snapshot file")->required();
  cmd->add_option("CERTID", *cert_id, "Serial number or SHA-1 thumbprint (or store index)")
      ->required();
  cmd->add_option("-o,--output", *output, "Output .der file")->required();
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    auto machine = emulator::load_snapshot(*file);
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    auto location = emulator::parse_location(selection->location);
    if (!location) {
      exit_code = report(location.error());
      return;
    }
    emulator::EmulatedStore store(*machine, *location, selection->name);
    auto matched = repair::match_cert_ids(store, *cert_id);
    if (!matched) {
      exit_code = report(matched.error());
      return;
    }
    if (matched->size() != 1) {
      exit_code = report(repair::make_error(repair::ErrorCode::kAmbiguous,
                                            "export takes exactly one certificate id"));
      return;
    }
    const auto& der = store.backing_store().at(matched->front()).der;
    if (auto s = emulator::write_file_atomically(
            *output, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
        !s) {
      exit_code = report(s.error());
      return;
    }
    std::cout << fmt::format("wrote {} ({} bytes, SHA-1 {})\n", *output, der.size(),
                             store.certificate(matched->front()).sha1);
  });
}

void add_dump_command(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("dump", "Print a snapshot store as certutil [-v] -store prints it");
  auto file = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  auto verbose = std::make_shared<bool>(false);
  auto crlf = std::make_shared<bool>(false);
  cmd->add_option("SNAPSHOT", *file, "Snapshot file")->required();
  add_store_options(cmd, *selection);
  cmd->add_flag("-v,--verbose", *verbose, "Verbose output, as certutil -v -store");
  cmd->add_flag("--crlf", *crlf, "Windows line endings");
  cmd->callback([=, &exit_code] {
    auto machine = emulator::load_snapshot(*file);
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    auto location = emulator::parse_location(selection->location);
    if (!location) {
      exit_code = report(location.error());
      return;
    }
    const auto* store = machine->find_store(*location, selection->name);
    if (store == nullptr) {
      exit_code = report(repair::make_error(
          repair::ErrorCode::kNotFound,
          fmt::format("{}: no store {}\\{}", *file, selection->location, selection->name)));
      return;
    }
    emulator::DumpOptions options;
    options.verbose = *verbose;
    options.crlf = *crlf;
    options.typed_store_name = selection->name;
    emulator::render_store_dump(*machine, *store, options, std::cout);
  });
}

void add_demo_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("demo", "Show the seed case on a built-in emulated CA");
  cmd->callback([&exit_code] {
    std::cout << "certbed demo: the seed case (CA certificate renewal with the existing key pair "
                 "fails when using a KSP provider)\n\n";
    auto machine = emulator::build_scenario("ca-ksp-keyspec2");
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    std::cout << "1. An emulated machine hosts the root CA \"Contoso CA\". Its key is a CNG key "
                 "in the Microsoft Software Key Storage Provider:\n\n";
    for (const auto& c : machine->key_container_facts()) {
      std::cout << fmt::format("   {} / container \"{}\" ({}, {} {} bits, unique name {})\n",
                               c.provider, c.container,
                               c.scope == repair::KeyScope::kMachine ? "machine" : "user",
                               c.keys.empty() ? "" : c.keys[0].algorithm,
                               c.keys.empty() ? 0u : c.keys[0].bits, c.unique_container);
    }
    std::cout << "\n2. Its certificate in LocalMachine\\My, as certbed store lists it:\n\n";
    emulator::EmulatedStore store(*machine, StoreLocation::kLocalMachine, "My");
    print_store_table(std::cout, store);
    const auto facts = store.certificate(0);
    auto kpi = facts.key_prov_info();
    if (!kpi || !kpi->has_value()) {
      exit_code = kExitFailure;
      return;
    }
    const auto& info = **kpi;
    std::cout << fmt::format(
        "\n3. The key provider info says ProviderType {} (a KSP) but KeySpec {} ({}).\n"
        "   A CNG key has no key specification: KeySpec must be 0. With KeySpec 2, \"Renew CA\n"
        "   certificate\" with the existing key pair fails. The fix is certutil -repairstore my\n"
        "   \"{}\" KeyProv.inf with KeySpec = 0.\n",
        info.provider_type, info.key_spec, repair::wincrypt::key_spec_name(info.key_spec),
        facts.serial);
  });
}

}  // namespace certbed::cli
