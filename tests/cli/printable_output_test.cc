// Control characters, bidi controls and invalid UTF-8 in input values reach the terminal (and
// summary.txt) escaped in every human-readable output, and --json output keeps its own escaping.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "certbed/repair/model/bytes.h"
#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;

std::string certbed() { return shell_quote(CERTBED_BINARY); }

// A name that retitles the terminal, clears the screen, hides text behind a CR, and carries a
// TAB, an 8-bit CSI (U+009B) and a RIGHT-TO-LEFT OVERRIDE (U+202E).
const std::string kHostile =
    "evil\x1b]0;pwned\x07 \x1b[2J cr\rX tab\tY csi\xC2\x9B rlo\xE2\x80\xAE end";

// The escaped forms that must appear in place of the raw characters.
const char* const kEscaped[] = {"evil\\x1b]0;pwned\\x07", "\\x1b[2J", "cr\\x0dX", "csi\\u009b",
                                "rlo\\u202e"};

// Fails on any C0 control (LF and a CR directly before LF aside), DEL, U+009B, U+202E or a 0xFF
// byte, naming the first offending offset.
void expect_inert(const std::string& output, const std::string& what) {
  for (std::size_t i = 0; i < output.size(); ++i) {
    const auto c = static_cast<unsigned char>(output[i]);
    const bool line_end =
        c == '\n' || (c == '\r' && i + 1 < output.size() && output[i + 1] == '\n');
    if ((c < 0x20 && !line_end) || c == 0x7F || c == 0xFF) {
      ADD_FAILURE() << what << ": raw byte 0x" << std::hex << int{c} << " at " << std::dec << i
                    << " in\n"
                    << output;
      return;
    }
  }
  EXPECT_EQ(output.find("\xC2\x9B"), std::string::npos) << what << ": raw U+009B\n" << output;
  EXPECT_EQ(output.find("\xE2\x80\xAE"), std::string::npos) << what << ": raw U+202E\n" << output;
}

void expect_escaped(const std::string& output, const std::string& what) {
  expect_inert(output, what);
  for (const char* escaped : kEscaped) {
    EXPECT_NE(output.find(escaped), std::string::npos) << what << ": no " << escaped << "\n"
                                                       << output;
  }
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A property INF that names kHostile as the container (the INF lexer keeps no TAB in a value),
// in UTF-16LE with a byte order mark, as INF files with non-ASCII text must be.
std::string hostile_inf() {
  const std::string text = "[Properties]\n2 = \"{text}\"\n_continue_=\"Container = " + kHostile +
                           "&\"\n_continue_=\"Provider = Microsoft Software Key Storage "
                           "Provider&\"\n_continue_=\"ProviderType = 0&\"\n_continue_=\"Flags = "
                           "0x20&\"\n_continue_=\"KeySpec = 0\"\n";
  const auto utf16 = repair::utf8_to_utf16le(text);
  EXPECT_TRUE(utf16.has_value());
  return "\xFF\xFE" + std::string(utf16->begin(), utf16->end());
}

// The hostile-names case's dump with kHostile as its container, provider suffix and CN.
std::string hostile_dump() {
  std::string dump =
      slurp(fs::path(CERTBED_SOURCE_DIR) / "fixtures/cases/hostile-names/input-dump.txt");
  auto replace_all = [&dump](const std::string& from, const std::string& to) {
    for (std::size_t at = dump.find(from); at != std::string::npos;
         at = dump.find(from, at + to.size())) {
      dump.replace(at, from.size(), to);
    }
  };
  replace_all("R&D \"Root\" 100% ^ O'Brien \xE6\x9C\xAC \xF0\x9F\x94\x91", kHostile);
  replace_all("CN=\"R&D \"\"Root\"\" 100% ^ CA \xE6\x9C\xAC\"", "CN=" + kHostile);
  replace_all("Provider = Microsoft Software Key Storage Provider",
              "Provider = Microsoft Software Key Storage Provider " + kHostile);
  return dump;
}

TEST(PrintableOutput, SnapshotContainerNameIsEscapedInStoreDumpAndDiagnose) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.textproto"));
  write_file(dir.file("hostile.inf"), hostile_inf());
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + snapshot).exit_code, 0);
  auto repaired = run_command(certbed() + " repairstore " + snapshot + " 0 " +
                              shell_quote(dir.file("hostile.inf")));
  ASSERT_EQ(repaired.exit_code, 0) << repaired.output;
  expect_inert(repaired.output, "repairstore");

  for (const char* command : {" store ", " dump ", " dump -v ", " diagnose "}) {
    auto result = run_command(certbed() + command + snapshot);
    expect_escaped(result.output, command);
  }
  auto crlf = run_command(certbed() + " dump --crlf " + snapshot);
  expect_escaped(crlf.output, "dump --crlf");
  EXPECT_NE(crlf.output.find("\r\n"), std::string::npos) << crlf.output;
}

