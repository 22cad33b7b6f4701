// certbed renew: "Renew CA Certificate" (certutil -renewCert [ReuseKeys]) on a snapshot.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "cli_support.h"
#include "commands.h"

namespace certbed::cli {

namespace {

// Writes `target`, backing up what is there first (as repairstore does).
repair::Status replace_snapshot(const emulator::Machine& machine, const std::string& target) {
  if (std::ifstream(target).good()) {
    auto backup = back_up(target);
    if (!backup) return backup.error();
    std::cout << fmt::format("certbed: backed up {} to {}\n", target, *backup);
  }
  if (auto saved = emulator::save_snapshot(machine, target); !saved) return saved.error();
  std::cout << fmt::format("certbed: wrote {}\n", target);
  return {};
}

}  // namespace

void add_renew_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "renew",
      "Renew the CA certificate of the snapshot's CA (certutil -renewCert [ReuseKeys]): a new "
      "root certificate, or a request for a subordinate CA's parent");
  auto file = std::make_shared<std::string>();
  auto reuse_keys = std::make_shared<bool>(false);
  auto output = std::make_shared<std::string>();
  auto request_out = std::make_shared<std::string>();
  cmd->add_option("SNAPSHOT", *file, "Snapshot file")->required();
  cmd->add_flag("--reuse-keys", *reuse_keys,
                "Reuse the existing key pair (certutil -renewCert ReuseKeys); default: new keys");
  cmd->add_option("-o,--output", *output, "Write the result here instead of over SNAPSHOT");
  cmd->add_option("--request-out", *request_out,
                  "Subordinate CA: write the request here (default: the name Windows gives it, "
                  "beside the output snapshot)");
  cmd->callback([=, &exit_code] {
    auto machine = emulator::load_snapshot(*file);
    if (!machine) {
      exit_code = report(machine.error());
      return;
    }
    emulator::RenewOptions options;
    options.reuse_keys = *reuse_keys;
    auto outcome = emulator::renew_ca_certificate(*machine, options);
    if (!outcome) {
      exit_code = report(outcome.error());
      return;
    }
    for (const auto& event : outcome->events) {
      std::cout << fmt::format("{}: {}\n", emulator::event_level_name(event.level), event.text);
    }
    if (!outcome->succeeded) {
      std::cout << fmt::format("certbed: renewal FAILED; {} is unchanged\n", *file);
      exit_code = kExitFailure;
      return;
    }
    const std::string target = output->empty() ? *file : *output;
    if (outcome->subordinate) {
      const std::string request_path =
          !request_out->empty()
              ? *request_out
              : (std::filesystem::path(target).parent_path() / outcome->request_file_name).string();
      if (auto s = emulator::write_file_atomically(request_path, outcome->request_pem); !s) {
        exit_code = report(s.error());
        return;
      }
      std::cout << fmt::format("certbed: wrote the request {} (CA Version {})\n", request_path,
                               emulator::ca_version_string(outcome->version));
      // A request with the existing key changes nothing on the machine.
      if (!outcome->new_key && output->empty()) return;
    } else {
      std::cout << fmt::format("certbed: new CA certificate {} (CA Version {})\n",
                               outcome->certificate_sha1,
                               emulator::ca_version_string(outcome->version));
    }
    if (auto s = replace_snapshot(*machine, target); !s) exit_code = report(s.error());
  });
}

}  // namespace certbed::cli
