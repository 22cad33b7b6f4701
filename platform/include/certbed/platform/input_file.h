// Bounded reading of any input certbed takes: a size cap checked before reading, chunks, no wait
// on a FIFO or device, "-" for standard input, and errors that give the OS reason.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "certbed/platform/file_identity.h"
#include "certbed/repair/model/result.h"

namespace certbed::platform {

// The name that means standard input.
inline constexpr std::string_view kStandardInput = "-";

struct InputLimits {
  std::string kind;         // what the file should be, for messages: "property INF", "dump"
  std::uint64_t max_bytes;  // larger input is refused: before reading when the size is known
  // Snapshots are replaced in place and read whole, so they must be regular files.
  bool regular_file_only = false;
  // A FIFO or device that stays silent this long is an error rather than a hang.
  std::chrono::milliseconds idle_timeout{30'000};
};

// An input open for reading in chunks. Regular files are checked against the cap from their size
// before the first byte is read; streams (FIFO, device, socket, standard input) are counted as
// they are read. A directory is refused at open.
class InputFile {
 public:
  static repair::Result<InputFile> open(const std::string& path, const InputLimits& limits);
  ~InputFile();
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Up to `size` bytes into `buffer`; 0 at the end. Passing the cap is an error.
  repair::Result<std::size_t> read(char* buffer, std::size_t size);

  bool is_regular() const { return regular_; }
  // What the file was when opened (regular files; a stream's identity is empty).
  const FileIdentity& identity() const { return identity_; }
  // The path, or "standard input".
  const std::string& name() const { return name_; }

 private:
  InputFile() = default;
  int fd_ = -1;
  bool owned_ = false;
  bool regular_ = false;
  std::uint64_t read_so_far_ = 0;
  InputLimits limits_;
  FileIdentity identity_;
  std::string name_;
};

// The whole input, under the cap.
repair::Result<std::string> read_input(const std::string& path, const InputLimits& limits);

// Hands the input to `sink` in chunks of at most 64 KiB; reading stops early when the sink
// returns false.
using ChunkSink = std::function<bool(std::string_view chunk)>;
repair::Status stream_input(const std::string& path, const InputLimits& limits,
                            const ChunkSink& sink);

// An input that can be read from the start more than once (a two-pass reader): a regular file is
// opened again for each pass; a stream is read by the first pass, which keeps a copy in an
// unlinked temporary file for the later ones. A regular file that changes between passes is an
// error, and so is a later pass after a first one that stopped early.
class ReplayableInput {
 public:
  static repair::Result<ReplayableInput> open(const std::string& path, const InputLimits& limits);
  ~ReplayableInput();
  ReplayableInput(ReplayableInput&& other) noexcept;
  ReplayableInput& operator=(ReplayableInput&& other) noexcept;
  ReplayableInput(const ReplayableInput&) = delete;
  ReplayableInput& operator=(const ReplayableInput&) = delete;

  repair::Status replay(const ChunkSink& sink);

 private:
  ReplayableInput() = default;
  std::string path_;
  InputLimits limits_;
  FileIdentity identity_;
  int spool_fd_ = -1;                  // the copy of a stream, or -1 for a regular file
  std::unique_ptr<InputFile> stream_;  // a stream not yet read by a first pass
  bool spooled_whole_ = false;         // the first pass read the stream to its end
};

}  // namespace certbed::platform
