// Saving and loading a whole emulated Machine (protobuf, text or binary).
#pragma once

#include <string>

#include "certbed/emulator/machine/machine.h"

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

// Atomic: writes a temporary file beside `path`, flushes it, then renames it over `path`.
repair::Status save_snapshot(const Machine& machine, const std::string& path,
                             const std::string& scenario = "");
repair::Result<Machine> load_snapshot(const std::string& path);

// Reads a whole file (errors name the file); shared by the CLI for other inputs.
repair::Result<std::string> read_file(const std::string& path);
repair::Status write_file_atomically(const std::string& path, std::string_view data);

}  // namespace certbed::emulator
