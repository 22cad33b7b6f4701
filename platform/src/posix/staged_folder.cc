// Whole-folder publication on POSIX: a temporary folder beside the target, renamed into place
// with renameat2(RENAME_NOREPLACE) so that no rename ever replaces a folder it did not check.
#include "certbed/platform/staged_folder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "certbed/platform/file_identity.h"
#include "certbed/repair/model/printable.h"
#include "posix_support.h"

namespace certbed::platform {

namespace {

using repair::ErrorCode;
using repair::make_error;

constexpr int kMaxBackups = 10'000;

bool rename_no_replace(const std::string& from, const std::string& to) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0;
}

bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string::npos;
}

}  // namespace

repair::Result<FolderState> folder_state(const std::string& path) {
  auto state = path_state(path);
  if (!state) return state.error();
  const std::string name = repair::printable(path);
  switch (state->kind) {
    case PathKind::kAbsent:
      return FolderState::kAbsent;
    case PathKind::kDirectory:
      break;
    case PathKind::kSymlink:
      return make_error(ErrorCode::kIo,
                        name + ": is a symbolic link; give the folder it points to");
    case PathKind::kRegular:
    case PathKind::kOther:
      return make_error(ErrorCode::kIo, name + ": not a folder (" + describe_kind(path) + ")");
  }
  std::error_code ec;
  std::filesystem::directory_iterator it(path, ec);
  if (ec) return posix::os_error(path, "cannot list", ec.value());
  return it == std::filesystem::directory_iterator() ? FolderState::kEmpty : FolderState::kNotEmpty;
}

repair::Result<StagedFolder> StagedFolder::create(const std::string& folder) {
  // "plan/" names the folder "plan": its temporary sibling must not be made inside it.
  std::string target = folder;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  posix::remove_stale_temps(target);
  const std::string prefix = posix::parent_of(target) + "/" +
                             posix::temp_prefix(posix::name_of(target)) +
                             std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = prefix + posix::random_suffix() + ".tmp";
    if (::mkdir(temp.c_str(), 0777) == 0) {
      StagedFolder staged;
      staged.target_ = target;
      staged.temp_ = std::move(temp);
      return staged;
    }
    if (errno != EEXIST) {
      return posix::os_error(target, "cannot create a temporary folder beside it", errno);
    }
  }
  return make_error(ErrorCode::kIo, repair::printable(target) +
                                        ": no free temporary name beside it after 100 tries");
}

StagedFolder::~StagedFolder() { discard(); }

StagedFolder::StagedFolder(StagedFolder&& other) noexcept
    : target_(std::move(other.target_)), temp_(std::exchange(other.temp_, std::string())) {}

StagedFolder& StagedFolder::operator=(StagedFolder&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, std::string());
  }
  return *this;
}

void StagedFolder::discard() {
  if (temp_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(temp_, ignored);
  temp_.clear();
}

repair::Status StagedFolder::add_file(const std::string& name, std::string_view data) {
  if (temp_.empty()) repair::precondition_failed("StagedFolder::add_file after commit");
  if (!plain_name(name)) {
    return make_error(ErrorCode::kUnsafe, "\"" + repair::printable(name) +
                                              "\" is not a plain file name; nothing written");
  }
  const std::string path = temp_ + "/" + name;
  posix::UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  int err = errno;
  if (fd && posix::write_all(fd.get(), data, err) && ::fsync(fd.get()) == 0) return {};
  if (fd && err == 0) err = errno;
  auto e = posix::os_error(target_ + "/" + name, "cannot write", err);
  e.message += "; " + repair::printable(target_) + " is unchanged";
  return e;
}

repair::Result<std::optional<std::string>> StagedFolder::commit(const Replaceable& replaceable) {
  if (temp_.empty()) repair::precondition_failed("StagedFolder::commit twice");
  posix::sync_folder(temp_);
  const std::string name = repair::printable(target_);
  auto state = folder_state(target_);
  if (!state) return state.error();
  std::optional<std::string> backup;
  if (*state == FolderState::kNotEmpty) {
    if (!replaceable(target_)) {
      return make_error(ErrorCode::kConflict,
                        name +
                            ": not empty and holds nothing certbed wrote; give an empty or "
                            "new folder (nothing written)");
    }
    for (int n = 0; n < kMaxBackups && !backup; ++n) {
      std::string candidate = target_ + (n == 0 ? ".bak" : ".bak." + std::to_string(n));
      if (rename_no_replace(target_, candidate)) {
        backup = std::move(candidate);
      } else if (errno != EEXIST) {
        return posix::os_error(target_, "cannot move aside to " + repair::printable(candidate),
                               errno);
      }
    }
    if (!backup) {
      return make_error(ErrorCode::kIo, name + ": " + std::to_string(kMaxBackups) +
                                            " backups exist already; remove old ones");
    }
  }
  // An empty target is replaced by rename() itself; an absent one must stay absent until now.
  const bool placed = *state == FolderState::kEmpty ? ::rename(temp_.c_str(), target_.c_str()) == 0
                                                    : rename_no_replace(temp_, target_);
  if (!placed) {
    const int err = errno;
    if (backup) rename_no_replace(*backup, target_);  // put the previous folder back
    return posix::os_error(target_, "cannot put the new folder in place", err);
  }
  temp_.clear();
  posix::sync_folder(posix::parent_of(target_));
  return backup;
}

}  // namespace certbed::platform
