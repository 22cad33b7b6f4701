// Saving and loading a whole emulated Machine (protobuf, text or binary).
#pragma once

#include <string>

#include "certbed/emulator/machine/machine.h"
#include "certbed/platform/input_file.h"

namespace certbed::emulator {

enum class SnapshotFormat { kText, kBinary };

// ".textproto", ".txtpb" and ".pbtxt" mean text; everything else binary (".txt" is a dump).
SnapshotFormat snapshot_format_for(const std::string& path);

repair::Result<std::string> serialize_snapshot(const Machine& machine, SnapshotFormat format,
                                               const std::string& scenario = "");

// Parses and validates: every certificate decodes, property ids are settable and unique, derived
// hash properties match the DER, property 2 decodes, keys parse and fit their provider kind.
// Errors name `source` and, for text, the line and column.
repair::Result<Machine> parse_snapshot(std::string_view data, SnapshotFormat format,
                                       const std::string& source);

// What a snapshot file may be: a regular file of at most 2 GiB, protobuf's limit for one message.
inline const platform::InputLimits kSnapshotLimits{"snapshot", std::uint64_t{2} << 30, true};

// Replaces `path` whole (platform::replace_file): a new snapshot is created 0600, a replaced one
// keeps its mode. No lock and no backup: a read-modify-write takes those itself.
repair::Status save_snapshot(const Machine& machine, const std::string& path,
                             const std::string& scenario = "");
repair::Result<Machine> load_snapshot(const std::string& path);

}  // namespace certbed::emulator
