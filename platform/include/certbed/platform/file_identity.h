// Which file a path names, and whether it is still the same file with the same contents: a
// writer compares the identity it read with the identity it is about to replace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "certbed/repair/model/result.h"

namespace certbed::platform {

struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;  // the change time is left out: a backup link changes it

  bool operator==(const FileIdentity&) const = default;
};

enum class PathKind { kAbsent, kRegular, kDirectory, kSymlink, kOther };

struct PathState {
  PathKind kind = PathKind::kAbsent;
  FileIdentity identity;  // meaningful for kRegular
  unsigned mode = 0;      // permission bits (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

// lstat: a symbolic link is reported as one, not followed. An error other than "does not
// exist" (a component that is not a folder, no permission) is an error with the OS reason.
repair::Result<PathState> path_state(const std::string& path);

// "a FIFO", "a character device", ... for messages.
std::string describe_kind(const std::string& path);

}  // namespace certbed::platform
