// The Windows implementation of the file-safety interface (platform/src/windows/) under Wine:
// whole replacement with no temporary left, backups that never overwrite, targets refused
// before anything is written, and the writers' lock.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "certbed/platform/file_lock.h"
#include "certbed/platform/output_file.h"

namespace certbed::platform {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("certbed-platform-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(path_), fs::directory_iterator()));
  }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(WindowsFiles, ReplaceFileCreatesTheFileAndLeavesNoTemporary) {
  TempDir dir;
  ASSERT_TRUE(replace_file(dir.file("a.txt"), "first", NewFileMode::kPrivate).ok());
  EXPECT_EQ(slurp(dir.file("a.txt")), "first");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(WindowsFiles, ReplacingAnExistingFileGivesItTheNewBytesOnly) {
  TempDir dir;
  ASSERT_TRUE(
      replace_file(dir.file("a.txt"), "a much longer first version", NewFileMode::kPublic).ok());
  auto ok = replace_file(dir.file("a.txt"), "second", NewFileMode::kPublic);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(slurp(dir.file("a.txt")), "second");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(WindowsFiles, AFolderIsRefusedAsATargetBeforeAnythingIsWritten) {
  TempDir dir;
  fs::create_directory(dir.file("folder"));
  auto ok = replace_file(dir.file("folder"), "x", NewFileMode::kPublic);
  ASSERT_FALSE(ok.ok());
  EXPECT_NE(ok.error().message.find("Is a directory"), std::string::npos) << ok.error().message;
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(WindowsFiles, ADiscardedStagedFileLeavesNothing) {
  TempDir dir;
  {
    auto staged = StagedFile::create(dir.file("a.txt"), NewFileMode::kPrivate);
    ASSERT_TRUE(staged.ok()) << staged.error().to_string();
    ASSERT_TRUE(staged->write("never published").ok());
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(WindowsFiles, BackupsNeverOverwriteAnEarlierOne) {
  TempDir dir;
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "one", NewFileMode::kPrivate).ok());
  auto first = back_up_file(dir.file("s.pb"));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "two", NewFileMode::kPrivate).ok());
  auto second = back_up_file(dir.file("s.pb"));
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(*first, dir.file("s.pb") + ".bak");
  EXPECT_EQ(*second, dir.file("s.pb") + ".bak.1");
  EXPECT_EQ(slurp(*first), "one");
  EXPECT_EQ(slurp(*second), "two");
}

TEST(WindowsFiles, ASecondWriterGivesUpWithAConflictUntilTheLockIsReleased) {
  TempDir dir;
  const auto file = dir.file("s.pb");
  {
    auto held = FileLock::acquire(file, 0ms);
    ASSERT_TRUE(held.ok()) << held.error().to_string();
    auto other = FileLock::acquire(file, 100ms);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, repair::ErrorCode::kConflict);
    EXPECT_NE(other.error().message.find("locked by another certbed process"), std::string::npos);
  }
  EXPECT_TRUE(FileLock::acquire(file, 0ms).ok());
}

}  // namespace
}  // namespace certbed::platform
