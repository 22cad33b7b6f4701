// Writers of one file exclude each other: an advisory lock on "<file>.lock" beside it, held from
// before the file is read until its replacement is published.
#pragma once

#include <chrono>
#include <string>

#include "certbed/repair/model/result.h"

namespace certbed::platform {

class FileLock {
 public:
  // Waits up to `wait` for the lock. The lock file is created 0600 and left in place: removing
  // it would let a waiting writer lock a file that no longer has that name.
  static repair::Result<FileLock> acquire(const std::string& file, std::chrono::milliseconds wait);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  FileLock() = default;
  int fd_ = -1;
};

}  // namespace certbed::platform
