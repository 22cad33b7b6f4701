// certbed report in a real browser (Debian's headless Chromium): the seed case's report
// renders with no console message (a blocked script or asset would log one), its finding and
// plan are in the page's text, and container names made of markup stay text and run nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;

std::string certbed() { return shell_quote(CERTBED_BINARY); }

struct Page {
  std::string dom;
  std::string console;  // Chromium's CONSOLE log lines
};

// Loads `html` headless and returns the DOM after load; with `screenshot`, also saves one.
Page load_in_chromium(const TempDir& dir, const std::string& html,
                      const std::string& screenshot = "") {
  const std::string common =
      "chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
      "--user-data-dir=" +
      shell_quote(dir.file("profile")) + " --enable-logging=stderr --v=0 --window-size=1300,1400 ";
  const std::string url = shell_quote("file://" + html);
  const std::string log = dir.file("chromium.log");
  Page page;
  auto run =
      run_command("timeout 120 " + common + "--dump-dom " + url + " 2>" + shell_quote(log), false);
  EXPECT_EQ(run.exit_code, 0) << slurp(log);
  page.dom = run.output;
  if (!screenshot.empty()) {
    auto shot = run_command("timeout 120 " + common + "--screenshot=" + shell_quote(screenshot) +
                                " " + url + " 2>>" + shell_quote(log),
                            false);
    EXPECT_EQ(shot.exit_code, 0) << slurp(log);
  }
  std::istringstream lines(slurp(log));
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) page.console += line + "\n";
  }
  return page;
}

TEST(ReportInBrowser, TheSeedCaseReportRendersWithNoConsoleMessageAndShowsItsFindingAndPlan) {
  TempDir dir;
  const std::string html = dir.file("report.html");
  auto r = run_command(certbed() + " report " +
                       shell_quote(std::string(CERTBED_SOURCE_DIR) +
                                   "/fixtures/cases/seed-article-dump/input-imported.textproto") +
                       " -o " + shell_quote(html));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The screenshot is kept in the build tree (docs/report-seed-case.png is a copy of one).
  const fs::path shots = fs::path(CERTBED_BINARY_DIR) / "report-screenshots";
  fs::create_directories(shots);
  const std::string png = (shots / "seed-case-report.png").string();
  fs::remove(png);
  const Page page = load_in_chromium(dir, html, png);
  EXPECT_EQ(page.console, "");
  for (const auto* text :
       {"ksp-keyspec-not-zero", "where KeySpec must be 0", "Retry the blocked operation",
        "Contoso CA", "Key containers", "What was checked, and what was not"}) {
    EXPECT_NE(page.dom.find(text), std::string::npos) << text;
  }
  const std::string image = slurp(png);
  EXPECT_EQ(image.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_GT(image.size(), 20000u);
}

TEST(ReportInBrowser, MarkupInContainerNamesStaysTextAndRunsNoScript) {
  TempDir dir;
  const auto s = shell_quote(dir.file("s.textproto"));
  ASSERT_EQ(run_command(certbed() + " init ca-ksp-keyspec2-hostile-names -o " + s).exit_code, 0);
  std::string dump = run_command(certbed() + " dump -v " + s, false).output;
  const std::string name = "R&D \"Root\" 100% ^ O'Brien \xE6\x9C\xAC \xF0\x9F\x94\x91";
  const std::string hostile =
      "<script>document.title='pwned'</script>\"onmouseover=document.title='pwned' x=\"";
  std::size_t replaced = 0;
  for (auto at = dump.find(name); at != std::string::npos; at = dump.find(name, at)) {
    dump.replace(at, name.size(), hostile);
    ++replaced;
  }
  ASSERT_GT(replaced, 0u);
  std::ofstream(dir.file("d.txt"), std::ios::binary) << dump;
  // The report as certbed report writes it and as every plan folder holds it.
  auto r = run_command(certbed() + " report " + shell_quote(dir.file("d.txt")) + " -o " +
                       shell_quote(dir.file("r.html")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto p = run_command(certbed() + " plan " + shell_quote(dir.file("d.txt")) + " -o " +
                       shell_quote(dir.file("plan")));
  ASSERT_LE(p.exit_code, 1) << p.output;
  for (const auto& html : {dir.file("r.html"), dir.file("plan") + "/report.html"}) {
    SCOPED_TRACE(html);
    const Page page = load_in_chromium(dir, html);
    EXPECT_EQ(page.console, "");
    EXPECT_NE(page.dom.find("<title>certbed report: "), std::string::npos);
    EXPECT_EQ(page.dom.find("pwned</title>"), std::string::npos);
    EXPECT_EQ(page.dom.find("<script"), std::string::npos);
    EXPECT_FALSE(std::regex_search(page.dom, std::regex("<[^>]*onmouseover")));
    EXPECT_NE(page.dom.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
              std::string::npos);
    EXPECT_NE(page.dom.find("\"onmouseover=document.title='pwned' x=\""), std::string::npos);
  }
}

}  // namespace
}  // namespace certbed::testing
