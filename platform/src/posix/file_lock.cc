// The writers' lock on POSIX: flock(LOCK_EX) on "<file>.lock", polled until the wait is over.
#include "certbed/platform/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <utility>

#include "certbed/repair/model/printable.h"
#include "posix_support.h"

namespace certbed::platform {

repair::Result<FileLock> FileLock::acquire(const std::string& file,
                                           std::chrono::milliseconds wait) {
  const std::string lock_path = file + ".lock";
  // O_NOFOLLOW: a link planted at the lock's name is not followed to create or truncate a file.
  posix::UniqueFd fd(
      ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600));
  if (!fd) return posix::os_error(lock_path, "cannot open the lock file", errno);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) break;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return posix::os_error(lock_path, "cannot lock", errno);
    if (std::chrono::steady_clock::now() >= deadline) {
      return repair::make_error(
          repair::ErrorCode::kConflict,
          repair::printable(file) + ": locked by another certbed process for " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) +
              " s; nothing written");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FileLock lock;
  lock.fd_ = fd.release();
  return lock;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

}  // namespace certbed::platform
