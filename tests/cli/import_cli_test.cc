// certbed import-dump, run the way a support engineer runs it: the seed article's dump replayed
// (renewal fails, the plan repairs it, renewal succeeds), a dump that does not say its store, and
// the imported caller that certbed dump prints as.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

std::string certbed() { return shell_quote(CERTBED_BINARY); }
std::string real_dump(const std::string& name) {
  return shell_quote(std::string(CERTBED_SOURCE_DIR) + "/fixtures/dumps/real/" + name);
}

TEST(CliImportDump, TheSeedArticleDumpFailsRenewalBeforeItsPlanAndRenewsAfterIt) {
  TempDir dir;
  const auto s = shell_quote(dir.file("seed.textproto"));
  const auto plan = shell_quote(dir.file("plan"));
  auto imported = run_command(certbed() + " import-dump " +
                              real_dump("09-ca-ksp-keyspec2-verbose-elided.txt") + " -o " + s);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("a CA configuration"), std::string::npos) << imported.output;
  auto before = run_command(certbed() + " renew " + s + " --reuse-keys");
  EXPECT_EQ(before.exit_code, 1) << before.output;
  EXPECT_NE(before.output.find("NTE_BAD_PROV_TYPE"), std::string::npos) << before.output;
  ASSERT_EQ(run_command(certbed() + " plan " + s + " -o " + plan).exit_code, 0);
  auto applied = run_command(certbed() + " apply " + s + " " + plan);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto after = run_command("cd " + shell_quote(dir.path().string()) + " && " + certbed() +
                           " renew " + s + " --reuse-keys");
  EXPECT_EQ(after.exit_code, 0) << after.output;
  EXPECT_NE(after.output.find("with the existing key pair (CA Version V1.0)"), std::string::npos)
      << after.output;
}

