#include "certbed/emulator/snapshot/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "certbed/emulator/scenarios/scenarios.h"
#include "support/process.h"
#include "support/scenario_list.h"

namespace certbed::emulator {
namespace {

std::string text_of(const Machine& machine) {
  return serialize_snapshot(machine, SnapshotFormat::kText).value();
}

class SnapshotRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(SnapshotRoundTrip, TextAndBinarySaveAndLoadToAnEqualMachine) {
  auto machine = build_scenario(GetParam()).value();
  testing::TempDir dir;
  for (const auto* name : {"s.textproto", "s.pb"}) {
    const auto path = dir.file(name);
    ASSERT_TRUE(save_snapshot(machine, path).ok());
    auto loaded = load_snapshot(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    EXPECT_EQ(text_of(*loaded), text_of(machine)) << name;
    EXPECT_EQ(loaded->key_container_facts(), machine.key_container_facts());
    EXPECT_EQ(loaded->ca_configuration(), machine.ca_configuration());
    const auto* my = loaded->find_store(StoreLocation::kLocalMachine, "My");
    const auto* original = machine.find_store(StoreLocation::kLocalMachine, "My");
    ASSERT_EQ(my->size(), original->size());
    for (std::size_t i = 0; i < my->size(); ++i) {
      EXPECT_EQ(my->at(i).der, original->at(i).der);
      EXPECT_EQ(my->at(i).facts, original->at(i).facts);
    }
  }
  // Nothing but the snapshots is left behind (the temporary file was renamed).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            2);
}

INSTANTIATE_TEST_SUITE_P(AllScenarios, SnapshotRoundTrip,
                         ::testing::ValuesIn(certbed::testing::scenario_names()),
                         certbed::testing::ScenarioTestName());

TEST(SnapshotErrors, MalformedTextNamesFileLineAndColumn) {
  auto r =
      parse_snapshot("format_version: 1\nstores {\n  location: LOCAL_MACHINE\n  nmae: \"My\"\n}\n",
                     SnapshotFormat::kText, "bad.textproto");
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().location.has_value());
  EXPECT_EQ(r.error().location->file, "bad.textproto");
  EXPECT_EQ(r.error().location->line, 4u);
  EXPECT_NE(r.error().to_string().find("bad.textproto:4:"), std::string::npos)
      << r.error().to_string();
  EXPECT_NE(r.error().message.find("nmae"), std::string::npos);
}

TEST(SnapshotErrors, BinaryGarbageIsRejectedWithTheFileName) {
  auto r = parse_snapshot(std::string("\xff\xff\xff\xff\x0f garbage", 13), SnapshotFormat::kBinary,
                          "junk.pb");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find("junk.pb"), std::string::npos);
}

TEST(SnapshotErrors, WrongFormatVersionIsRejected) {
  auto r = parse_snapshot("format_version: 7\n", SnapshotFormat::kText, "v7.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("format_version 7"), std::string::npos);
}

// Edits one certificate of a valid snapshot and expects a located, explained error.
std::string seed_text() { return text_of(build_scenario("ca-ksp-keyspec2").value()); }

TEST(SnapshotErrors, CertificateThatIsNotDerIsRejected) {
  auto text = seed_text();
  const auto at = text.find("der: \"") + 6;
  text.insert(at, "JUNK");
  auto r = parse_snapshot(text, SnapshotFormat::kText, "s.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("certificate 0"), std::string::npos) << r.error().message;
}

TEST(SnapshotErrors, HashPropertyThatDoesNotMatchTheDerIsRejected) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(0)
      .set(repair::PropertyId::CERT_SHA1_HASH_PROP_ID, repair::Bytes(20, 0));
  // The writer marks the stale value; a file without the mark (edited by hand) is refused.
  std::string text = text_of(machine);
  const std::string mark = "    stale_hash: true\n";
  const auto at = text.find(mark);
  ASSERT_NE(at, std::string::npos) << text;
  text.erase(at, mark.size());
  auto r = parse_snapshot(text, SnapshotFormat::kText, "s.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("CERT_SHA1_HASH_PROP_ID(3) does not match"), std::string::npos)
      << r.error().message;
}

TEST(SnapshotRoundTrip, StaleHashAndEncodingFieldsAreKept) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  auto& store = machine.store(StoreLocation::kLocalMachine, "My");
  store.properties(0).set(repair::PropertyId::CERT_SHA1_HASH_PROP_ID, repair::Bytes(20, 0xAB), 7);
  store.set_encoding(0, 0x10001);
  for (auto format : {SnapshotFormat::kText, SnapshotFormat::kBinary}) {
    auto data = serialize_snapshot(machine, format);
    ASSERT_TRUE(data) << data.error().to_string();
    auto loaded = parse_snapshot(*data, format, "s");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    const auto& back = loaded->store(StoreLocation::kLocalMachine, "My");
    EXPECT_EQ(back.at(0).encoding, 0x10001u);
    const auto& entries = back.at(0).facts.properties.entries();
    const auto entry = std::find_if(entries.begin(), entries.end(), [](const auto& e) {
      return e.id == repair::PropertyId::CERT_SHA1_HASH_PROP_ID;
    });
    ASSERT_NE(entry, entries.end());
    EXPECT_EQ(entry->value, repair::Bytes(20, 0xAB));
    EXPECT_EQ(entry->encoding, 7u);
  }
}

TEST(SnapshotErrors, MalformedKeyProviderInfoIsRejected) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(0)
      .set(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID, repair::Bytes{1, 2, 3});
  auto r = parse_snapshot(text_of(machine), SnapshotFormat::kText, "s.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("CERT_KEY_PROV_INFO_PROP_ID value"), std::string::npos);
}

TEST(SnapshotErrors, DuplicateContainersAndBadKeysAreRejected) {
  auto text = seed_text();
  const auto start = text.find("providers {");
  ASSERT_NE(start, std::string::npos);
  const auto containers = text.find("  containers {", start);
  const auto end = text.find("\n  }\n", containers) + 5;
  std::string duplicated = text;
  duplicated.insert(end, text.substr(containers, end - containers));
  auto dup = parse_snapshot(duplicated, SnapshotFormat::kText, "s.textproto");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("already exists"), std::string::npos) << dup.error().message;

  std::string bad_key = text;
  const auto pem = bad_key.find("-----BEGIN PRIVATE KEY-----");
  ASSERT_NE(pem, std::string::npos);
  bad_key.replace(pem + 40, 20, "AAAAAAAAAAAAAAAAAAAA");
  auto key = parse_snapshot(bad_key, SnapshotFormat::kText, "s.textproto");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("Contoso CA"), std::string::npos) << key.error().message;
}

TEST(SnapshotErrors, MissingFileNamesTheFile) {
  auto r = load_snapshot("/nonexistent/dir/s.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, repair::ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("/nonexistent/dir/s.textproto"), std::string::npos);
}

TEST(SnapshotFormatChoice, ExtensionDecidesTextOrBinary) {
  EXPECT_EQ(snapshot_format_for("a.textproto"), SnapshotFormat::kText);
  EXPECT_EQ(snapshot_format_for("a.TXTPB"), SnapshotFormat::kText);
  EXPECT_EQ(snapshot_format_for("a.pb"), SnapshotFormat::kBinary);
  EXPECT_EQ(snapshot_format_for("snapshot"), SnapshotFormat::kBinary);
}

}  // namespace
}  // namespace certbed::emulator
