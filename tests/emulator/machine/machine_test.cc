#include "certbed/emulator/machine/machine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {
namespace {

namespace wc = repair::wincrypt;

ossl::SharedPkey key(KeyAlgorithm alg = KeyAlgorithm::kRsa2048, std::size_t skip = 0) {
  auto keys = KeySource::deterministic();
  for (std::size_t i = 0; i < skip; ++i) (void)keys.next(alg);
  return keys.next(alg).value();
}

repair::Bytes make_cert(const ossl::SharedPkey& k, const std::string& cn,
                        const std::string& serial) {
  CertificateSpec spec;
  spec.subject = DistinguishedName{{{"CN", cn}}};
  spec.serial_hex = serial;
  spec.not_before = utc_seconds(2025, 1, 1);
  spec.not_after = utc_seconds(2026, 1, 1);
  return certificate_der(issue_certificate(spec, k.get(), std::nullopt, true).value().get());
}

TEST(Machine, HasTheUsualStoresInBothLocations) {
  Machine machine;
  for (auto location : {StoreLocation::kLocalMachine, StoreLocation::kCurrentUser}) {
    for (const char* name : {"My", "Root", "CA", "Request"}) {
      EXPECT_NE(machine.find_store(location, name), nullptr) << name;
    }
  }
  EXPECT_NE(machine.find_store(StoreLocation::kLocalMachine, "my"), nullptr);
  EXPECT_EQ(machine.find_store(StoreLocation::kLocalMachine, "Disallowed"), nullptr);
  EXPECT_EQ(machine.store(StoreLocation::kLocalMachine, "Disallowed").description(),
            "LocalMachine\\Disallowed");
}

TEST(CertificateStore, LooksUpByThumbprintAndSerialAndRejectsDuplicates) {
  Machine machine;
  auto& my = machine.store(StoreLocation::kLocalMachine, "My");
  auto a = make_cert(key(), "a.contoso.com", "0a01");
  auto b = make_cert(key(KeyAlgorithm::kRsa2048, 1), "b.contoso.com", "0a02");
  auto c = make_cert(key(KeyAlgorithm::kRsa2048, 2), "c.contoso.com", "0a01");  // same serial as a
  ASSERT_EQ(my.add(a, {}).value(), 0u);
  ASSERT_EQ(my.add(b, {}).value(), 1u);
  ASSERT_EQ(my.add(c, {}).value(), 2u);
  EXPECT_EQ(my.find_by_sha1(my.at(1).facts.sha1), 1u);
  EXPECT_FALSE(my.find_by_sha1(std::string(40, '0')).has_value());
  EXPECT_EQ(my.find_by_serial("0a01"), (std::vector<std::size_t>{0, 2}));
  auto again = my.add(a, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, repair::ErrorCode::kConflict);
  EXPECT_FALSE(my.add(repair::Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, {}).ok());
}

TEST(CertificateStoreDeathTest, AtPastTheEndStopsWithAMessageNamingTheStore) {
  Machine machine;
  auto& my = machine.store(StoreLocation::kLocalMachine, "My");
  ASSERT_EQ(my.add(make_cert(key(), "a.contoso.com", "0a01"), {}).value(), 0u);
  EXPECT_DEATH((void)my.at(1), "certificate 1 of LocalMachine.My, which holds 1");
  EXPECT_DEATH((void)my.properties(5), "certificate 5 of LocalMachine.My, which holds 1");
}

TEST(CertificateStore, DerivedPropertiesAreAddedAfterTheGivenOnesAndKeepOrder) {
  Machine machine;
  auto& my = machine.store(StoreLocation::kLocalMachine, "My");
  repair::PropertyBag bag;
  bag.set(repair::PropertyId::CERT_FRIENDLY_NAME_PROP_ID, repair::Bytes{'x', 0, 0, 0});
  auto index = my.add(make_cert(key(), "a", "01"), bag).value();
  const auto& entries = my.at(index).facts.properties.entries();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].id, repair::PropertyId::CERT_FRIENDLY_NAME_PROP_ID);
  EXPECT_EQ(entries[1].id, repair::PropertyId::CERT_SHA1_HASH_PROP_ID);
  EXPECT_EQ(repair::to_hex(entries[1].value), my.at(index).facts.sha1);
}

TEST(KeyProviders, KnownProvidersHaveTheirWindowsTypes) {
  EXPECT_EQ(find_known_provider("microsoft software key storage provider")->type, 0u);
  EXPECT_EQ(find_known_provider(wc::MS_PLATFORM_CRYPTO_PROVIDER)->kind, ProviderKind::kKsp);
  EXPECT_EQ(find_known_provider(wc::MS_SMART_CARD_KEY_STORAGE_PROVIDER)->kind, ProviderKind::kKsp);
  EXPECT_EQ(find_known_provider(wc::MS_ENHANCED_PROV)->type, 1u);
  EXPECT_EQ(find_known_provider(wc::MS_STRONG_PROV)->type, 1u);
  EXPECT_EQ(find_known_provider(wc::MS_ENH_RSA_AES_PROV)->type, 24u);
  EXPECT_FALSE(find_known_provider("Securosys Primus HSM Key Storage Provider").has_value());
  Machine machine;
  EXPECT_EQ(machine.provider("Securosys Primus HSM Key Storage Provider").info().kind,
            ProviderKind::kKsp);
}

