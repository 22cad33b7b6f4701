// What the POSIX file code shares: file descriptors as RAII, errors with the OS reason,
// temporary names and the removal of those a killed run left behind.
#pragma once

#include <string>
#include <string_view>

#include "certbed/repair/model/result.h"

namespace certbed::platform::posix {

// Closes on destruction; -1 is empty.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// "<path>: <what>: <strerror(err)>", as a kIo error. `err` is taken by value so that a later
// call cannot overwrite it.
repair::Error os_error(const std::string& path, std::string_view what, int err);

// The folder holding `path` ("." for a bare name) and the last component.
std::string parent_of(const std::string& path);
std::string name_of(const std::string& path);

// ".<name>.certbed-<pid>-" : every temporary file or folder for `name` starts so.
std::string temp_prefix(const std::string& name);
// A random suffix of six letters and digits.
std::string random_suffix();

// Removes the temporary files and folders of `target` whose process is no longer running.
void remove_stale_temps(const std::string& target);

// Makes the folder's entries (a rename, a new file) durable. Errors are not reported: the data
// itself is already flushed and in place, and a caller cannot undo a rename.
void sync_folder(const std::string& folder);

// Writes all of `data` to `fd`, retrying short writes and EINTR; errno on failure.
bool write_all(int fd, std::string_view data, int& err);

}  // namespace certbed::platform::posix
