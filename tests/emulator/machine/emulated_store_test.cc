#include "certbed/emulator/machine/emulated_store.h"

#include <gtest/gtest.h>

#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {
namespace {

using repair::PropertyId;

std::string text_of(const Machine& machine) {
  return serialize_snapshot(machine, SnapshotFormat::kText).value();
}

repair::Bytes key_spec_zero_value() {
  return repair::encode_key_prov_info(
             repair::KeyProvInfo{"Contoso CA",
                                 std::string(repair::wincrypt::MS_KEY_STORAGE_PROVIDER),
                                 0,
                                 0x20,
                                 0,
                                 {}})
      .value();
}

TEST(EmulatedStore, CommitAppliesStagedChangesTogether) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto sha1 = store.certificate(0).sha1;
  auto tx = store.begin_transaction().value();
  ASSERT_TRUE(
      tx->set_property(sha1, PropertyId::CERT_KEY_PROV_INFO_PROP_ID, key_spec_zero_value()).ok());
  ASSERT_TRUE(tx->set_property(sha1, PropertyId::CERT_FRIENDLY_NAME_PROP_ID, {'C', 0, 0, 0}).ok());
  // Staged changes are invisible until commit.
  EXPECT_EQ(store.certificate(0).key_prov_info().value()->key_spec, 2u);
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_EQ(store.certificate(0).key_prov_info().value()->key_spec, 0u);
  EXPECT_TRUE(store.certificate(0).properties.contains(PropertyId::CERT_FRIENDLY_NAME_PROP_ID));
  EXPECT_FALSE(tx->commit().ok());  // a transaction commits once
}

TEST(EmulatedStore, DroppingATransactionChangesNothing) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  const auto before = text_of(machine);
  {
    EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
    auto tx = store.begin_transaction().value();
    ASSERT_TRUE(
        tx->delete_property(store.certificate(0).sha1, PropertyId::CERT_KEY_PROV_INFO_PROP_ID)
            .ok());
  }
  EXPECT_EQ(text_of(machine), before);
}

TEST(EmulatedStore, AFailureInTheMiddleOfACommitRestoresEveryCertificate) {
  auto machine = build_scenario("web-healthy").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  ASSERT_EQ(store.size(), 2u);
  const auto before = text_of(machine);
  auto tx = store.begin_transaction().value();
  ASSERT_TRUE(
      tx->delete_property(store.certificate(0).sha1, PropertyId::CERT_KEY_PROV_INFO_PROP_ID).ok());
  ASSERT_TRUE(
      tx->set_property(store.certificate(1).sha1, PropertyId::CERT_ARCHIVED_PROP_ID, {}).ok());
  ASSERT_TRUE(
      tx->delete_property(store.certificate(1).sha1, PropertyId::CERT_SHA1_HASH_PROP_ID).ok());
  store.fail_next_commit_after(2);
  auto committed = tx->commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_NE(committed.error().message.find("rolled back"), std::string::npos);
  EXPECT_EQ(text_of(machine), before);
}

TEST(EmulatedStore, RejectsUnknownCertificatesAndInvalidValuesBeforeCommit) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  auto tx = store.begin_transaction().value();
  auto unknown = tx->set_property(std::string(40, 'a'), PropertyId::CERT_ARCHIVED_PROP_ID, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, repair::ErrorCode::kNotFound);
  const auto sha1 = store.certificate(0).sha1;
  EXPECT_FALSE(tx->set_property(sha1, static_cast<PropertyId>(32), {}).ok());
  EXPECT_FALSE(tx->set_property(sha1, PropertyId::CERT_KEY_PROV_INFO_PROP_ID, {1, 2, 3}).ok());
}

TEST(EmulatedStore, StaysValidWhenTheMachineIsReplaced) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  machine = build_scenario("web-healthy").value();  // what a committed renewal does
  ASSERT_EQ(store.size(), 2u);
  EXPECT_EQ(store.certificate(1).subject, "CN=web01.contoso.com, O=Contoso");
}

TEST(EmulatedStore, ReportsTheMachinesKeyContainers) {
  auto machine = build_scenario("web-healthy").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  auto containers = store.key_containers();
  ASSERT_EQ(containers.size(), 2u);
  // The web certificate's public key id matches exactly one container's key.
  const auto web = store.certificate(1);
  int matches = 0;
  for (const auto& c : containers) {
    for (const auto& k : c.keys) matches += k.public_key_id == web.public_key_id ? 1 : 0;
  }
  EXPECT_EQ(matches, 1);
}

}  // namespace
}  // namespace certbed::emulator
