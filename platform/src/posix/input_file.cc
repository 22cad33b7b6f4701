// Bounded input on POSIX: open without blocking, refuse folders, check the cap from the size,
// read streams with poll() so a silent FIFO ends in an error instead of a hang.
#include "certbed/platform/input_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "certbed/repair/model/printable.h"
#include "posix_support.h"

namespace certbed::platform {

namespace {

using repair::ErrorCode;
using repair::make_error;

constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30) && bytes % (std::uint64_t{1} << 30) == 0) {
    return std::to_string(bytes >> 30) + " GiB";
  }
  if (bytes >= (std::uint64_t{1} << 20) && bytes % (std::uint64_t{1} << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  return std::to_string(bytes) + " bytes";
}

repair::Error too_large(const std::string& name, const InputLimits& limits, std::string_view how) {
  return make_error(ErrorCode::kParse, name + ": " + std::string(how) + " larger than a " +
                                           limits.kind + " can be (" + size_text(limits.max_bytes) +
                                           "); nothing read");
}

FileIdentity identity_of(const struct stat& st) {
  return FileIdentity{
      static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
      static_cast<std::uint64_t>(st.st_size),
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::string kind_of(const struct stat& st) {
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

repair::Result<InputFile> InputFile::open(const std::string& path, const InputLimits& limits) {
  InputFile in;
  in.limits_ = limits;
  if (path == kStandardInput) {
    in.fd_ = STDIN_FILENO;
    in.name_ = "standard input";
  } else {
    in.name_ = repair::printable(path);
    // O_NONBLOCK: opening a FIFO that has no writer must not wait for one.
    in.fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (in.fd_ < 0) return posix::os_error(path, "cannot open", errno);
    in.owned_ = true;
  }
  struct stat st {};
  if (::fstat(in.fd_, &st) != 0) return posix::os_error(path, "cannot inspect", errno);
  if (S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kIo,
                      in.name_ + ": Is a directory; give a " + limits.kind + " file");
  }
  in.regular_ = S_ISREG(st.st_mode);
  if (!in.regular_ && limits.regular_file_only) {
    return make_error(ErrorCode::kIo, in.name_ + ": " + kind_of(st) + ", not a regular file; a " +
                                          limits.kind + " must be a file");
  }
  if (in.regular_) {
    in.identity_ = identity_of(st);
    const off_t at = path == kStandardInput ? ::lseek(in.fd_, 0, SEEK_CUR) : 0;
    const auto remaining = static_cast<std::uint64_t>(st.st_size - (at > 0 ? at : 0));
    if (remaining > limits.max_bytes) {
      return too_large(in.name_, limits, std::to_string(remaining) + " bytes is");
    }
  }
  return in;
}

InputFile::~InputFile() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owned_(std::exchange(other.owned_, false)),
      regular_(other.regular_),
      read_so_far_(other.read_so_far_),
      limits_(std::move(other.limits_)),
      identity_(other.identity_),
      name_(std::move(other.name_)) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (owned_ && fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = std::exchange(other.owned_, false);
    regular_ = other.regular_;
    read_so_far_ = other.read_so_far_;
    limits_ = std::move(other.limits_);
    identity_ = other.identity_;
    name_ = std::move(other.name_);
  }
  return *this;
}

repair::Result<std::size_t> InputFile::read(char* buffer, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) {
      read_so_far_ += static_cast<std::uint64_t>(n);
      if (read_so_far_ > limits_.max_bytes) {
        return make_error(ErrorCode::kParse, name_ + ": more than " + size_text(limits_.max_bytes) +
                                                 ", larger than a " + limits_.kind +
                                                 " can be; stopped reading there");
      }
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return make_error(ErrorCode::kIo, name_ + ": read error: " + std::strerror(errno));
    }
    // A stream with a writer that has not written yet: wait, but not for ever.
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(limits_.idle_timeout.count()));
    if (ready == 0) {
      return make_error(ErrorCode::kIo, name_ + ": no data for " +
                                            std::to_string(limits_.idle_timeout.count() / 1000) +
                                            " s; a FIFO or device needs a writer that writes");
    }
    if (ready < 0 && errno != EINTR) {
      return make_error(ErrorCode::kIo, name_ + ": read error: " + std::strerror(errno));
    }
  }
}

