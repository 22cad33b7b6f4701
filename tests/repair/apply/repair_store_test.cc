#include "certbed/repair/apply/repair_store.h"

#include <gtest/gtest.h>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::Machine;
using emulator::StoreLocation;

std::string text_of(const Machine& machine) {
  return emulator::serialize_snapshot(machine, emulator::SnapshotFormat::kText).value();
}

PropertyInf inf(std::string_view text) { return parse_property_inf(text, "t.inf").value(); }

const char* kSeedFix =
    "[Properties]\r\n2 = \"{text}\"\r\n_continue_=\"Container = Contoso CA&\"\r\n"
    "_continue_=\"Provider = Microsoft Software Key Storage Provider&\"\r\n"
    "_continue_=\"ProviderType = 0&\"\r\n_continue_=\"Flags = 0x20&\"\r\n_continue_=\"KeySpec = "
    "0\"\r\n";

TEST(RepairStore, KspKeySpecTwoBecomesZeroAndNothingElseChanges) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto before = text_of(machine);
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto serial = store.certificate(0).serial;
  const auto old_value =
      *store.certificate(0).properties.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID);

  const auto fix = inf(kSeedFix);
  auto result = repair_store(store, "\"" + serial + "\"", &fix);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  ASSERT_EQ(result->changes.size(), 1u);
  EXPECT_EQ(result->changes[0].id, PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  EXPECT_EQ(result->changes[0].before, old_value);
  EXPECT_EQ(result->transcript.back(), "CertUtil: -repairstore command completed successfully.");
  EXPECT_EQ(store.certificate(0).key_prov_info().value()->key_spec, 0u);

  // The whole machine equals the healthy twin: only property 2's KeySpec DWORD moved.
  EXPECT_EQ(text_of(machine), text_of(emulator::build_scenario("ca-ksp-healthy").value()));
  auto new_value = *store.certificate(0).properties.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  ASSERT_EQ(new_value.size(), old_value.size());
  for (std::size_t i = 0; i < new_value.size(); ++i) {
    if (i != 24) {
      EXPECT_EQ(new_value[i], old_value[i]) << i;
    }
  }
  EXPECT_NE(before, text_of(machine));
}

TEST(RepairStore, AnInfRewriteThatWouldDropProviderParametersIsRefused) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto cert = store.certificate(0);
  KeyProvInfo with_params = *cert.key_prov_info().value();
  with_params.params.push_back(KeyProvParam{0x10, Bytes{1, 2, 3}, 0});
  {
    auto tx = store.begin_transaction().value();
    ASSERT_TRUE(tx->set_property(cert.sha1, PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                 encode_key_prov_info(with_params).value())
                    .ok());
    ASSERT_TRUE(tx->commit().ok());
  }
  const auto before = text_of(machine);
  const auto fix = inf(kSeedFix);
  auto result = repair_store(store, cert.serial, &fix);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnsafe);
  EXPECT_NE(result.error().message.find("provider parameter"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(text_of(machine), before);
}

TEST(RepairStore, ApplyingTheSameInfTwiceChangesNothingTheSecondTime) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto fix = inf(kSeedFix);
  ASSERT_TRUE(repair_store(store, "0", &fix).ok());
  const auto after_first = text_of(machine);
  auto second = repair_store(store, "0", &fix);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->changes.empty());
  EXPECT_EQ(text_of(machine), after_first);
}

TEST(RepairStore, PropertiesNotNamedInTheInfStayByteIdentical) {
  auto machine = emulator::build_scenario("web-healthy").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto before = store.certificate(1).properties;
  const auto fix = inf("[Properties]\n11 = \"{text}Web server\"\n19 = Empty\n");
  ASSERT_TRUE(repair_store(store, store.certificate(1).sha1, &fix).ok());
  const auto after = store.certificate(1).properties;
  ASSERT_EQ(after.size(), before.size() + 2);
  for (const auto& entry : before.entries()) {
    ASSERT_NE(after.find(entry.id), nullptr);
    EXPECT_EQ(*after.find(entry.id), entry.value) << property_label(entry.id);
  }
  // Deleting works too, and deleting what is absent is no change.
  const auto remove = inf("[Properties]\n19 =\n13 =\n");
  auto removed = repair_store(store, "1", &remove);
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->changes.size(), 1u);
  EXPECT_FALSE(removed->changes[0].after.has_value());
  EXPECT_FALSE(store.certificate(1).properties.contains(PropertyId::CERT_ARCHIVED_PROP_ID));
}

TEST(RepairStore, AFailureInTheMiddleOfAMultiCertificateRepairLeavesTheStoreAsItWas) {
  auto machine = emulator::build_scenario("web-healthy").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto before = text_of(machine);
  const auto fix = inf("[Properties]\n11 = \"{text}Renamed\"\n19 = Empty\n");
  store.fail_next_commit_after(3);  // 4 writes: 2 certificates x 2 properties
  auto result = repair_store(store, "0,1", &fix);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(text_of(machine), before);
}

