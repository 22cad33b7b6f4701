// Bounded input: caps checked before reading, folders and FIFOs never waited on, streams cut at
// the cap, two-pass reading of streams.
#include "certbed/platform/input_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "support/process.h"

namespace certbed::platform {
namespace {

using testing::TempDir;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

InputLimits limits(std::uint64_t max_bytes) { return InputLimits{"test input", max_bytes}; }

TEST(ReadInput, ReadsARegularFileUnderItsCap) {
  TempDir dir;
  write_text(dir.file("a.txt"), "hello");
  auto data = read_input(dir.file("a.txt"), limits(5));
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(*data, "hello");
}

TEST(ReadInput, RefusesARegularFileOverItsCapBeforeReadingIt) {
  TempDir dir;
  write_text(dir.file("a.txt"), "hello!");
  // Unreadable contents prove nothing was read: the size alone decides.
  ASSERT_EQ(::chmod(dir.file("a.txt").c_str(), 0), 0);
  auto data = read_input(dir.file("a.txt"), InputLimits{"property INF", 5});
  ASSERT_FALSE(data.ok());
  // Root opens a 0000 file; everyone else fails to open it. Both must not read it.
  if (::geteuid() == 0) {
    EXPECT_NE(data.error().message.find("6 bytes is larger than a property INF can be (5 bytes)"),
              std::string::npos)
        << data.error().message;
    EXPECT_NE(data.error().message.find("nothing read"), std::string::npos);
  }
}

TEST(ReadInput, ASparseGigabyteFileIsRefusedAtOnce) {
  TempDir dir;
  const std::string path = dir.file("big");
  {
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{1} << 30), 0);
    ::close(fd);
  }
  auto data = read_input(path, InputLimits{"plan file", std::uint64_t{16} << 20});
  ASSERT_FALSE(data.ok());
  EXPECT_NE(
      data.error().message.find("1073741824 bytes is larger than a plan file can be (16 MiB)"),
      std::string::npos)
      << data.error().message;
}

TEST(ReadInput, AFolderIsRefusedWithTheReason) {
  TempDir dir;
  auto data = read_input(dir.path().string(), limits(100));
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("Is a directory"), std::string::npos) << data.error().message;
}

TEST(ReadInput, AMissingFileGivesTheOsReason) {
  TempDir dir;
  auto data = read_input(dir.file("none.inf"), limits(100));
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("none.inf: cannot open: No such file or directory"),
            std::string::npos)
      << data.error().message;
}

TEST(ReadInput, AFifoWithoutAWriterReadsAsEmptyAtOnce) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto data = read_input(fifo, limits(100));
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(*data, "");
}

TEST(ReadInput, AFifoWhoseWriterStaysSilentEndsInAnError) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A writer that opens the FIFO and writes nothing until the reader has given up.
  const int reader_side = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(writer, 0);
  InputLimits silent = limits(100);
  silent.idle_timeout = std::chrono::milliseconds(200);
  auto data = read_input(fifo, silent);
  ::close(writer);
  ::close(reader_side);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("no data for"), std::string::npos) << data.error().message;
}

TEST(ReadInput, ADeviceIsCutAtTheCap) {
  auto data = read_input("/dev/zero", InputLimits{"property INF", std::uint64_t{1} << 20});
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("more than 1 MiB, larger than a property INF can be"),
            std::string::npos)
      << data.error().message;
}

TEST(ReadInput, ASnapshotMustBeARegularFile) {
  TempDir dir;
  const std::string fifo = dir.file("s.pb");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto data = read_input(fifo, InputLimits{"snapshot", 1000, true});
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("a FIFO, not a regular file; a snapshot must be a file"),
            std::string::npos)
      << data.error().message;
}

TEST(StreamInput, StopsReadingWhenTheSinkSaysSo) {
  std::size_t chunks = 0;
  auto read = stream_input("/dev/zero", limits(std::uint64_t{1} << 40),
                           [&](std::string_view) { return ++chunks < 3; });
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(chunks, 3u);
}

std::string replayed(ReplayableInput& input) {
  std::string out;
  auto ok = input.replay([&](std::string_view chunk) {
    out += chunk;
    return true;
  });
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
  return out;
}

TEST(ReplayableInput, AFifoIsKeptSoBothPassesSeeTheSameBytes) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A reader that never reads lets the writer open without waiting and keeps the FIFO open.
  const int idle_reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  const int writer = ::open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(writer, 0);
  const std::string text(200'000, 'x');
  std::thread feed([&] {
    int err = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
      const ssize_t n = ::write(writer, rest.data(), rest.size());
      if (n < 0) {
        err = errno;
        break;
      }
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    EXPECT_EQ(err, 0);
    ::close(writer);
  });
  auto input = ReplayableInput::open(fifo, limits(1'000'000));
  // The first pass reads the FIFO while the writer writes; the second reads the kept copy.
  const std::string first = input.ok() ? replayed(*input) : "";
  feed.join();
  ::close(idle_reader);
  ASSERT_TRUE(input.ok()) << input.error().to_string();
  EXPECT_EQ(first, text);
  EXPECT_EQ(replayed(*input), text);
}

TEST(ReplayableInput, AStreamIsReadOnlyAsFarAsTheFirstPassGoes) {
  auto input = ReplayableInput::open("/dev/zero", limits(std::uint64_t{1} << 40));
  ASSERT_TRUE(input.ok()) << input.error().to_string();
  std::size_t chunks = 0;
  ASSERT_TRUE(input->replay([&](std::string_view) { return ++chunks < 2; }).ok());
  EXPECT_EQ(chunks, 2u);
  auto second = input->replay([](std::string_view) { return true; });
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("first pass stopped before the end"), std::string::npos);
}

TEST(ReplayableInput, AFileThatChangesBetweenPassesIsAnError) {
  TempDir dir;
  write_text(dir.file("d.txt"), "first");
  auto input = ReplayableInput::open(dir.file("d.txt"), limits(100));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(replayed(*input), "first");
  write_text(dir.file("d.txt"), "second, longer");
  auto again = input->replay([](std::string_view) { return true; });
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("changed between the two passes"), std::string::npos);
}

}  // namespace
}  // namespace certbed::platform