repair::Result<std::string> read_input(const std::string& path, const InputLimits& limits) {
  auto in = InputFile::open(path, limits);
  if (!in) return in.error();
  std::string data;
  // A regular file's size is known and under the cap: one allocation. A stream grows by chunks
  // and is stopped at the cap.
  if (in->is_regular()) data.reserve(static_cast<std::size_t>(in->identity().size));
  std::string chunk(kChunkBytes, '\0');
  for (;;) {
    auto n = in->read(chunk.data(), chunk.size());
    if (!n) return n.error();
    if (*n == 0) break;
    data.append(chunk.data(), *n);
  }
  return data;
}

repair::Status stream_input(const std::string& path, const InputLimits& limits,
                            const ChunkSink& sink) {
  auto in = InputFile::open(path, limits);
  if (!in) return in.error();
  std::string chunk(kChunkBytes, '\0');
  for (;;) {
    auto n = in->read(chunk.data(), chunk.size());
    if (!n) return n.error();
    if (*n == 0 || !sink(std::string_view(chunk.data(), *n))) return {};
  }
}

repair::Result<ReplayableInput> ReplayableInput::open(const std::string& path,
                                                      const InputLimits& limits) {
  auto in = InputFile::open(path, limits);
  if (!in) return in.error();
  ReplayableInput out;
  out.path_ = path;
  out.limits_ = limits;
  if (in->is_regular() && path != kStandardInput) {
    out.identity_ = in->identity();
    return out;
  }
  // A stream can be read once: the first pass keeps what it reads in a temporary file that no
  // other process can open (it has no name), and later passes read that.
  const char* tmp = std::getenv("TMPDIR");
  const std::string folder = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const int spool = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (spool < 0) return posix::os_error(folder, "cannot create a temporary file", errno);
  out.spool_fd_ = spool;
  out.stream_ = std::make_unique<InputFile>(std::move(*in));
  return out;
}

ReplayableInput::~ReplayableInput() {
  if (spool_fd_ >= 0) ::close(spool_fd_);
}

ReplayableInput::ReplayableInput(ReplayableInput&& other) noexcept
    : path_(std::move(other.path_)),
      limits_(std::move(other.limits_)),
      identity_(other.identity_),
      spool_fd_(std::exchange(other.spool_fd_, -1)),
      stream_(std::move(other.stream_)),
      spooled_whole_(other.spooled_whole_) {}

ReplayableInput& ReplayableInput::operator=(ReplayableInput&& other) noexcept {
  if (this != &other) {
    if (spool_fd_ >= 0) ::close(spool_fd_);
    path_ = std::move(other.path_);
    limits_ = std::move(other.limits_);
    identity_ = other.identity_;
    spool_fd_ = std::exchange(other.spool_fd_, -1);
    stream_ = std::move(other.stream_);
    spooled_whole_ = other.spooled_whole_;
  }
  return *this;
}

repair::Status ReplayableInput::replay(const ChunkSink& sink) {
  std::string chunk(kChunkBytes, '\0');
  if (spool_fd_ < 0) {
    auto in = InputFile::open(path_, limits_);
    if (!in) return in.error();
    if (!(in->identity() == identity_)) {
      return make_error(ErrorCode::kIo,
                        in->name() +
                            ": changed between the two passes of the reading; read it "
                            "again when nothing writes to it");
    }
    for (;;) {
      auto n = in->read(chunk.data(), chunk.size());
      if (!n) return n.error();
      if (*n == 0 || !sink(std::string_view(chunk.data(), *n))) return {};
    }
  }
  if (stream_) {
    // The first pass: read the stream, keep each chunk, hand it on.
    auto stream = std::move(stream_);
    for (;;) {
      auto n = stream->read(chunk.data(), chunk.size());
      if (!n) return n.error();
      if (*n == 0) {
        spooled_whole_ = true;
        return {};
      }
      int err = 0;
      if (!posix::write_all(spool_fd_, std::string_view(chunk.data(), *n), err)) {
        return posix::os_error(stream->name(), "cannot keep a copy for a second pass", err);
      }
      if (!sink(std::string_view(chunk.data(), *n))) return {};
    }
  }
  const std::string name = path_ == kStandardInput ? "standard input" : path_;
  if (!spooled_whole_) {
    return make_error(ErrorCode::kIo, name +
                                          ": the first pass stopped before the end, so a "
                                          "second pass has nothing to read");
  }
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(spool_fd_, chunk.data(), chunk.size(), at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return posix::os_error(name, "cannot read the copy kept for a second pass", errno);
    }
    if (n == 0 || !sink(std::string_view(chunk.data(), static_cast<std::size_t>(n)))) return {};
    at += n;
  }
}

}  // namespace certbed::platform