TEST(RepairStore, AnUnmatchedIdChangesNothing) {
  auto machine = emulator::build_scenario("web-healthy").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto before = text_of(machine);
  const auto fix = inf("[Properties]\n19 = Empty\n");
  auto result = repair_store(store, "0,deadbeef", &fix);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(text_of(machine), before);
}

TEST(RepairStore, WithoutInfRestoresALostKeyAssociation) {
  auto machine = emulator::build_scenario("web-lost-key-association").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  ASSERT_FALSE(store.certificate(1).key_prov_info().value().has_value());
  auto result = repair_store(store, store.certificate(1).serial, nullptr);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  const auto info = store.certificate(1).key_prov_info().value().value();
  EXPECT_EQ(info.container, "te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59");
  EXPECT_EQ(info.provider, wincrypt::MS_KEY_STORAGE_PROVIDER);
  EXPECT_EQ(info.provider_type, 0u);
  EXPECT_EQ(info.flags, wincrypt::CRYPT_MACHINE_KEYSET);
  EXPECT_EQ(info.key_spec, 0u);
  EXPECT_NE(std::find(result->transcript.begin(), result->transcript.end(),
                      "Microsoft Software Key Storage Provider: KeySpec=0"),
            result->transcript.end());
  // Property 2 is now byte for byte what the healthy twin's certificate carries.
  auto healthy = emulator::build_scenario("web-healthy").value();
  EmulatedStore healthy_store(healthy, StoreLocation::kLocalMachine, "My");
  ASSERT_EQ(healthy_store.certificate(1).sha1, store.certificate(1).sha1);
  const auto repaired = store.certificate(1).properties;
  const auto twin = healthy_store.certificate(1).properties;
  const Bytes* repaired_value = repaired.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  const Bytes* twin_value = twin.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  ASSERT_NE(repaired_value, nullptr);
  ASSERT_NE(twin_value, nullptr);
  EXPECT_EQ(to_hex(*repaired_value), to_hex(*twin_value));
  auto again = repair_store(store, "1", nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->changes.empty());
}

TEST(RepairStore, WithoutInfTheSeedBecomesKeySpecZero) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  ASSERT_TRUE(repair_store(store, "0", nullptr).ok());
  EXPECT_EQ(text_of(machine), text_of(emulator::build_scenario("ca-ksp-healthy").value()));
}

TEST(RepairStore, CspKeyAssociationUsesTheKeySpecOfTheMatchingKey) {
  auto machine = emulator::build_scenario("ca-csp-keyspec1").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  auto tx = store.begin_transaction().value();
  ASSERT_TRUE(
      tx->delete_property(store.certificate(0).sha1, PropertyId::CERT_KEY_PROV_INFO_PROP_ID).ok());
  ASSERT_TRUE(tx->commit().ok());
  ASSERT_TRUE(repair_store(store, "0", nullptr).ok());
  const auto info = store.certificate(0).key_prov_info().value().value();
  EXPECT_EQ(info.provider, wincrypt::MS_STRONG_PROV);
  EXPECT_EQ(info.provider_type, 1u);
  EXPECT_EQ(info.key_spec, wincrypt::AT_KEYEXCHANGE);
}

TEST(RepairStore, KeyAssociationFindsTheRightContainerAmongMany) {
  Machine machine;
  auto keys = emulator::KeySource::random();
  const std::vector<std::string> providers = {std::string(wincrypt::MS_KEY_STORAGE_PROVIDER),
                                              std::string(wincrypt::MS_PLATFORM_CRYPTO_PROVIDER),
                                              "Contoso HSM Key Storage Provider"};
  emulator::ossl::SharedPkey wanted;
  for (int i = 0; i < 30; ++i) {
    auto key = keys.next(emulator::KeyAlgorithm::kEcP256).value();
    if (i == 17) wanted = key;
    ASSERT_TRUE(machine
                    .create_container(providers[i % providers.size()], "key-" + std::to_string(i),
                                      {{0, key}}, KeyScope::kMachine, false)
                    .ok());
  }
  // A user CSP container with an unrelated RSA key sits among them; the search must pass it by.
  ASSERT_TRUE(machine
                  .create_container(wincrypt::MS_ENHANCED_PROV, "legacy",
                                    {{1, emulator::KeySource::deterministic()
                                             .next(emulator::KeyAlgorithm::kRsa2048)
                                             .value()}},
                                    KeyScope::kUser, true)
                  .ok());
  emulator::CertificateSpec spec;
  spec.subject = emulator::DistinguishedName{{{"CN", "needle.contoso.com"}}};
  spec.not_before = emulator::utc_seconds(2025, 1, 1);
  spec.not_after = emulator::utc_seconds(2026, 1, 1);
  auto cert = emulator::issue_certificate(spec, wanted.get(), std::nullopt, false).value();
  ASSERT_TRUE(machine.store(StoreLocation::kLocalMachine, "My")
                  .add(emulator::certificate_der(cert.get()), {})
                  .ok());
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  auto r = repair_store(store, "0", nullptr);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto info = store.certificate(0).key_prov_info().value().value();
  EXPECT_EQ(info.container, "key-17");
  EXPECT_EQ(info.provider, providers[17 % providers.size()]);
  EXPECT_EQ(info.key_spec, 0u);
}

