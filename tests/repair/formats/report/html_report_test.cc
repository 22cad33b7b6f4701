// The HTML report over the emulator as a real Store: hostile values are text only (every tag
// and attribute the page has is one the renderer writes), links are drawn whole or broken as
// the containers say, problem fields are marked, and large stores are drawn in part.
#include "certbed/repair/formats/report/html_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/model/key_prov_info.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::StoreLocation;

const std::string kHostileContainer = "<script>document.title='pwned'</script>";
const std::string kHostileProvider = "\"onmouseover=document.title='pwned' x=\"";

std::string report_of(const ReadOnlyStore& store) {
  ReportInput input;
  input.input_name = "s.textproto";
  input.findings = diagnose(store);
  PlanOptions options;
  options.ca_host = store.ca_configuration().has_value();
  options.store = store.identity();
  options.checked = coverage_lines(diagnosis_coverage(store, {}));
  auto plan = make_repair_plan(input.findings, options);
  EXPECT_TRUE(plan.ok());
  input.plan = plan.ok() ? &plan.value() : nullptr;
  input.checked = options.checked;
  return render_html_report(store, input);
}

// The seed CA with property 2 naming a container no provider holds, by a hostile name.
struct HostileMachine {
  emulator::Machine machine = emulator::build_scenario("ca-ksp-keyspec2-hostile-names").value();
  EmulatedStore store{machine, StoreLocation::kLocalMachine, "My"};
  HostileMachine() {
    KeyProvInfo kpi;
    kpi.container = kHostileContainer;
    kpi.provider = kHostileProvider;
    kpi.flags = 0x20;
    kpi.key_spec = 2;
    auto tx = store.begin_transaction();
    EXPECT_TRUE(tx.ok());
    EXPECT_TRUE((*tx)
                    ->set_property(store.certificate(0).sha1,
                                   PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                   encode_key_prov_info(kpi).value())
                    .ok());
    EXPECT_TRUE((*tx)->commit().ok());
  }
};

TEST(HtmlReport, HostileNamesAreEscapedTextAndNoTagOrAttributeComesFromThem) {
  HostileMachine m;
  const std::string html = report_of(m.store);
  EXPECT_NE(html.find("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("&quot;onmouseover=document.title=&#39;pwned&#39; x=&quot;"),
            std::string::npos);
  const std::set<std::string> tags = {"html", "head", "meta",  "title", "style", "body", "h1",
                                      "h2",   "p",    "div",   "span",  "b",     "br",   "ol",
                                      "ul",   "li",   "table", "tr",    "th",    "td",   "svg",
                                      "g",    "rect", "line",  "text"};
  const std::set<std::string> attributes = {
      "lang",    "charset", "http-equiv", "content", "class", "style", "xmlns", "width", "height",
      "viewBox", "role",    "x",          "y",       "x1",    "y1",    "x2",    "y2",    "rx"};
  const std::regex tag(R"(<(/?)([A-Za-z0-9!]+)([^>]*)>)");
  const std::regex attribute(R"(([A-Za-z][A-Za-z0-9-]*)=\"[^\"]*\")");
  std::size_t count = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator();
       ++it) {
    const std::string name = (*it)[2];
    if (name == "!DOCTYPE") continue;
    EXPECT_TRUE(tags.count(name)) << "tag " << name;
    std::string rest = (*it)[3];
    for (auto a = std::sregex_iterator(rest.begin(), rest.end(), attribute);
         a != std::sregex_iterator(); ++a) {
      EXPECT_TRUE(attributes.count((*a)[1])) << "attribute " << (*a)[1] << " in <" << name;
    }
    // Nothing but attributes: a stray quote would leave text behind.
    rest = std::regex_replace(rest, attribute, "");
    EXPECT_TRUE(std::all_of(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '/'; }))
        << "<" << name << rest << ">";
    ++count;
  }
  EXPECT_GT(count, 100u);
  // The style sheet forbids scripts whatever the page holds.
  EXPECT_NE(html.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
            std::string::npos);
}

TEST(HtmlReport, AContainerNoProviderHoldsIsDrawnAsABrokenLinkToAnAbsentBox) {
  HostileMachine m;
  const std::string html = report_of(m.store);
  EXPECT_NE(html.find("<line class=\"broken\""), std::string::npos);
  EXPECT_NE(html.find("<g class=\"absent\">"), std::string::npos);
  EXPECT_EQ(html.find("<line class=\"whole\""), std::string::npos);
  EXPECT_NE(html.find("<td class=\"bad\">container not found</td>"), std::string::npos);
}

TEST(HtmlReport, TheSeedCaHasAWholeLinkItsKeySpecMarkedAndItsFindingAndPlanInOrder) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store{machine, StoreLocation::kLocalMachine, "My"};
  const std::string html = report_of(store);
  EXPECT_NE(html.find("<line class=\"whole\""), std::string::npos);
  EXPECT_EQ(html.find("<line class=\"broken\""), std::string::npos);
  EXPECT_NE(html.find("<td class=\"bad\">2</td>"), std::string::npos);
  EXPECT_NE(html.find("ksp-keyspec-not-zero"), std::string::npos);
  EXPECT_NE(html.find("where KeySpec must be 0"), std::string::npos);
  const auto backup = html.find("<b>Back up before changing anything</b>");
  const auto repair = html.find("<b>Repair certificate ");
  const auto retry = html.find("<b>Retry the blocked operation</b>");
  ASSERT_NE(backup, std::string::npos);
  ASSERT_NE(repair, std::string::npos);
  ASSERT_NE(retry, std::string::npos);
  EXPECT_LT(backup, repair);
  EXPECT_LT(repair, retry);
  EXPECT_NE(html.find("CA configuration: read"), std::string::npos);
}

TEST(HtmlReport, TheSameStoreGivesTheSameBytes) {
  HostileMachine m;
  EXPECT_EQ(report_of(m.store), report_of(m.store));
}

TEST(HtmlReport, ALargeStoreDrawsSixtyCertificatesTheFlaggedOneAmongThemAndListsAll) {
  auto machine = emulator::build_scenario("web-farm-400-one-keyspec2").value();
  EmulatedStore store{machine, StoreLocation::kLocalMachine, "My"};
  const std::string html = report_of(store);
  std::size_t drawn = 0;
  for (auto at = html.find("<g class=\"cert"); at != std::string::npos;
       at = html.find("<g class=\"cert", at + 1)) {
    ++drawn;
  }
  EXPECT_EQ(drawn, 60u);
  EXPECT_NE(html.find("<g class=\"cert broken\">"), std::string::npos);  // #287, KeySpec 2
  EXPECT_NE(html.find("340 certificate(s) with a whole link and no finding are not drawn"),
            std::string::npos);
  std::size_t rows = 0;
  for (auto at = html.find("<tr"); at != std::string::npos; at = html.find("<tr", at + 1)) ++rows;
  EXPECT_EQ(rows, 401u);  // the header and every certificate
}

}  // namespace
}  // namespace certbed::repair
