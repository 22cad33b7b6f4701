// Every real dump in fixtures/dumps/real with certificate records imports into an emulated
// machine, and certbed's certutil emulation prints that machine back (same verbosity, as the
// caller the import recorded) with the same facts as the original dump: count, serials, names,
// validity, key provider fields, KeySpec and key status, except what the import recorded as not
// reproduced.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/import/dump_import.h"
#include "certbed/emulator/import/dump_values.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/store/dump_store.h"
#include "support/files.h"

namespace certbed::emulator {
namespace {

namespace fs = std::filesystem;
using repair::DumpCertificate;
using repair::StoreLocation;

fs::path real_dumps() { return fs::path(CERTBED_SOURCE_DIR) / "fixtures/dumps/real"; }

// What the dumps do not say and a support engineer would pass as --store / --location. Every
// header-less or location-less dump is listed; a new one fails the test until it is.
const std::map<std::string, repair::StoreHint>& hints() {
  static const std::map<std::string, repair::StoreHint> kHints = {
      {"02-ncipher-ksp-nonverbose.txt", {std::nullopt, StoreLocation::kLocalMachine}},
      {"07-dc-my-missing-keyset-archived-nonverbose.txt",
       {std::nullopt, StoreLocation::kLocalMachine}},
      {"08-user-my-csp-and-ksp-nonverbose.txt", {std::nullopt, StoreLocation::kCurrentUser}},
      {"10-securosys-hsm-ksp-repairstore.txt", {std::nullopt, StoreLocation::kLocalMachine}},
      {"13-cloudhsm-no-key-prov-info-mangled.txt", {"My", StoreLocation::kLocalMachine}},
      {"14-no-key-prov-info-found-key-error.txt", {"My", StoreLocation::kLocalMachine}},
      {"21-enterprise-root-no-key.txt", {std::nullopt, StoreLocation::kLocalMachine}},
  };
  return kHints;
}

// Dumps that are refused, with the reason's words.
const std::map<std::string, std::string>& refused() {
  static const std::map<std::string, std::string> kRefused = {
      // Its only record is in a code page certutil's text cannot be read back from.
      {"16-es-localized-verbose-garbled.txt", "holds no certificate record"},
      {"24-smartcard-scinfo-csp-keyspec1-and-2.txt", "-SCInfo"},
  };
  return kRefused;
}

// certutil's key lines by what they mean; the test's own kind (signature or encryption) follows
// the emulator's model (recorded as not reproduced), and -repairstore adds lines of its own.
std::string key_status_class(const DumpCertificate& r) {
  if (repair::says_key_does_not_match(r)) return "mismatch";
  if (repair::says_keyset_missing(r)) return "missing";
  for (const auto& s : r.key_status) {
    if (s.ends_with(" test passed")) return "passed";
    if (s.starts_with("Cannot find the certificate")) return "not found";
  }
  return "none";
}

bool recorded(const DumpImportRecord& record, const std::string& prefix) {
  for (const auto& line : record.not_reproduced) {
    if (line.starts_with(prefix)) return true;
  }
  return false;
}

void expect_same_provider(const std::optional<repair::DumpKeyProvider>& original,
                          const std::optional<repair::DumpKeyProvider>& printed,
                          const std::string& what) {
  ASSERT_EQ(original.has_value(), printed.has_value()) << what;
  if (!original) return;
  EXPECT_EQ(original->container, printed->container) << what;
  EXPECT_EQ(original->simple_container, printed->simple_container) << what;
  EXPECT_EQ(original->provider, printed->provider) << what;
  // Fields a non-verbose dump does not print stay unprinted.
  EXPECT_EQ(original->provider_type, printed->provider_type) << what;
  EXPECT_EQ(original->flags, printed->flags) << what;
  EXPECT_EQ(original->key_spec, printed->key_spec) << what;
  if (original->unique_container) {
    EXPECT_EQ(original->unique_container, printed->unique_container) << what;
  }
}

class RealDumpImport : public ::testing::TestWithParam<std::string> {};

TEST_P(RealDumpImport, ImportsAndPrintsTheSameFactsBack) {
  const std::string name = GetParam();
  const std::string bytes = certbed::testing::slurp(real_dumps() / name);
  DumpImportOptions options;
  if (auto it = hints().find(name); it != hints().end()) options.hint = it->second;
  auto imported = import_store_dump(bytes, name, options);
  if (auto it = refused().find(name); it != refused().end()) {
    ASSERT_FALSE(imported.ok()) << name << " is expected to be refused";
    EXPECT_NE(imported.error().message.find(it->second), std::string::npos)
        << imported.error().message;
    return;
  }
  ASSERT_TRUE(imported.ok()) << imported.error().message;

  // Through a snapshot, as the command writes it, so what is compared is what a fixture holds.
  auto text = serialize_snapshot(imported->machine, SnapshotFormat::kText);
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto machine = parse_snapshot(*text, SnapshotFormat::kText, name);
  ASSERT_TRUE(machine.ok()) << machine.error().message;
  ASSERT_TRUE(machine->import_record().has_value());
  const auto& record = *machine->import_record();

  auto original = repair::parse_store_dump(bytes, name);
  ASSERT_TRUE(original.ok());
  const auto& before = original->first;
  const auto* store =
      machine->find_store(from_repair_location(imported->store.location), imported->store.name);
  ASSERT_NE(store, nullptr);
  DumpOptions dump;
  dump.verbose =
      std::any_of(before.begin(), before.end(), [](const DumpCertificate& r) { return r.verbose; });
  dump.caller = *parse_caller(record.caller);
  const std::string printed = render_store_dump(*machine, *store, dump);
  auto reparsed = repair::parse_store_dump(printed, "printed");
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
  const auto& after = reparsed->first;

  ASSERT_EQ(before.size(), after.size()) << printed;
  for (std::size_t i = 0; i < before.size(); ++i) {
    const auto& a = before[i];
    const auto& b = after[i];
    const std::string label = "certificate " + std::to_string(a.index.value_or(i));
    std::string trace = name;
    trace += ": ";
    trace += label;
    SCOPED_TRACE(trace);
    if (!recorded(record, label + ": serial")) {
      EXPECT_EQ(a.serial, b.serial);
    }
    EXPECT_EQ(a.subject, b.subject);
    EXPECT_EQ(a.issuer, b.issuer);
    if (recorded(record, label + ": validity \"")) {
      EXPECT_FALSE(import::parse_certutil_date(a.not_before) &&
                   import::parse_certutil_date(a.not_after));
    } else {
      EXPECT_EQ(import::parse_certutil_date(a.not_before),
                import::parse_certutil_date(b.not_before));
      EXPECT_EQ(import::parse_certutil_date(a.not_after), import::parse_certutil_date(b.not_after));
    }
    expect_same_provider(a.key_provider, b.key_provider, "property 2");
    if (!recorded(record, label + ": key status")) {
      EXPECT_EQ(key_status_class(a), key_status_class(b));
      if (a.found_key) expect_same_provider(a.found_key, b.found_key, "found key");
    }
    EXPECT_EQ(a.archived, b.archived);
    EXPECT_EQ(a.template_name, b.template_name);
    EXPECT_EQ(a.ca_version, b.ca_version);
  }
}

std::vector<std::string> real_dump_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(real_dumps())) {
    if (entry.path().extension() == ".txt") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string out;
  for (char c : info.param.substr(0, info.param.find('.'))) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(FixturesDumpsReal, RealDumpImport, ::testing::ValuesIn(real_dump_names()),
                         test_name);

}  // namespace
}  // namespace certbed::emulator
