// certbed apply on plan folders whose plan.json is malformed: exit 2, a message naming the file,
// and the snapshot untouched.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;

std::string certbed() { return shell_quote(CERTBED_BINARY); }

TEST(ApplyCli, EveryMalformedPlanFileExitsTwoNamingTheFileAndChangesNothing) {
  TempDir dir;
  const auto snapshot = dir.file("s.textproto");
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2 -o " + shell_quote(snapshot)).exit_code,
            0);
  const std::string before = slurp(snapshot);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(CERTBED_SOURCE_DIR "/fixtures/plans/malformed")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const fs::path plan_dir = dir.file(entry.path().stem().string());
    fs::create_directories(plan_dir);
    fs::copy_file(entry.path(), plan_dir / "plan.json");
    const auto result = run_command(certbed() + " apply " + shell_quote(snapshot) + " " +
                                    shell_quote(plan_dir.string()));
    EXPECT_EQ(result.exit_code, 2) << entry.path().filename() << ": " << result.output;
    const std::string prefix = "certbed: " + (plan_dir / "plan.json").string() + ":";
    EXPECT_EQ(result.output.rfind(prefix, 0), 0u)
        << entry.path().filename() << ": " << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1)
        << "one line of message: " << result.output;
  }
  EXPECT_GE(files, 20u);
  EXPECT_EQ(slurp(snapshot), before);
  EXPECT_FALSE(fs::exists(snapshot + ".bak"));
}

}  // namespace
}  // namespace certbed::testing
