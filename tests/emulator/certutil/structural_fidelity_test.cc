// Structural fidelity: a scenario modelled on a real dump renders, record by record, the same
// sequence of line shapes (indentation and label; values are the machine's own) as the dump
// Windows printed. A failure names the first line that differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/scenarios/scenarios.h"

namespace certbed::emulator {
namespace {

std::vector<std::string> lines_of(std::istream& in) {
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// A line's shape: its indentation and label up to ": " or " = ", or the whole line when it has
// neither (fixed text such as "Missing stored keyset" or a record separator).
std::string shape(const std::string& line) {
  for (const std::string_view separator : {": ", " = "}) {
    if (const auto at = line.find(separator); at != std::string::npos) {
      return line.substr(0, at + separator.size());
    }
  }
  return line;
}

struct Reference {
  std::string dump;      // under fixtures/dumps/real/
  std::string scenario;  // the scenario that models the same machine
  Caller caller;         // who printed the real dump
};

// dumps/07: certutil -store My run by a user without rights to the machine keys (its .source).
// Its publisher damaged nothing; the prompt line it omitted is not part of certutil's output.
const Reference kReferences[] = {
    {"07-dc-my-missing-keyset-archived-nonverbose.txt", "dc-enterprise-my",
     Caller::standard_user()},
};

TEST(StructuralFidelity, EachModelledScenarioRendersTheLineShapesOfItsRealDump) {
  for (const auto& ref : kReferences) {
    std::ifstream in(std::string(CERTBED_SOURCE_DIR) + "/fixtures/dumps/real/" + ref.dump);
    ASSERT_TRUE(in.good()) << ref.dump;
    const auto real = lines_of(in);
    auto machine = build_scenario(ref.scenario).value();
    DumpOptions options;
    options.typed_store_name = "My";
    options.caller = ref.caller;
    std::istringstream rendered_text(render_store_dump(
        machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options));
    const auto rendered = lines_of(rendered_text);
    const std::size_t n = std::min(real.size(), rendered.size());
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(shape(rendered[i]), shape(real[i]))
          << ref.scenario << " vs " << ref.dump << ", line " << (i + 1)
          << ":\n  real:     " << real[i] << "\n  rendered: " << rendered[i];
    }
    EXPECT_EQ(rendered.size(), real.size()) << ref.scenario << " vs " << ref.dump;
  }
}

// dumps/08 certificate 0: a CryptoAPI key whose property 2 names its unique container name
// prints the simple name under it. The DC certificate of dc-enterprise-my is such a key.
TEST(StructuralFidelity, AContainerNamedByItsUniqueNamePrintsItsSimpleName) {
  std::ifstream in(std::string(CERTBED_SOURCE_DIR) +
                   "/fixtures/dumps/real/08-user-my-csp-and-ksp-nonverbose.txt");
  ASSERT_TRUE(in.good());
  std::vector<std::string> real;
  for (auto& line : lines_of(in)) {
    // The publisher indented every line by 6 spaces (its .source); certutil did not.
    real.push_back(line.rfind("      ", 0) == 0 ? line.substr(6) : line);
  }
  auto machine = build_scenario("dc-enterprise-my").value();
  DumpOptions options;
  std::istringstream text(
      render_store_dump(machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options));
  const auto rendered = lines_of(text);
  auto key_lines = [](const std::vector<std::string>& lines, const std::string& after) {
    std::vector<std::string> out;
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.rfind(after, 0) == 0; });
    for (int n = 0; it != lines.end() && ++it != lines.end() && n < 3; ++n)
      out.push_back(shape(*it));
    return out;
  };
  const std::vector<std::string> expected{
      "  Key Container = ", "  Simple container name: ", "  Provider = "};
  ASSERT_EQ(key_lines(real, "Cert Hash(sha1): a50337ab"), expected);
  EXPECT_EQ(key_lines(rendered, "Cert Hash(sha1): 3338f0a7"), expected);
}

}  // namespace
}  // namespace certbed::emulator
