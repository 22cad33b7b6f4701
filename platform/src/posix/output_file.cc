// Replacing a file on POSIX: O_EXCL|O_NOFOLLOW temporary beside the target, fsync, the
// target's mode and owner, rename, folder fsync; backups by hard link or exclusive copy.
#include "certbed/platform/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "certbed/platform/file_identity.h"
#include "certbed/repair/model/printable.h"
#include "posix_support.h"

namespace certbed::platform {

namespace {

using repair::ErrorCode;
using repair::make_error;

constexpr int kMaxBackups = 10'000;

repair::Error unchanged(const std::string& target, std::string_view what, int err) {
  auto e = posix::os_error(target, what, err);
  e.message += "; " + repair::printable(target) + " is unchanged";
  return e;
}

}  // namespace

repair::Status check_file_target(const std::string& target) {
  auto state = path_state(target);
  if (!state) return state.error();
  const std::string name = repair::printable(target);
  switch (state->kind) {
    case PathKind::kAbsent:
    case PathKind::kRegular:
      return {};
    case PathKind::kDirectory:
      return make_error(ErrorCode::kIo, name + ": Is a directory; give a file name");
    case PathKind::kSymlink:
      return make_error(ErrorCode::kIo, name +
                                            ": is a symbolic link; certbed replaces files, not "
                                            "links: give the path of the file it points to");
    case PathKind::kOther:
      return make_error(ErrorCode::kIo,
                        name + ": " + describe_kind(target) +
                            ", not a regular file; certbed writes only regular files");
  }
  return {};
}

repair::Result<StagedFile> StagedFile::create(const std::string& target, NewFileMode mode) {
  posix::remove_stale_temps(target);
  StagedFile staged;
  staged.target_ = target;
  staged.mode_ = mode;
  const std::string folder = posix::parent_of(target);
  const std::string prefix =
      folder + "/" + posix::temp_prefix(posix::name_of(target)) + std::to_string(::getpid()) + "-";
  // Public files are created 0666 less the umask; anything else 0600 until commit() sets the
  // final mode, so private bytes are never readable by others on the way.
  const mode_t create_mode = mode == NewFileMode::kPublic ? 0666 : 0600;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = prefix + posix::random_suffix() + ".tmp";
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, create_mode);
    if (fd >= 0) {
      staged.fd_ = fd;
      staged.temp_ = std::move(temp);
      return staged;
    }
    if (errno != EEXIST)
      return unchanged(target, "cannot create a temporary file beside it", errno);
  }
  return make_error(ErrorCode::kIo, repair::printable(target) +
                                        ": no free temporary name beside it after 100 tries");
}

StagedFile::~StagedFile() { discard(); }

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, std::string())),
      mode_(other.mode_),
      fd_(std::exchange(other.fd_, -1)) {}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, std::string());
    mode_ = other.mode_;
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void StagedFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

repair::Status StagedFile::write(std::string_view data) {
  if (fd_ < 0) repair::precondition_failed("StagedFile::write after commit");
  int err = 0;
  if (!posix::write_all(fd_, data, err)) {
    discard();
    return unchanged(target_, "cannot write", err);
  }
  return {};
}

repair::Status StagedFile::flush() {
  if (temp_.empty()) repair::precondition_failed("StagedFile::flush after commit");
  if (fd_ < 0) return {};  // flushed already
  auto state = path_state(target_);
  if (!state) {
    discard();
    return state.error();
  }
  if (state->kind == PathKind::kRegular) {
    // The replaced file's permissions and owner stay: a 0600 snapshot never becomes 0644. The
    // owner can only be kept by a privileged writer; otherwise the file is the writer's, as with
    // any editor.
    if (::fchmod(fd_, state->mode) != 0) {
      const int err = errno;
      discard();
      return unchanged(target_, "cannot set the mode of the new file", err);
    }
    if (::geteuid() == 0) (void)::fchown(fd_, state->uid, state->gid);
  }
  if (::fsync(fd_) != 0) {
    const int err = errno;
    discard();
    return unchanged(target_, "cannot write", err);
  }
  if (::close(std::exchange(fd_, -1)) != 0) {
    const int err = errno;
    discard();
    return unchanged(target_, "cannot write", err);
  }
  return {};
}

repair::Status StagedFile::commit() {
  if (temp_.empty()) repair::precondition_failed("StagedFile::commit twice");
  if (auto ok = flush(); !ok) return ok;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    discard();
    return unchanged(target_, "cannot replace", err);
  }
  temp_.clear();
  posix::sync_folder(posix::parent_of(target_));
  return {};
}

repair::Status replace_file(const std::string& target, std::string_view data, NewFileMode mode) {
  if (auto ok = check_file_target(target); !ok) return ok;
  auto staged = StagedFile::create(target, mode);
  if (!staged) return staged.error();
  if (auto ok = staged->write(data); !ok) return ok;
  return staged->commit();
}

namespace {

// An exclusive copy where hard links are not supported. The copy gets the original's mode.
bool copy_exclusively(const std::string& from, const std::string& to, int& err) {
  posix::UniqueFd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) {
    err = errno;
    return false;
  }
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) {
    err = errno;
    return false;
  }
  posix::UniqueFd out(
      ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) {
    err = errno;
    return false;
  }
  std::string chunk(std::size_t{64} << 10, '\0');
  for (;;) {
    const ssize_t n = ::read(in.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (n > 0 && !posix::write_all(
                               out.get(),
                               std::string_view(chunk.data(), static_cast<std::size_t>(n)), err))) {
      if (n < 0) err = errno;
      ::unlink(to.c_str());
      return false;
    }
    if (n == 0) break;
  }
  if (::fchmod(out.get(), st.st_mode & 07777) != 0 || ::fsync(out.get()) != 0) {
    err = errno;
    ::unlink(to.c_str());
    return false;
  }
  return true;
}

}  // namespace

repair::Result<std::string> back_up_file(const std::string& path) {
  for (int n = 0; n < kMaxBackups; ++n) {
    const std::string backup = path + (n == 0 ? ".bak" : ".bak." + std::to_string(n));
    // link() and O_EXCL fail with EEXIST on anything at that name, a dangling link included:
    // a backup never replaces a file.
    if (::link(path.c_str(), backup.c_str()) == 0) {
      posix::sync_folder(posix::parent_of(path));
      return backup;
    }
    int err = errno;
    if (err == EEXIST) continue;
    if (err == EPERM || err == EXDEV || err == EOPNOTSUPP || err == EMLINK || err == ENOSYS) {
      if (copy_exclusively(path, backup, err)) {
        posix::sync_folder(posix::parent_of(path));
        return backup;
      }
      if (err == EEXIST) continue;
    }
    return unchanged(path, "cannot back up to " + repair::printable(backup), err);
  }
  return make_error(ErrorCode::kIo, repair::printable(path) + ": " + std::to_string(kMaxBackups) +
                                        " backups exist already; remove old ones");
}

void remove_backup(const std::string& backup) {
  ::unlink(backup.c_str());
  posix::sync_folder(posix::parent_of(backup));
}

}  // namespace certbed::platform
