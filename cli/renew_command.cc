// certbed renew: "Renew CA Certificate" (certutil -renewCert [ReuseKeys]) on a snapshot.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/platform/output_file.h"
#include "cli_support.h"
#include "commands.h"

namespace certbed::cli {

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
    const std::string target = output->empty() ? *file : *output;
    auto update = SnapshotUpdate::open(*file, target);
    if (!update) {
      exit_code = report(update.error());
      return;
    }
    auto& machine = update->machine();
    emulator::RenewOptions options;
    options.reuse_keys = *reuse_keys;
    auto outcome = emulator::renew_ca_certificate(machine, options);
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
    // The request is written completely first but put in place only after the snapshot, so a
    // snapshot that cannot be written leaves no request behind.
    std::optional<platform::StagedFile> request;
    std::string request_path;
    if (outcome->subordinate) {
      // The default name comes from the snapshot's CA configuration, which the renewal made a
      // single file name: it stays beside the output snapshot.
      request_path =
          !request_out->empty()
              ? *request_out
              : (std::filesystem::path(target).parent_path() / outcome->request_file_name).string();
      if (auto ok = platform::check_file_target(request_path); !ok) {
        exit_code = report(ok.error());
        return;
      }
      auto staged = platform::StagedFile::create(request_path, platform::NewFileMode::kPublic);
      if (!staged) {
        exit_code = report(staged.error());
        return;
      }
      if (auto ok = staged->write(outcome->request_pem); !ok) {
        exit_code = report(ok.error());
        return;
      }
      request = std::move(*staged);
    } else {
      std::cout << fmt::format("certbed: new CA certificate {} (CA Version {})\n",
                               outcome->certificate_sha1,
                               emulator::ca_version_string(outcome->version));
    }
    // A request with the existing key changes nothing on the machine.
    const bool write_snapshot = !outcome->subordinate || outcome->new_key || !output->empty();
    if (write_snapshot) {
      auto backup = update->publish();
      if (!backup) {
        exit_code = report(backup.error());
        return;
      }
      if (*backup) std::cout << fmt::format("certbed: backed up {} to {}\n", target, **backup);
      std::cout << fmt::format("certbed: wrote {}\n", target);
    }
    if (request) {
      if (auto ok = request->commit(); !ok) {
        exit_code = report(ok.error());
        if (write_snapshot) {
          std::cerr << fmt::format(
              "certbed: {} holds the renewed CA, but its request could not be written; "
              "restore the backup and renew again\n",
              target);
        }
        return;
      }
      std::cout << fmt::format("certbed: wrote the request {} (CA Version {})\n", request_path,
                               emulator::ca_version_string(outcome->version));
    }
  });
}

}  // namespace certbed::cli
