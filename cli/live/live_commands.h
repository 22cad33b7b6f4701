// certbed.exe's live commands, in certutil's argument order. Each returns the process exit
// status (common/report.h); each writing command backs the store up first and is all or nothing.
#pragma once

#include <optional>
#include <string>

#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::cli {

// --location's value; anything but LocalMachine, CurrentUser or LocalMachineEnterprise is an
// input error.
repair::Result<repair::StoreLocation> parse_location(const std::string& text);

// A journal in the backup folder means a live commit was cut short (a crash, a kill): its
// properties are put back before anything else runs. False when one could not be.
bool recover_cut_short_commits(const std::string& backup_dir);

// certbed diagnose --live: the same rules and the same text or JSON as certbed diagnose.
int diagnose_live(const std::string& store_name, repair::StoreLocation location, bool json);

// certbed repairstore --live STORE CERTIDLIST [INF]: certutil -repairstore's semantics.
int repairstore_live(const std::string& store_name, const std::string& cert_ids,
                     const std::optional<std::string>& inf_path, repair::StoreLocation location,
                     const std::string& backup_dir);

// certbed plan --live -o DIR: the plan folder, written whole into a new or empty folder.
int plan_live(const std::string& store_name, repair::StoreLocation location,
              const std::string& dir);

// certbed apply --live DIR: the plan's steps on the live store it names.
int apply_live(const std::string& dir, const std::string& backup_dir);

}  // namespace certbed::cli
