// Safe replacement: unique temporary names that follow no link, kept modes, stale temporaries
// removed, backups that never overwrite, a lock writers share, folders published whole.
#include "certbed/platform/output_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "certbed/platform/file_lock.h"
#include "certbed/platform/staged_folder.h"
#include "support/process.h"

namespace certbed::platform {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A pid that is not running: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

TEST(ReplaceFile, KeepsThePrivateModeOfTheFileItReplaces) {
  TempDir dir;
  const std::string path = dir.file("s.pb");
  write_text(path, "old");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(replace_file(path, "new", NewFileMode::kPublic).ok());
  EXPECT_EQ(read_text(path), "new");
  EXPECT_EQ(mode_of(path), 0600u);
  write_text(path, "x");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ASSERT_TRUE(replace_file(path, "newer", NewFileMode::kPrivate).ok());
  EXPECT_EQ(mode_of(path), 0640u);
}

TEST(ReplaceFile, ANewPrivateFileIs0600AndANewPublicOneFollowsTheUmask) {
  TempDir dir;
  const mode_t old_mask = ::umask(022);
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "keys", NewFileMode::kPrivate).ok());
  ASSERT_TRUE(replace_file(dir.file("c.der"), "cert", NewFileMode::kPublic).ok());
  ::umask(old_mask);
  EXPECT_EQ(mode_of(dir.file("s.pb")), 0600u);
  EXPECT_EQ(mode_of(dir.file("c.der")), 0644u);
}

TEST(ReplaceFile, LeavesNoTemporaryFileBehind) {
  TempDir dir;
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "a", NewFileMode::kPrivate).ok());
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "b", NewFileMode::kPrivate).ok());
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"s.pb"});
}

TEST(ReplaceFile, RefusesAFolderOrALinkAsTheTarget) {
  TempDir dir;
  fs::create_directory(dir.file("out"));
  auto folder = replace_file(dir.file("out"), "x", NewFileMode::kPrivate);
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.error().message.find("Is a directory"), std::string::npos);
  write_text(dir.file("victim"), "keep");
  fs::create_symlink(dir.file("victim"), dir.file("link"));
  auto link = replace_file(dir.file("link"), "x", NewFileMode::kPrivate);
  ASSERT_FALSE(link.ok());
  EXPECT_NE(link.error().message.find("symbolic link"), std::string::npos);
  EXPECT_EQ(read_text(dir.file("victim")), "keep");
}

TEST(ReplaceFile, APlantedLinkAtTheOldFixedTemporaryNameIsNotFollowed) {
  TempDir dir;
  write_text(dir.file("victim"), "keep");
  fs::create_symlink(dir.file("victim"), dir.file("s.pb.tmp"));
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "snapshot", NewFileMode::kPrivate).ok());
  EXPECT_EQ(read_text(dir.file("victim")), "keep");
  EXPECT_EQ(read_text(dir.file("s.pb")), "snapshot");
}

TEST(StagedFile, AnUncommittedStageLeavesTheTargetAndNoTemporary) {
  TempDir dir;
  write_text(dir.file("s.pb"), "old");
  {
    auto staged = StagedFile::create(dir.file("s.pb"), NewFileMode::kPrivate);
    ASSERT_TRUE(staged.ok());
    ASSERT_TRUE(staged->write("half").ok());
    EXPECT_EQ(entries(dir.path()).size(), 2u);
  }
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"s.pb"});
  EXPECT_EQ(read_text(dir.file("s.pb")), "old");
}

TEST(StagedFile, ATemporaryOfAKilledRunIsRemovedAndOneOfALiveRunKept) {
  TempDir dir;
  const std::string stale = ".s.pb.certbed-" + std::to_string(dead_pid()) + "-abcdef.tmp";
  const std::string live = ".s.pb.certbed-" + std::to_string(::getppid()) + "-abcdef.tmp";
  const std::string other = ".t.pb.certbed-" + std::to_string(dead_pid()) + "-abcdef.tmp";
  for (const auto& name : {stale, live, other}) write_text(dir.file(name), "partial");
  ASSERT_TRUE(replace_file(dir.file("s.pb"), "new", NewFileMode::kPrivate).ok());
  const auto left = entries(dir.path());
  EXPECT_EQ(std::count(left.begin(), left.end(), stale), 0);
  EXPECT_EQ(std::count(left.begin(), left.end(), live), 1);
  EXPECT_EQ(std::count(left.begin(), left.end(), other), 1);  // another target's
}

TEST(StagedFile, AFailedRenameGivesTheOsReasonAndKeepsNoTemporary) {
  TempDir dir;
  auto staged = StagedFile::create(dir.file("s.pb"), NewFileMode::kPrivate);
  ASSERT_TRUE(staged.ok());
  ASSERT_TRUE(staged->write("new").ok());
  // The target became a non-empty folder after the stage was made.
  fs::create_directories(dir.file("s.pb/inside"));
  auto committed = staged->commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().message.find("Success"), std::string::npos)
      << committed.error().message;
  EXPECT_NE(committed.error().message.find("cannot replace: Is a directory"), std::string::npos)
      << committed.error().message;
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"s.pb"});
}