TEST(PrintableOutput, JsonOutputKeepsItsOwnEscapingUnchanged) {
  TempDir dir;
  const auto snapshot = shell_quote(dir.file("s.textproto"));
  write_file(dir.file("hostile.inf"), hostile_inf());
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + snapshot).exit_code, 0);
  ASSERT_EQ(run_command(certbed() + " repairstore " + snapshot + " 0 " +
                        shell_quote(dir.file("hostile.inf")))
                .exit_code,
            0);
  auto json = run_command(certbed() + " store --json " + snapshot);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  // nlohmann's escapes for C0 controls, and U+009B / U+202E as raw UTF-8, as before.
  EXPECT_NE(json.output.find("evil\\u001b]0;pwned\\u0007 \\u001b[2J cr\\rX"), std::string::npos)
      << json.output;
  EXPECT_NE(json.output.find("csi\xC2\x9B rlo\xE2\x80\xAE end"), std::string::npos) << json.output;
}

TEST(PrintableOutput, InfCheckTextEscapesTheContainerName) {
  TempDir dir;
  write_file(dir.file("hostile.inf"), hostile_inf());
  auto check = run_command(certbed() + " inf check " + shell_quote(dir.file("hostile.inf")));
  ASSERT_EQ(check.exit_code, 0) << check.output;
  expect_inert(check.output, "inf check");
  EXPECT_NE(check.output.find("csi\\u009b rlo\\u202e end"), std::string::npos) << check.output;
}

TEST(PrintableOutput, DumpValuesAreEscapedInParseDiagnoseAndPlanWithItsSummaryFile) {
  TempDir dir;
  write_file(dir.file("hostile.txt"), hostile_dump());
  const auto dump = shell_quote(dir.file("hostile.txt"));
  for (const char* command : {" parse ", " diagnose "}) {
    auto result = run_command(certbed() + command + dump);
    expect_escaped(result.output, command);
    EXPECT_NE(result.output.find("tab\\x09Y"), std::string::npos) << command << result.output;
  }
  auto plan = run_command(certbed() + " plan " + dump + " -o " + shell_quote(dir.file("plan")));
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  expect_escaped(plan.output, "plan");
  const std::string summary = slurp(dir.path() / "plan" / "summary.txt");
  expect_escaped(summary, "summary.txt");
  EXPECT_NE(summary.find("tab\\x09Y"), std::string::npos) << summary;
  // The refusal quotes the container: an error message about an input value.
  EXPECT_NE(summary.find("Container \"evil\\x1b]0;pwned\\x07"), std::string::npos) << summary;
}

TEST(PrintableOutput, ErrorMessageQuotingAFileNameIsEscaped) {
  TempDir dir;
  const std::string name = dir.file("evil\x1b]0;pwned\x07 \x1b[2J\xC2\x9B\xE2\x80\xAE\xFF.pb");
  auto result = run_command(certbed() + " store " + shell_quote(name));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  expect_inert(result.output, "store error");
  EXPECT_NE(result.output.find("evil\\x1b]0;pwned\\x07 \\x1b[2J\\u009b\\u202e\\xff.pb"),
            std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace certbed::testing
