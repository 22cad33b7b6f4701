#include "certbed/repair/rules/dump_diagnosis.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/scenarios/random_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/store/dump_store.h"

namespace certbed::repair {
namespace {

// Feeds `text` in chunks of `chunk` bytes, as a file reader would.
DumpReader reader_of(const std::string& text, std::size_t chunk) {
  return [text, chunk](const DumpChunkSink& sink) -> Status {
    for (std::size_t at = 0; at < text.size(); at += chunk) {
      if (!sink(std::string_view(text).substr(at, chunk))) break;
    }
    return {};
  };
}

std::vector<Finding> streamed(const std::string& text, std::size_t chunk = 4096,
                              const DiagnosisOptions& options = {}) {
  std::vector<Finding> out;
  auto result = diagnose_dump_stream(reader_of(text, chunk), "dump.txt", options,
                                     [&](Finding&& f) { out.push_back(std::move(f)); });
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (result.ok()) {
    EXPECT_EQ(result->findings, out.size());
  }
  return out;
}

std::vector<Finding> in_memory(const std::string& text, const DiagnosisOptions& options = {}) {
  auto store = DumpStore::parse(text, "dump.txt");
  EXPECT_TRUE(store.ok());
  if (!store.ok()) return {};
  return diagnose(*store, options);
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DumpDiagnosis, StreamingEqualsInMemoryForEveryScenarioDump) {
  std::size_t total = 0;
  for (const auto& info : emulator::list_scenarios()) {
    auto machine = emulator::build_scenario(info.name).value();
    for (bool verbose : {true, false}) {
      emulator::DumpOptions options;
      options.verbose = verbose;
      const std::string text = emulator::render_store_dump(
          machine, machine.store(emulator::StoreLocation::kLocalMachine, "My"), options);
      const auto expected = in_memory(text);
      EXPECT_EQ(streamed(text, 777), expected) << info.name << (verbose ? " -v" : "");
      total += expected.size();
    }
  }
  EXPECT_GT(total, 10u);  // the scenarios are built to have findings: equality is not vacuous
}

TEST(DumpDiagnosis, StreamingEqualsInMemoryForEveryDumpFixture) {
  const auto root = std::filesystem::path(CERTBED_SOURCE_DIR) / "fixtures" / "dumps";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".txt") continue;
    const std::string text = read(entry.path());
    if (!DumpStore::parse(text, "dump.txt").ok()) continue;
    ++files;
    DiagnosisOptions sql;
    sql.profiles = {"sql"};
    EXPECT_EQ(streamed(text, 1), in_memory(text)) << entry.path();
    EXPECT_EQ(streamed(text, 65536, sql), in_memory(text, sql)) << entry.path();
  }
  EXPECT_GT(files, 10u);
}

// Cross-record links survive streaming: a certificate without property 2 whose key another
// record's container holds, wherever in the dump that record is.
TEST(DumpDiagnosis, StreamingSeesContainersOfLaterRecords) {
  emulator::RandomStoreOptions options;
  options.certificates = 400;
  options.seed = 11;
  auto machine = emulator::generate_random_machine(options).value();
  emulator::DumpOptions dump;
  dump.verbose = true;
  const std::string text = emulator::render_store_dump(
      machine, machine.store(emulator::StoreLocation::kLocalMachine, "My"), dump);
  const auto expected = in_memory(text);
  EXPECT_GT(expected.size(), 20u);
  EXPECT_EQ(streamed(text, 65536), expected);
}

TEST(DumpDiagnosis, ADumpThatChangesBetweenPassesIsAnError) {
  auto machine = emulator::build_scenario("web-farm-400-one-keyspec2").value();
  const std::string text = emulator::render_store_dump(
      machine, machine.store(emulator::StoreLocation::kLocalMachine, "My"), {});
  int pass = 0;
  DumpReader shrinking = [&](const DumpChunkSink& sink) -> Status {
    ++pass;
    sink(pass == 1 ? std::string_view(text) : std::string_view(text).substr(0, text.size() / 2));
    return {};
  };
  auto result = diagnose_dump_stream(shrinking, "dump.txt", {}, [](Finding&&) {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("changed while it was read"), std::string::npos);
}

TEST(DumpDiagnosis, NotADumpIsAnErrorBeforeAnyFinding) {
  std::size_t findings = 0;
  auto result = diagnose_dump_stream(reader_of("hello\nworld\n", 3), "notes.txt", {},
                                     [&](Finding&&) { ++findings; });
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(findings, 0u);
}

TEST(DumpDiagnosis, AStreamWithNoUsableRecordEndsWithCannotAssess) {
  // certutil's closing line but no record: not an all-clear.
  std::vector<Finding> out;
  auto result =
      diagnose_dump_stream(reader_of("CertUtil: -store command completed successfully.\n", 7),
                           "empty.txt", {}, [&](Finding&& f) { out.push_back(std::move(f)); });
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "cannot-assess");
  EXPECT_EQ(result->findings, 1u);
}

}  // namespace
}  // namespace certbed::repair