TEST(KeyProviders, KspContainersHoldOneKeyWithKeySpecZero) {
  Machine machine;
  auto ok = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "web", {{0, key()}},
                                     repair::KeyScope::kMachine, false);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_FALSE(machine
                   .create_container(wc::MS_KEY_STORAGE_PROVIDER, "bad", {{2, key()}},
                                     repair::KeyScope::kMachine, false)
                   .ok());
  EXPECT_FALSE(machine
                   .create_container(wc::MS_KEY_STORAGE_PROVIDER, "two", {{0, key()}, {0, key()}},
                                     repair::KeyScope::kMachine, false)
                   .ok());
  auto duplicate = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "WEB", {{0, key()}},
                                            repair::KeyScope::kMachine, false);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, repair::ErrorCode::kConflict);
  // The same name in another provider is a different container.
  EXPECT_TRUE(machine
                  .create_container(wc::MS_PLATFORM_CRYPTO_PROVIDER, "web",
                                    {{0, key(KeyAlgorithm::kEcP256)}}, repair::KeyScope::kMachine,
                                    false)
                  .ok());
}

TEST(KeyProviders, CspContainersHoldRsaKeysPerKeySpec) {
  Machine machine;
  auto both = machine.create_container(
      wc::MS_ENHANCED_PROV, "legacy",
      {{wc::AT_KEYEXCHANGE, key()}, {wc::AT_SIGNATURE, key(KeyAlgorithm::kRsa2048, 1)}},
      repair::KeyScope::kUser, true);
  ASSERT_TRUE(both.ok()) << both.error().to_string();
  EXPECT_NE((*both)->find_key(wc::AT_SIGNATURE), nullptr);
  EXPECT_FALSE(machine
                   .create_container(wc::MS_ENHANCED_PROV, "ec", {{1, key(KeyAlgorithm::kEcP256)}},
                                     repair::KeyScope::kUser, true)
                   .ok());
  EXPECT_FALSE(machine
                   .create_container(wc::MS_ENHANCED_PROV, "zero", {{0, key()}},
                                     repair::KeyScope::kUser, true)
                   .ok());
  EXPECT_FALSE(machine
                   .create_container(wc::MS_ENHANCED_PROV, "dup", {{1, key()}, {1, key()}},
                                     repair::KeyScope::kUser, true)
                   .ok());
}

TEST(KeyProviders, FactsDescribeEveryKeyWithItsPublicKeyId) {
  Machine machine;
  auto k1 = key();
  auto k2 = key(KeyAlgorithm::kRsa2048, 1);
  ASSERT_TRUE(machine
                  .create_container(wc::MS_STRONG_PROV, "legacy",
                                    {{wc::AT_KEYEXCHANGE, k1}, {wc::AT_SIGNATURE, k2}},
                                    repair::KeyScope::kMachine, false)
                  .ok());
  auto facts = machine.key_container_facts();
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].provider, wc::MS_STRONG_PROV);
  EXPECT_EQ(facts[0].provider_type, 1u);
  ASSERT_EQ(facts[0].keys.size(), 2u);
  EXPECT_EQ(facts[0].find_key(1)->public_key_id, public_key_id(k1.get()));
  EXPECT_EQ(facts[0].find_key(2)->public_key_id, public_key_id(k2.get()));
  EXPECT_EQ(facts[0].find_key(1)->algorithm, "RSA");
  EXPECT_EQ(facts[0].find_key(1)->bits, 2048u);
  EXPECT_EQ(facts[0].unique_container, unique_container_name("legacy", machine.machine_guid()));
  EXPECT_NE(facts[0].unique_container.find('_' + machine.machine_guid()), std::string::npos);
}

}  // namespace
}  // namespace certbed::emulator

namespace certbed::emulator {
namespace {

TEST(CertificateIndex, FindsEveryThumbprintAndRefusesWhatIsNotOne) {
  ThumbprintIndex index;
  std::vector<std::string> keys;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    keys.push_back(repair::to_hex(
        sha1(repair::Bytes{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)})));
    ASSERT_TRUE(index.insert(keys.back(), i));
  }
  EXPECT_FALSE(index.insert(keys[17], 99));  // present already
  for (std::uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(index.find(keys[i]), i);
  std::string upper = keys[3];
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(index.find(upper).has_value());  // callers normalize first
  EXPECT_FALSE(index.find(keys[3].substr(0, 39)).has_value());
  EXPECT_FALSE(index.find(std::string(40, 'g')).has_value());
  EXPECT_FALSE(index.find(repair::to_hex(sha1(repair::Bytes{1, 2, 3}))).has_value());
}

TEST(CertificateIndex, HashedPositionsGivesEveryPositionOfAKey) {
  HashedPositions index;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    index.insert(HashedPositions::hash("serial-" + std::to_string(i % 1000)), i);
  }
  std::vector<std::uint32_t> found;
  index.for_each(HashedPositions::hash("serial-7"), [&](std::uint32_t p) { found.push_back(p); });
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::uint32_t>{7, 1007, 2007}));
}

}  // namespace
}  // namespace certbed::emulator