TEST(BackUpFile, TakesTheFirstNameThatDoesNotExistAndKeepsBytesAndMode) {
  TempDir dir;
  const std::string path = dir.file("s.pb");
  write_text(path, "original");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  // Taken names: a dangling link and an unreadable file both exist.
  fs::create_symlink(dir.file("nowhere"), dir.file("s.pb.bak"));
  write_text(dir.file("s.pb.bak.1"), "an older backup");
  ASSERT_EQ(::chmod(dir.file("s.pb.bak.1").c_str(), 0), 0);
  auto backup = back_up_file(path);
  ASSERT_TRUE(backup.ok()) << backup.error().to_string();
  EXPECT_EQ(*backup, dir.file("s.pb.bak.2"));
  EXPECT_EQ(read_text(*backup), "original");
  EXPECT_EQ(mode_of(*backup), 0600u);
  EXPECT_FALSE(fs::exists(dir.file("nowhere")));
  ASSERT_EQ(::chmod(dir.file("s.pb.bak.1").c_str(), 0600), 0);
  EXPECT_EQ(read_text(dir.file("s.pb.bak.1")), "an older backup");
}

TEST(BackUpFile, TheBackupKeepsTheOldBytesWhenTheFileIsReplaced) {
  TempDir dir;
  const std::string path = dir.file("s.pb");
  write_text(path, "old");
  auto backup = back_up_file(path);
  ASSERT_TRUE(backup.ok());
  ASSERT_TRUE(replace_file(path, "new", NewFileMode::kPrivate).ok());
  EXPECT_EQ(read_text(*backup), "old");
  EXPECT_EQ(read_text(path), "new");
}

TEST(FileLock, ASecondWriterWaitsAndThenGivesUpWithAMessage) {
  TempDir dir;
  const std::string path = dir.file("s.pb");
  auto first = FileLock::acquire(path, std::chrono::milliseconds(0));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto second = FileLock::acquire(path, std::chrono::milliseconds(100));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("locked by another certbed process"), std::string::npos);
  EXPECT_NE(second.error().message.find("nothing written"), std::string::npos);
  { auto released = std::move(*first); }
  EXPECT_TRUE(FileLock::acquire(path, std::chrono::milliseconds(0)).ok());
  EXPECT_EQ(mode_of(path + ".lock"), 0600u);
}

bool always(const std::string&) { return true; }
bool never(const std::string&) { return false; }

TEST(StagedFolder, ReplacesAnEarlierFolderWholeAndKeepsItAsABackup) {
  TempDir dir;
  const std::string target = dir.file("plan");
  fs::create_directory(target);
  write_text(target + "/plan.json", "old plan");
  write_text(target + "/cert-1.inf", "stale INF");
  auto staged = StagedFolder::create(target);
  ASSERT_TRUE(staged.ok());
  ASSERT_TRUE(staged->add_file("plan.json", "new plan").ok());
  auto backup = staged->commit(always);
  ASSERT_TRUE(backup.ok()) << backup.error().to_string();
  ASSERT_TRUE(backup->has_value());
  EXPECT_EQ(**backup, target + ".bak");
  EXPECT_EQ(entries(target), std::vector<std::string>{"plan.json"});
  EXPECT_EQ(read_text(target + "/plan.json"), "new plan");
  EXPECT_EQ(entries(target + ".bak"), (std::vector<std::string>{"cert-1.inf", "plan.json"}));
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"plan", "plan.bak"}));
}

TEST(StagedFolder, AFolderItMayNotReplaceIsLeftAsItWas) {
  TempDir dir;
  const std::string target = dir.file("docs");
  fs::create_directory(target);
  write_text(target + "/notes.txt", "mine");
  auto staged = StagedFolder::create(target + "/");
  ASSERT_TRUE(staged.ok());
  ASSERT_TRUE(staged->add_file("plan.json", "new plan").ok());
  auto result = staged->commit(never);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("not empty"), std::string::npos);
  { auto gone = std::move(*staged); }
  EXPECT_EQ(entries(target), std::vector<std::string>{"notes.txt"});
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"docs"});
}

TEST(StagedFolder, TakesThePlaceOfAnAbsentOrEmptyFolder) {
  TempDir dir;
  for (const bool make_empty : {false, true}) {
    const std::string target = dir.file(make_empty ? "empty" : "absent");
    if (make_empty) fs::create_directory(target);
    auto staged = StagedFolder::create(target);
    ASSERT_TRUE(staged.ok());
    ASSERT_TRUE(staged->add_file("repair.cmd", "@echo off").ok());
    auto backup = staged->commit(never);
    ASSERT_TRUE(backup.ok()) << backup.error().to_string();
    EXPECT_FALSE(backup->has_value());
    EXPECT_EQ(entries(target), std::vector<std::string>{"repair.cmd"});
  }
}

TEST(StagedFolder, RefusesAFileNameThatIsAPath) {
  TempDir dir;
  auto staged = StagedFolder::create(dir.file("plan"));
  ASSERT_TRUE(staged.ok());
  EXPECT_FALSE(staged->add_file("../escape.inf", "x").ok());
  EXPECT_FALSE(staged->add_file("..", "x").ok());
  EXPECT_FALSE(fs::exists(dir.file("escape.inf")));
}

}  // namespace
}  // namespace certbed::platform
