// Every dump under fixtures/dumps/ parses to its reviewed expected JSON (regenerate with
// scripts/regen-fixtures and review the diff).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> dump_fixtures() {
  std::vector<fs::path> out;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "dumps")) {
    if (entry.path().extension() == ".txt") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DumpFixtures, ThereAreEnoughOfThemCoveringTheRequiredCases) {
  const auto dumps = dump_fixtures();
  EXPECT_GE(dumps.size(), 8u);
  bool utf16 = false, crlf = false;
  for (const auto& d : dumps) {
    const auto text = slurp(d);
    utf16 = utf16 || text.rfind("\xff\xfe", 0) == 0;
    crlf = crlf || text.find("\r\n") != std::string::npos;
  }
  EXPECT_TRUE(utf16);
  EXPECT_TRUE(crlf);
}

TEST(DumpFixtures, EachParsesToItsExpectedJson) {
  for (const auto& dump : dump_fixtures()) {
    SCOPED_TRACE(dump.string());
    fs::path expected_path = dump;
    expected_path.replace_extension(".expected.json");
    ASSERT_TRUE(fs::exists(expected_path)) << "no expected JSON; run scripts/regen-fixtures";
    auto r = run_command(shell_quote(CERTBED_BINARY) + " parse --json " +
                         shell_quote(dump.string()) + " 2>/dev/null");
    const auto actual = nlohmann::json::parse(r.output, nullptr, false);
    const auto expected = nlohmann::json::parse(slurp(expected_path), nullptr, false);
    ASSERT_FALSE(expected.is_discarded());
    ASSERT_FALSE(actual.is_discarded()) << r.output;
    EXPECT_EQ(actual, expected) << "actual: " << actual.dump(1);
  }
}

TEST(DumpFixtures, PowerShellUtf16TwinParsesLikeItsUtf8Twin) {
  const auto dir = fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "dumps" / "emulated";
  const auto a = slurp(dir / "seed-ca-ksp-keyspec2-verbose-crlf.expected.json");
  const auto b = slurp(dir / "seed-ca-ksp-keyspec2-verbose-powershell-utf16le.expected.json");
  EXPECT_EQ(nlohmann::json::parse(a), nlohmann::json::parse(b));
  const auto seed = nlohmann::json::parse(a);
  EXPECT_EQ(seed["certificates"][0]["key_provider"]["keyspec"], 2);
  EXPECT_EQ(seed["certificates"][0]["key_provider"]["provider_type"], 0);
  EXPECT_EQ(seed["certificates"][0]["subject"], "CN=Contoso CA, DC=Contoso, DC=com");
}

TEST(DumpFixtures, NonDumpInputIsAnErrorWithExitTwo) {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  std::ofstream(path) << "Meeting notes\nnothing to see here\n";
  auto r = run_command(shell_quote(CERTBED_BINARY) + " parse --json " + shell_quote(path));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("notes.txt"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace certbed::testing
