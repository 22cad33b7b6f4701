// Replacing files so that nothing is lost or leaked: a unique temporary file beside the target
// (never following a link), flushed, renamed over the target, the folder flushed; the replaced
// file's mode and owner kept; backups that never overwrite anything.
#pragma once

#include <string>
#include <string_view>

#include "certbed/repair/model/result.h"

namespace certbed::platform {

// The mode of a file that does not exist yet. A replaced file keeps its own.
enum class NewFileMode {
  kPrivate,  // 0600: snapshots hold private keys
  kPublic,   // 0666 less the umask: certificates, requests, plans
};

// A target may be written when it is absent or a regular file. A directory, a symbolic link or
// a device is refused with the reason, before anything is written.
repair::Status check_file_target(const std::string& target);

// The new contents of `target`, written into `.<name>.certbed-<pid>-<random>.tmp` beside it.
// Creating one removes the temporary files of `target` left by runs that were killed. Destroying
// a StagedFile that was not committed removes its temporary file.
class StagedFile {
 public:
  static repair::Result<StagedFile> create(const std::string& target, NewFileMode mode);
  ~StagedFile();
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  repair::Status write(std::string_view data);
  // Makes the bytes durable and gives the file the target's mode and owner (or the new-file
  // mode), without touching the target. A caller that checks the target just before commit()
  // calls it first, so the slow part (the flush to disk) is not between its check and the
  // rename. No write() after it.
  repair::Status flush();
  // flush() when not done yet, then renames the file over the target and flushes the folder. On
  // error the target is as it was.
  repair::Status commit();

  const std::string& target() const { return target_; }

 private:
  StagedFile() = default;
  void discard();
  std::string target_;
  std::string temp_;
  NewFileMode mode_ = NewFileMode::kPrivate;
  int fd_ = -1;
};

// check_file_target, StagedFile::create, write and commit in one call.
repair::Status replace_file(const std::string& target, std::string_view data, NewFileMode mode);

// A backup of `path` at the first of "<path>.bak", "<path>.bak.1", ... that does not exist (a
// dangling link, an unreadable file or a folder all exist), made by a hard link or, where the
// file system has none, an exclusive copy: the same bytes and mode. Returns its name.
repair::Result<std::string> back_up_file(const std::string& path);

// Removes a backup made by back_up_file when what it backed up was not replaced after all.
void remove_backup(const std::string& backup);

}  // namespace certbed::platform