TEST(CliImportDump, ADumpWithoutItsStoreNameExitsTwoAndNamesTheOption) {
  TempDir dir;
  auto r = run_command(certbed() + " import-dump " +
                       real_dump("14-no-key-prov-info-found-key-error.txt") + " -o " +
                       shell_quote(dir.file("s.textproto")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("say which with --store"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.textproto")));
}

TEST(CliImportDump, DumpPrintsAnImportedMachineAsTheCallerTheDumpShowed) {
  TempDir dir;
  const auto s = shell_quote(dir.file("dc.textproto"));
  ASSERT_EQ(run_command(certbed() + " import-dump " +
                        real_dump("07-dc-my-missing-keyset-archived-nonverbose.txt") +
                        " --location LocalMachine -o " + s)
                .exit_code,
            0);
  auto as_recorded = run_command(certbed() + " dump " + s, false);
  EXPECT_NE(as_recorded.output.find("Missing stored keyset"), std::string::npos)
      << as_recorded.output;
  auto as_admin = run_command(certbed() + " dump " + s + " --as administrator", false);
  EXPECT_EQ(as_admin.output.find("Missing stored keyset"), std::string::npos) << as_admin.output;
  EXPECT_NE(as_admin.output.find("test passed"), std::string::npos) << as_admin.output;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Runs of four or more letters and digits, lower-cased. A run of fewer than eight hex digits
// (a GUID's group) is no token of its own: random hex (keys, hex dumps) holds any such run by
// chance; the whole value is added instead by the caller.
void add_tokens(std::set<std::string>& out, const std::string& text) {
  std::string run;
  for (const char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      run += c;
      continue;
    }
    const bool short_hex =
        run.size() < 8 &&
        std::all_of(run.begin(), run.end(), [](unsigned char h) { return std::isxdigit(h) != 0; });
    if (run.size() >= 4 && !short_hex) out.insert(lower(run));
    run.clear();
  }
}

// certutil's and certbed's own words: every string literal of the sources that print dumps,
// findings, plans and scripts (labels, provider and property names, Microsoft's templates).
const std::set<std::string>& vocabulary() {
  static const std::set<std::string> words = [] {
    std::set<std::string> out;
    const std::filesystem::path root(CERTBED_SOURCE_DIR);
    std::vector<std::filesystem::path> sources{
        root / "repair/include/certbed/repair/formats/dump/dump_format.h",
        root / "repair/src/model/property_id.cc", root / "emulator/src/keys/key_provider.cc"};
    for (const auto* dir : {"emulator/src/certutil", "repair/src/planner", "repair/src/rules",
                            "repair/src/formats/inf", "repair/src/model", "repair/src/store",
                            "repair/src/apply", "cli/common", "emulator/src/import"}) {
      for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
        sources.push_back(entry.path());
      }
    }
    const std::regex literal("\"((?:[^\"\\\\]|\\\\.)*)\"");
    for (const auto& path : sources) {
      const std::string text = slurp(path);
      for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it) {
        add_tokens(out, (*it)[1].str());
      }
    }
    return out;
  }();
  return words;
}

// Every name part, container, serial and hash of four characters or more the dump holds.
std::set<std::string> original_tokens(const std::string& dump) {
  auto parsed = repair::parse_store_dump(dump, "original");
  std::set<std::string> tokens;
  if (!parsed) return tokens;
  for (const auto& r : parsed->first) {
    for (const auto* text : {&r.subject, &r.issuer, &r.serial, &r.sha1, &r.md5, &r.sha256,
                             &r.key_id_hash_rfc_sha1, &r.key_id_hash_sha1, &r.template_name}) {
      add_tokens(tokens, *text);
    }
    for (const auto& kp : {r.key_provider, r.found_key}) {
      if (!kp) continue;
      for (const auto& field : {kp->container, kp->unique_container, kp->simple_container}) {
        if (!field) continue;
        add_tokens(tokens, *field);
        if (field->size() >= 4) tokens.insert(lower(*field));
      }
    }
    if (r.friendly_name) add_tokens(tokens, *r.friendly_name);
    for (const auto& p : r.properties) {
      if (p.id == 11 || p.id == 71) {
        for (const auto& line : p.raw_lines) add_tokens(tokens, line);
      }
    }
  }
  std::erase_if(tokens, [](const std::string& t) { return vocabulary().count(t) != 0; });
  return tokens;
}

// Where the hint is not in the dump (as in the round-trip test).
std::string hint_for(const std::string& name) {
  if (name.starts_with("08-")) return " --location CurrentUser";
  if (name.starts_with("13-") || name.starts_with("14-"))
    return " --store My --location LocalMachine";
  if (name.starts_with("03-") || name.starts_with("05-") || name.starts_with("09-")) return "";
  return " --location LocalMachine";
}

TEST(CliImportDump, AnAnonymizedImportOrCaseLeaksNoOriginalTokenIntoAnyOutput) {
  std::size_t dumps = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CERTBED_SOURCE_DIR) +
                                                               "/fixtures/dumps/real")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".txt" || name.starts_with("16-") || name.starts_with("24-")) {
      continue;  // the two dumps the import refuses (see the round-trip test)
    }
    SCOPED_TRACE(name);
    TempDir dir;
    const auto s = shell_quote(dir.file("anon.textproto"));
    auto imported = run_command(certbed() + " import-dump " + shell_quote(entry.path().string()) +
                                hint_for(name) + " --anonymize -o " + s);
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    std::string outputs = slurp(dir.file("anon.textproto"));
    for (const auto* flags : {"", " -v"}) {
      outputs += run_command(certbed() + " dump " + s + flags, false).output;
    }
    outputs += run_command(certbed() + " diagnose " + s, false).output;
    std::filesystem::create_directory(dir.file("cases"));
    // The case folder holds all the rest: the anonymized dump, both inputs' plans and scripts.
    auto made =
        run_command(certbed() + " case new leak --from " + shell_quote(entry.path().string()) +
                    hint_for(name) + " --anonymize --cases " + shell_quote(dir.file("cases")));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    for (const auto& file :
         std::filesystem::recursive_directory_iterator(dir.file("cases") + "/leak")) {
      if (file.is_regular_file()) outputs += slurp(file.path());
    }
    const std::string haystack = lower(outputs);
    const auto tokens = original_tokens(slurp(entry.path()));
    EXPECT_FALSE(tokens.empty());
    for (const auto& token : tokens) {
      EXPECT_EQ(haystack.find(token), std::string::npos) << "original token \"" << token << "\"";
    }
    ++dumps;
  }
  EXPECT_EQ(dumps, 10u);
}

TEST(CliImportDump, TheMapFileGivesEveryOriginalBesideItsReplacement) {
  TempDir dir;
  const auto s = shell_quote(dir.file("anon.textproto"));
  const auto map = dir.file("map.json");
  auto r =
      run_command(certbed() + " import-dump " + real_dump("03-strong-csp-keyspec2-verbose.txt") +
                  " --anonymize --map " + shell_quote(map) + " -o " + s);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string table = slurp(map);
  EXPECT_NE(table.find("\"original\": \"Intel Platform Key\""), std::string::npos) << table;
  EXPECT_NE(table.find("\"original\": \"3f675d4b64156f9c48ccf30793121147\""), std::string::npos);
  EXPECT_NE(table.find("\"original\": \"ff2771bd5bd1f7086ab96fb9532b594ed8619c3b\""),
            std::string::npos);
  EXPECT_EQ((std::filesystem::status(map).permissions() & std::filesystem::perms::others_read),
            std::filesystem::perms::none);
  // The snapshot holds the replacements only.
  const std::string snapshot = slurp(dir.file("anon.textproto"));
  EXPECT_EQ(snapshot.find("Intel"), std::string::npos);
  EXPECT_EQ(snapshot.find("ff2771bd"), std::string::npos);
}

}  // namespace
}  // namespace certbed::testing
