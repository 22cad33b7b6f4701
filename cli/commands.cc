// init, store, export, dump, parse, inf check and repairstore: the emulator and the formats.
#include "commands.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/random_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/formats/inf/inf_lines.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/printable.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/cert_id.h"
#include "cli_support.h"
#include "common/terminal_output.h"
#include "dump_json.h"
#include "store_table.h"

namespace certbed::cli {

namespace {

nlohmann::ordered_json store_json(const repair::ReadOnlyStore& store) {
  nlohmann::ordered_json certs = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto facts = store.certificate(i);
    nlohmann::ordered_json c = {{"index", i},
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
    nlohmann::ordered_json props = nlohmann::ordered_json::array();
    for (const auto& e : facts.properties.entries()) {
      auto name = repair::property_name(e.id);
      props.push_back(
          {{"id", repair::to_number(e.id)},
           {"name", name ? nlohmann::ordered_json(std::string(*name)) : nlohmann::ordered_json()}});
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
  auto count = std::make_shared<std::size_t>(1000);
  auto seed = std::make_shared<std::uint64_t>(1);
  cmd->add_option("--certificates", *count, "With SCENARIO random: how many certificates")
      ->capture_default_str();
  cmd->add_option("--seed", *seed, "With SCENARIO random: the generator's seed")
      ->capture_default_str();
  cmd->callback([=, &exit_code] {
    if (*list) {
      std::cout << fmt::format("{:<26} {}\n", "random",
                               "A random LocalMachine\\My store (--certificates N --seed S): every "
                               "provider kind and KeySpec, odd names");
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
    auto machine = [&] {
      if (*scenario != "random") return emulator::build_scenario(*scenario);
      emulator::RandomStoreOptions options;
      options.certificates = *count;
      options.seed = *seed;
      return emulator::generate_random_machine(options);
    }();
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    // No lock: init reads nothing it could lose, and a writer that holds the lock while init
    // replaces the file notices ("changed by another process") and writes nothing.
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
    if (*json) unfilter_stdout();
    auto opened = open_snapshot(*file, *selection);
    if (!opened) {
      exit_code = report(opened.error());
      return;
    }
    const auto& store = *opened->store;
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
    auto opened = open_snapshot(*file, *selection);
    if (!opened) {
      exit_code = report(opened.error());
      return;
    }
    auto& store = *opened->store;
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
    if (auto s = write_export(*output, der); !s) {
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
  auto as = std::make_shared<std::string>();
  add_caller_option(cmd, *as,
                    "keys the caller cannot read show as \"Missing stored keyset\" (default: "
                    "the caller an imported dump was taken to be printed by, else administrator)");
  cmd->callback([=, &exit_code] {
    auto opened = open_snapshot(*file, *selection);
    if (!opened) {
      exit_code = report(opened.error());
      return;
    }
    const auto& imported = opened->machine->import_record();
    const auto caller = parse_caller_option(!as->empty() ? *as
                                            : imported   ? imported->caller
                                                         : "administrator");
    if (!caller) {
      exit_code = report(caller.error());
      return;
    }
    const auto* store = &opened->store->backing_store();
    const auto& machine = opened->machine;
    emulator::DumpOptions options;
    options.verbose = *verbose;
    options.crlf = *crlf;
    options.typed_store_name = selection->name;
    options.caller = *caller;
    emulator::render_store_dump(*machine, *store, options, std::cout);
  });
}

void add_parse_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("parse", "Parse a certutil [-v] -store dump (UTF-8 or UTF-16)");
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("DUMPFILE", *file, "certutil output, as redirected to a file (- for stdin)")
      ->required();
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([=, &exit_code] {
    if (*json) unfilter_stdout();
    // Stream: each certificate is printed as soon as it is parsed, so memory stays bounded by
    // the largest record whatever the size of the dump.
    std::size_t count = 0;
    if (*json) std::cout << "{\"certificates\":[";
    repair::StoreDumpParser parser(
        [&](repair::DumpCertificate&& certificate) {
          if (*json) {
            std::cout << (count == 0 ? "\n" : ",\n") << certificate_json(certificate).dump();
          } else {
            const auto& kp = certificate.key_provider;
            auto number = [](const std::optional<std::uint32_t>& v) {
              return v ? std::to_string(*v) : std::string("-");
            };
            std::cout << fmt::format(
                "{:>4}  {:<40}  type {:>2}  KeySpec {:>2}  {}  {}{}\n",
                certificate.index ? std::to_string(*certificate.index) : "-", certificate.serial,
                kp ? number(kp->provider_type) : "-", kp ? number(kp->key_spec) : "-",
                kp && kp->provider ? *kp->provider : "(no key provider information)",
                certificate.subject, certificate.complete ? "" : "  [incomplete]");
          }
          ++count;
        },
        input_name(*file));
    auto read = platform::stream_input(*file, kDumpLimits, [&](std::string_view chunk) {
      parser.feed(chunk);
      return !parser.done();  // not a dump: no need to read the rest
    });
    if (!read) {
      if (*json) std::cout << "]}\n";
      exit_code = report(read.error());
      return;
    }
    auto summary = parser.finish();
    if (!summary) {
      if (*json) std::cout << "]}\n";
      exit_code = report(summary.error());
      return;
    }
    if (*json) {
      // The summary is known only at the end of the input: its members follow the records.
      const auto members = summary_json(*summary);
      std::cout << "\n]";
      for (const auto& member : members.items()) {
        std::cout << ",\"" << member.key() << "\":" << member.value().dump();
      }
      std::cout << "}\n";
    } else {
      std::cout << fmt::format("{} certificate{}, {} warning{}\n", count, count == 1 ? "" : "s",
                               summary->warnings.size(), summary->warnings.size() == 1 ? "" : "s");
      for (const auto& w : summary->warnings) {
        std::cout << fmt::format("  {}:{}: {}\n", input_name(*file), w.line, w.message);
      }
    }
  });
}

namespace {

nlohmann::ordered_json inf_property_json(const repair::InfProperty& p) {
  static const char* const kKinds[] = {"delete", "empty", "text", "hex"};
  const auto name = repair::property_name(p.id);
  nlohmann::ordered_json out = {
      {"id", repair::to_number(p.id)},
      {"name", name ? nlohmann::ordered_json(std::string(*name)) : nlohmann::ordered_json()},
      {"kind", kKinds[static_cast<int>(p.kind)]},
      {"line", p.line}};
  auto opt = [](const auto& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
  };
  if (p.key_provider) {
    const auto& kp = *p.key_provider;
    out["key_provider"] = {{"container", opt(kp.container)},
                           {"provider", opt(kp.provider)},
                           {"provider_type", opt(kp.provider_type)},
                           {"flags", opt(kp.flags)},
                           {"keyspec", opt(kp.key_spec)}};
  } else if (p.id == repair::PropertyId::CERT_ENHKEY_USAGE_PROP_ID &&
             p.kind == repair::InfValueKind::kText) {
    out["ekus"] = p.ekus;
  } else if (p.kind == repair::InfValueKind::kText) {
    out["text"] = p.text;
  } else if (p.kind == repair::InfValueKind::kHex) {
    out["hex"] = repair::to_hex(p.value);
  }
  return out;
}

// certbed inf check FILE --lines: the lexical layer only, for comparing with SetupAPI's reading.
int print_inf_lines(const std::string& path) {
  auto data = platform::read_input(path, kInfLimits);
  if (!data) return report(data.error());
  auto read = repair::read_inf_lines(*data, input_name(path));
  if (!read) return report(read.error());
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const auto& e : read->entries) {
    entries.push_back({{"section", e.section},
                       {"key", e.key ? nlohmann::ordered_json(*e.key) : nlohmann::ordered_json()},
                       {"value", e.value},
                       {"line", e.line}});
  }
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const auto& w : read->warnings)
    warnings.push_back({{"line", w.line}, {"message", w.message}});
  std::cout << nlohmann::ordered_json{{"encoding", read->encoding},
                                      {"lines", entries},
                                      {"warnings", warnings}}
                   .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
            << "\n";
  return 0;
}

}  // namespace

void add_inf_command(CLI::App& app, int& exit_code) {
  auto* inf = app.add_subcommand("inf", "certutil property INF files");
  inf->require_subcommand(1);
  auto* check = inf->add_subcommand("check", "Parse a property INF and print its properties");
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  check->add_option("FILE", *file, "INF file (UTF-8 or UTF-16 with BOM; - for stdin)")->required();
  check->add_flag("--json", *json, "Print JSON");
  auto lines = std::make_shared<bool>(false);
  check->add_flag("--lines", *lines,
                  "Print every entry of every section as the INF lexer reads it (JSON: section, "
                  "key, value, line), after [Strings] substitution");
  check->callback([=, &exit_code] {
    if (*json || *lines) unfilter_stdout();
    if (*lines) {
      exit_code = print_inf_lines(*file);
      return;
    }
    auto parsed = read_property_inf(*file, /*print_warnings=*/!*json);
    if (!parsed) {
      exit_code = report(parsed.error());
      return;
    }
    if (*json) {
      nlohmann::ordered_json props = nlohmann::ordered_json::array();
      for (const auto& p : parsed->properties) props.push_back(inf_property_json(p));
      nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
      for (const auto& w : parsed->warnings) {
        warnings.push_back({{"line", w.line}, {"message", w.message}});
      }
      std::cout << nlohmann::ordered_json{{"properties", props}, {"warnings", warnings}}.dump(2)
                << "\n";
    } else {
      for (const auto& p : parsed->properties) {
        std::cout << fmt::format("{}:{}: {}\n", input_name(*file), p.line,
                                 inf_property_json(p).dump());
      }
    }
  });
}

void add_repairstore_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "repairstore",
      "certutil -repairstore on a snapshot: apply a property INF, or without one "
      "repair the private key association");
  auto file = std::make_shared<std::string>();
  auto cert_ids = std::make_shared<std::string>();
  auto inf_file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto csp = std::make_shared<std::string>();
  auto selection = std::make_shared<StoreSelection>();
  cmd->add_option("SNAPSHOT", *file, "Snapshot file")->required();
  cmd->add_option("CERTIDLIST", *cert_ids,
                  "Comma-separated serial numbers, SHA-1 thumbprints or indexes")
      ->required();
  cmd->add_option("INF", *inf_file, "Property INF file (omit to repair the key association)");
  cmd->add_option("-o,--output", *output, "Write the result here instead of over SNAPSHOT");
  cmd->add_option("--csp", *csp, "Look for the key only in this provider");
  auto as = std::make_shared<std::string>("administrator");
  add_caller_option(cmd, *as, "the key search finds only keys the caller can open");
  add_store_options(cmd, *selection);
  cmd->callback([=, &exit_code] {
    const auto caller = parse_caller_option(*as);
    if (!caller) {
      exit_code = report(caller.error());
      return;
    }
    const std::string target = output->empty() ? *file : *output;
    auto update = SnapshotUpdate::open(*file, target);
    if (!update) {
      exit_code = report(update.error());
      return;
    }
    auto selected = select_store(update->machine(), *file, *selection);
    if (!selected) {
      exit_code = report(selected.error());
      return;
    }
    auto& store = **selected;
    store.set_caller(*caller);
    std::optional<repair::PropertyInf> inf;
    if (!inf_file->empty()) {
      auto parsed = read_property_inf(*inf_file);
      if (!parsed) {
        exit_code = report(parsed.error());
        return;
      }
      inf = std::move(*parsed);
    }
    repair::RepairStoreOptions options;
    if (!csp->empty()) options.provider = *csp;
    auto result = repair::repair_store(store, *cert_ids, inf ? &*inf : nullptr, options);
    if (!result) {
      std::cerr << "CertUtil: -repairstore command FAILED\n";
      exit_code = report(result.error());
      return;
    }
    for (const auto& line : result->transcript) std::cout << line << "\n";
    if (result->changes.empty()) {
      std::cout << "certbed: nothing changed\n";
      if (output->empty()) return;
    }
    auto backup = update->publish();
    if (!backup) {
      exit_code = report(backup.error());
      return;
    }
    if (*backup) std::cout << fmt::format("certbed: backed up {} to {}\n", target, **backup);
    for (const auto& c : result->changes) {
      std::cout << fmt::format("certbed: certificate {} ({}): {} {}\n", c.index, c.serial,
                               repair::property_label(c.id),
                               !c.after   ? "deleted"
                               : c.before ? "replaced"
                                          : "added");
    }
    std::cout << fmt::format("certbed: wrote {}\n", target);
  });
}

}  // namespace certbed::cli
