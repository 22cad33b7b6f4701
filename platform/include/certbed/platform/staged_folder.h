// A folder of files published whole: written into a temporary folder beside the target, then
// renamed into place, so a reader never sees one run's files beside another's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "certbed/repair/model/result.h"

namespace certbed::platform {

enum class FolderState { kAbsent, kEmpty, kNotEmpty };

// kNotEmpty, kEmpty or kAbsent; a path that is not a folder is an error with the reason.
repair::Result<FolderState> folder_state(const std::string& path);

class StagedFolder {
 public:
  // `.<name>.certbed-<pid>-<random>.tmp` beside `folder`, the target; stale ones of killed runs
  // are removed.
  static repair::Result<StagedFolder> create(const std::string& folder);
  ~StagedFolder();
  StagedFolder(StagedFolder&& other) noexcept;
  StagedFolder& operator=(StagedFolder&& other) noexcept;
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  // A new file in the folder (a plain name, created exclusively, flushed).
  repair::Status add_file(const std::string& name, std::string_view data);

  // Puts the folder in place of `target`. An absent or empty target is replaced; a non-empty one
  // only when `replaceable` says so, after it was renamed to the first free "<target>.bak",
  // "<target>.bak.1", ...; that name is returned. Otherwise it is an error and nothing moves.
  using Replaceable = std::function<bool(const std::string& folder)>;
  repair::Result<std::optional<std::string>> commit(const Replaceable& replaceable);

 private:
  StagedFolder() = default;
  void discard();
  std::string target_;
  std::string temp_;
};

}  // namespace certbed::platform
