// POSIX helpers: descriptors, OS errors, temporary names, stale temporaries, folder sync.
#include "posix_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <random>

#include "certbed/platform/file_identity.h"
#include "certbed/repair/model/printable.h"

namespace certbed::platform::posix {

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

repair::Error os_error(const std::string& path, std::string_view what, int err) {
  return repair::make_error(
      repair::ErrorCode::kIo,
      repair::printable(path) + ": " + std::string(what) + ": " + std::strerror(err));
}

std::string parent_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string name_of(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string temp_prefix(const std::string& name) { return "." + name + ".certbed-"; }

std::string random_suffix() {
  static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, kChars.size() - 1);
  std::string out;
  for (int i = 0; i < 6; ++i) out += kChars[pick(device)];
  return out;
}

namespace {

// The pid in ".<name>.certbed-<pid>-<random>.tmp", or 0 when the entry is not one of ours.
pid_t temp_owner(std::string_view entry, std::string_view prefix) {
  if (entry.substr(0, prefix.size()) != prefix || entry.size() < prefix.size() + 4 ||
      entry.substr(entry.size() - 4) != ".tmp") {
    return 0;
  }
  const std::string_view rest = entry.substr(prefix.size(), entry.size() - prefix.size() - 4);
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
  if (ec != std::errc() || pid <= 0 || end == rest.data() + rest.size() || *end != '-') return 0;
  return pid;
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

void remove_stale_temps(const std::string& target) {
  const std::string folder = parent_of(target);
  const std::string prefix = temp_prefix(name_of(target));
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    const pid_t pid = temp_owner(entry->d_name, prefix);
    if (pid != 0 && pid != ::getpid() && process_gone(pid)) stale.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  for (const auto& name : stale) {
    // remove_all does not follow links: a link planted under such a name goes, its target stays.
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(folder) / name, ignored);
  }
}

void sync_folder(const std::string& folder) {
  UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
}

bool write_all(int fd, std::string_view data, int& err) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace certbed::platform::posix

namespace certbed::platform {

repair::Result<PathState> path_state(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return PathState{};
    return posix::os_error(path, "cannot inspect", errno);
  }
  PathState state;
  state.kind = S_ISREG(st.st_mode)   ? PathKind::kRegular
               : S_ISDIR(st.st_mode) ? PathKind::kDirectory
               : S_ISLNK(st.st_mode) ? PathKind::kSymlink
                                     : PathKind::kOther;
  state.identity = FileIdentity{
      static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
      static_cast<std::uint64_t>(st.st_size),
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  state.mode = st.st_mode & 07777;
  state.uid = st.st_uid;
  state.gid = st.st_gid;
  return state;
}

std::string describe_kind(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "a file that cannot be inspected";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISDIR(st.st_mode)) return "a folder";
  return "a regular file";
}

}  // namespace certbed::platform