TEST(RepairStore, AKeyInTwoContainersIsAmbiguousUnlessTheProviderIsNamed) {
  Machine machine;
  auto key = emulator::KeySource::deterministic().next(emulator::KeyAlgorithm::kRsa2048).value();
  ASSERT_TRUE(machine
                  .create_container(wincrypt::MS_KEY_STORAGE_PROVIDER, "a", {{0, key}},
                                    KeyScope::kMachine, false)
                  .ok());
  ASSERT_TRUE(
      machine.create_container(wincrypt::MS_STRONG_PROV, "b", {{2, key}}, KeyScope::kMachine, false)
          .ok());
  emulator::CertificateSpec spec;
  spec.subject = emulator::DistinguishedName{{{"CN", "twin"}}};
  spec.serial_hex = "01";
  spec.not_before = emulator::utc_seconds(2025, 1, 1);
  spec.not_after = emulator::utc_seconds(2026, 1, 1);
  auto cert = emulator::issue_certificate(spec, key.get(), std::nullopt, true).value();
  ASSERT_TRUE(machine.store(StoreLocation::kLocalMachine, "My")
                  .add(emulator::certificate_der(cert.get()), {})
                  .ok());
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  auto ambiguous = repair_store(store, "0", nullptr);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.error().code, ErrorCode::kAmbiguous);
  RepairStoreOptions csp;
  csp.provider = "microsoft strong cryptographic provider";
  ASSERT_TRUE(repair_store(store, "0", nullptr, csp).ok());
  const auto info = store.certificate(0).key_prov_info().value().value();
  EXPECT_EQ(info.container, "b");
  EXPECT_EQ(info.key_spec, wincrypt::AT_SIGNATURE);
}

TEST(RepairStore, WithoutInfAStandardUserCannotOpenTheMachineKeySoNothingChanges) {
  auto machine = emulator::build_scenario("web-lost-key-association").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  store.set_caller(emulator::Caller::standard_user());
  const auto before = text_of(machine);
  auto r = repair_store(store, "1", nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  const auto& message = r.error().message;
  EXPECT_NE(message.find("could not be opened"), std::string::npos) << message;
  EXPECT_NE(message.find("te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59"), std::string::npos)
      << message;
  EXPECT_NE(message.find("NCryptOpenKey"), std::string::npos) << message;
  EXPECT_NE(message.find("standard-user"), std::string::npos) << message;
  EXPECT_EQ(text_of(machine), before);
}

// A key file whose ACL grants Read to SYSTEM and one service account only: an elevated
// administrator's -repairstore cannot open it, the service account's can.
TEST(RepairStore, WithoutInfOnlyACallerTheKeyAclGrantsFindsTheKey) {
  Machine machine;
  auto key = emulator::KeySource::deterministic().next(emulator::KeyAlgorithm::kRsa2048).value();
  ASSERT_TRUE(machine
                  .create_container(wincrypt::MS_STRONG_PROV, "sql", {{1, key}}, KeyScope::kMachine,
                                    false, {"NT AUTHORITY\\SYSTEM", "NT SERVICE\\MSSQLSERVER"})
                  .ok());
  emulator::CertificateSpec spec;
  spec.subject = emulator::DistinguishedName{{{"CN", "sql01.contoso.com"}}};
  spec.serial_hex = "02";
  spec.not_before = emulator::utc_seconds(2025, 1, 1);
  spec.not_after = emulator::utc_seconds(2026, 1, 1);
  auto cert = emulator::issue_certificate(spec, key.get(), std::nullopt, false).value();
  ASSERT_TRUE(machine.store(StoreLocation::kLocalMachine, "My")
                  .add(emulator::certificate_der(cert.get()), {})
                  .ok());
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");

  auto as_admin = repair_store(store, "0", nullptr);
  ASSERT_FALSE(as_admin.ok());
  EXPECT_NE(as_admin.error().message.find("CryptAcquireContext"), std::string::npos)
      << as_admin.error().message;
  EXPECT_FALSE(store.certificate(0).key_prov_info().value().has_value());

  store.set_caller(emulator::Caller::service_account("NT SERVICE\\MSSQLSERVER"));
  auto as_service = repair_store(store, "0", nullptr);
  ASSERT_TRUE(as_service.ok()) << as_service.error().to_string();
  const auto info = store.certificate(0).key_prov_info().value().value();
  EXPECT_EQ(info.container, "sql");
  EXPECT_EQ(info.key_spec, wincrypt::AT_KEYEXCHANGE);
}

TEST(RepairStore, NoMatchingKeyIsAnErrorThatChangesNothing) {
  auto machine = emulator::build_scenario("web-lost-key-association").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto before = text_of(machine);
  RepairStoreOptions only_tpm;
  only_tpm.provider = std::string(wincrypt::MS_PLATFORM_CRYPTO_PROVIDER);
  auto r = repair_store(store, "0,1", nullptr, only_tpm);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(text_of(machine), before);
}

}  // namespace
}  // namespace certbed::repair
