// Helpers every command shares: error reporting with exit codes, store selection, input limits,
// and the locked read-modify-write of a snapshot.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/platform/file_identity.h"
#include "certbed/platform/file_lock.h"
#include "certbed/platform/input_file.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/formats/plan/plan_file.h"
#include "certbed/repair/model/result.h"
#include "common/report.h"

namespace certbed::cli {

struct StoreSelection {
  std::string location = "LocalMachine";
  std::string name = "My";
  // Whether the user said it: a dump names its own store where it can, and only what the user
  // gave overrides that.
  bool location_given = false;
  bool name_given = false;
};

void add_store_options(CLI::App* cmd, StoreSelection& selection);

// Writes an export (a certificate, an .sst, a .reg) over `path` in one step, readable by all:
// exports hold no secrets.
repair::Status write_export(const std::string& path, repair::ByteView bytes);

// A subcommand that writes one snapshot store in an export format, with SNAPSHOT, -o FILE and
// the store options: `encode` makes the file's bytes, `summary` says what they hold (printed as
// "wrote FILE (<summary>)").
struct StoreExport {
  std::string name;
  std::string description;
  std::string output_help;
  std::function<repair::Result<repair::Bytes>(const emulator::CertificateStore&)> encode;
  std::function<std::string(const emulator::CertificateStore&, std::size_t bytes)> summary;
};
void add_store_export_command(CLI::App* parent, StoreExport what, int& exit_code);

// --as: who runs certutil (the emulated caller); `effect` says what the identity changes.
void add_caller_option(CLI::App* cmd, std::string& caller, const std::string& effect);
repair::Result<emulator::Caller> parse_caller_option(const std::string& caller);

// What --store and --location say about a dump's store; a location certbed does not know is an
// input error.
repair::Result<repair::StoreHint> store_hint(const StoreSelection& selection);

// A snapshot opened on one of its stores. The machine lives on the heap, so the store view
// stays valid when this moves.
struct OpenSnapshot {
  std::unique_ptr<emulator::Machine> machine;
  std::unique_ptr<emulator::EmulatedStore> store;
};

// The store `selection` names in `machine` (loaded from `file`); kNotFound when it has none.
repair::Result<std::unique_ptr<emulator::EmulatedStore>> select_store(
    emulator::Machine& machine, const std::string& file, const StoreSelection& selection);

// Loads `file` and selects the store; a store the snapshot does not have is a kNotFound error.
repair::Result<OpenSnapshot> open_snapshot(const std::string& file,
                                           const StoreSelection& selection);

// The caps of every input kind (the snapshot's is emulator::kSnapshotLimits). A dump streams, so
// its cap bounds time, not memory: 16 GiB is three times a verbose dump of a million
// certificates.
inline const platform::InputLimits kInfLimits{"property INF", repair::kMaxInfFileBytes};
inline const platform::InputLimits kPlanLimits{"plan file", repair::kMaxPlanFileBytes};
inline const platform::InputLimits kDumpLimits{"dump", std::uint64_t{16} << 30};

// What messages call an input: "standard input" for "-", else the path.
std::string input_name(const std::string& path);

// How long a writer waits for another writer of the same snapshot to finish.
inline constexpr std::chrono::milliseconds kLockWait{60'000};

// Reads and parses a property INF for any command. Its warnings go to stderr as
// "file:line: warning: ..." unless `print_warnings` is false (a caller that prints them itself).
repair::Result<repair::PropertyInf> read_property_inf(const std::string& path,
                                                      bool print_warnings = true);

// A snapshot read to be changed and written back. Opening it locks the file it will replace
// (`target`: the snapshot itself, or the -o file), so certbed writers of one snapshot take turns
// and none loses another's change. publish() refuses to replace a file that another program
// changed meanwhile, backs the target up, then replaces it; the exit status and the message then
// match what is on disk.
class SnapshotUpdate {
 public:
  static repair::Result<SnapshotUpdate> open(const std::string& source, const std::string& target);

  emulator::Machine& machine() { return *machine_; }
  const std::string& target() const { return target_; }

  // The backup's name, or nullopt when there was no target to back up.
  repair::Result<std::optional<std::string>> publish();

 private:
  explicit SnapshotUpdate(platform::FileLock lock) : lock_(std::move(lock)) {}
  platform::FileLock lock_;
  std::string target_;
  platform::PathState baseline_;
  std::unique_ptr<emulator::Machine> machine_;
};

// Writes `output` with what `change` adds: into the snapshot already there (a SnapshotUpdate:
// locked, backed up, replaced whole) or into a new machine when there is none, so an import never
// loses a snapshot it is pointed at. A failed change writes nothing. Returns the backup's name.
repair::Result<std::optional<std::string>> add_to_snapshot(
    const std::string& output, const std::function<repair::Status(emulator::Machine&)>& change);

}  // namespace certbed::cli
