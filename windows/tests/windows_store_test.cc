// The crypt32 backend on system stores, as certbed runs on a live machine: what is written
// persists across a reopen (Wine keeps system stores in its registry), the seed article's
// repair through the portable engine changes KeySpec 2 to 0 for good, and a failure mid-commit
// leaves the persisted properties as they were.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/windows/crypt_store.h"
#include "certbed/windows/journal.h"
#include "certbed/windows/win_text.h"
#include "contract_fixture.h"

namespace certbed::windows {
namespace {

using repair::StoreLocation;

// wincrypt.h defines the property ids as macros, so repair's enumerators cannot be spelled here.
constexpr auto kKeyProvInfoId = static_cast<repair::PropertyId>(CERT_KEY_PROV_INFO_PROP_ID);
constexpr auto kFriendlyNameId = static_cast<repair::PropertyId>(CERT_FRIENDLY_NAME_PROP_ID);

// The seed article's KeyProv.inf for the fixture CA's key (container "Contoso CA").
constexpr std::string_view kKeyProvInf =
    "[Properties]\r\n"
    "2 = \"{text}\"\r\n"
    "_continue_=\"Container = Contoso CA&\"\r\n"
    "_continue_=\"Provider = Microsoft Software Key Storage Provider&\"\r\n"
    "_continue_=\"ProviderType = 0&\"\r\n"
    "_continue_=\"Flags = 0x20&\"\r\n"
    "_continue_=\"KeySpec = 0\"\r\n";

const contract::FixtureCertificate& seed_ca() { return contract::fixture_certificates().front(); }

// A system store of its own per test, removed afterwards (CertUnregisterSystemStore).
class LiveStore : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = "certbed-live-" + std::to_string(GetCurrentProcessId()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    auto wide = to_wide(name_).value();
    CertUnregisterSystemStore(wide.c_str(),
                              CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_DELETE_FLAG);
  }
  repair::Result<CryptStore> open(bool create = false) const {
    return CryptStore::open_system(StoreLocation::kLocalMachine, name_, create);
  }
  // The seed CA certificate with property 2 as the seed article finds it (KSP, KeySpec 2).
  void add_seed_ca() {
    auto store = open(/*create=*/true);
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    auto der = contract::read_fixture(seed_ca().der_file);
    ASSERT_TRUE(der.ok());
    auto added = store->add_encoded(
        *der, {repair::PropertyEntry{
                  kKeyProvInfoId, repair::encode_key_prov_info(*seed_ca().key_prov_info).value()}});
    ASSERT_TRUE(added.ok()) << added.error().to_string();
  }
  static std::uint32_t key_spec_of(const CryptStore& store) {
    return store.certificate(0).key_prov_info().value().value().key_spec;
  }
  static bool has_finding(const CryptStore& store, std::string_view rule) {
    const auto findings = repair::diagnose(store);
    return std::any_of(findings.begin(), findings.end(),
                       [&](const repair::Finding& f) { return f.rule == rule; });
  }

  std::string name_;
};

TEST_F(LiveStore, IdentityIsTheStoreAndLocationOpened) {
  add_seed_ca();
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ(store->identity().name, name_);
  EXPECT_EQ(store->identity().location, StoreLocation::kLocalMachine);
  EXPECT_EQ(store->description(), "LocalMachine\\" + name_);
}

TEST_F(LiveStore, AStoreThatDoesNotExistIsNotCreatedByOpeningIt) {
  auto store = open();
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(name_), std::string::npos) << store.error().message;
}

TEST_F(LiveStore, PropertyTwoPersistsAcrossAReopen) {
  add_seed_ca();
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  ASSERT_EQ(store->size(), 1u);
  EXPECT_EQ(store->certificate(0).sha1, seed_ca().sha1);
  EXPECT_EQ(store->certificate(0).key_prov_info().value(), seed_ca().key_prov_info);
}

TEST_F(LiveStore, SeedRepairWithKeyProvInfSetsKeySpecZeroForGoodAndASecondRunChangesNothing) {
  add_seed_ca();
  {
    auto store = open();
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    EXPECT_EQ(key_spec_of(*store), 2u);
    EXPECT_TRUE(has_finding(*store, "ksp-keyspec-not-zero"));
    auto inf = repair::parse_property_inf(kKeyProvInf, "KeyProv.inf");
    ASSERT_TRUE(inf.ok()) << inf.error().to_string();
    // certutil -repairstore my "<serial>" KeyProv.inf, as the article runs it.
    auto result = repair::repair_store(*store, seed_ca().serial, &*inf);
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    EXPECT_EQ(result->changes.size(), 1u);
  }
  auto reopened = open();
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  EXPECT_EQ(key_spec_of(*reopened), 0u);
  EXPECT_FALSE(has_finding(*reopened, "ksp-keyspec-not-zero"));
  auto inf = repair::parse_property_inf(kKeyProvInf, "KeyProv.inf");
  ASSERT_TRUE(inf.ok());
  auto again = repair::repair_store(*reopened, seed_ca().serial, &*inf);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(again->changes.empty());
}

TEST_F(LiveStore, AFailureMidCommitLeavesThePersistedPropertiesAsTheyWere) {
  add_seed_ca();
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  const auto before = store->certificate(0).properties;
  auto fixed = *seed_ca().key_prov_info;
  fixed.key_spec = 0;
  auto tx = store->begin_transaction();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)
                  ->set_property(seed_ca().sha1, kKeyProvInfoId,
                                 repair::encode_key_prov_info(fixed).value())
                  .ok());
  const repair::Bytes name = {'l', 0, 'i', 0, 'v', 0, 'e', 0, 0, 0};
  ASSERT_TRUE((*tx)->set_property(seed_ca().sha1, kFriendlyNameId, name).ok());
  store->fail_next_commit_after(1);
  EXPECT_FALSE((*tx)->commit().ok());
  auto reopened = open();
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->certificate(0).properties, before);
  EXPECT_EQ(key_spec_of(*reopened), 2u);
}

TEST_F(LiveStore, AJournalThatDoesNotParseOrNamesAMissingCertificateIsAnErrorAndIsKept) {
  add_seed_ca();
  const std::string path = name_ + ".journal";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{not json";
  }
  auto garbage = recover_journal(path);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message.find("not a certbed live journal"), std::string::npos)
      << garbage.error().message;
  EXPECT_TRUE(std::filesystem::exists(path));
  const repair::StoreIdentity identity{name_, StoreLocation::kLocalMachine, "", ""};
  ASSERT_TRUE(
      write_journal(path, identity, {JournalEntry{std::string(40, 'e'), kKeyProvInfoId, {}}}).ok());
  auto missing = recover_journal(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no longer in the store"), std::string::npos)
      << missing.error().message;
  EXPECT_TRUE(std::filesystem::exists(path));
  std::filesystem::remove(path);
  EXPECT_FALSE(recover_journal(path).value().has_value());  // no journal: nothing to do
}

TEST_F(LiveStore, AJournalPutsBackEveryPropertyItRecordsAndIsRemoved) {
  add_seed_ca();
  const std::string path = name_ + ".journal";
  const auto original = repair::encode_key_prov_info(*seed_ca().key_prov_info).value();
  const repair::StoreIdentity identity{name_, StoreLocation::kLocalMachine, "", ""};
  // What a commit cut short after its writes leaves: the journal, and the changed store.
  ASSERT_TRUE(write_journal(path, identity,
                            {JournalEntry{seed_ca().sha1, kKeyProvInfoId, original},
                             JournalEntry{seed_ca().sha1, kFriendlyNameId, std::nullopt}})
                  .ok());
  {
    auto store = open();
    ASSERT_TRUE(store.ok());
    auto fixed = *seed_ca().key_prov_info;
    fixed.key_spec = 0;
    ASSERT_TRUE(
        store->write_property(0, kKeyProvInfoId, repair::encode_key_prov_info(fixed).value()).ok());
    ASSERT_TRUE(store->write_property(0, kFriendlyNameId, repair::Bytes{'x', 0, 0, 0}).ok());
    ASSERT_TRUE(store->flush().ok());
  }
  auto restored = recover_journal(path);
  ASSERT_TRUE(restored.ok()) << restored.error().to_string();
  ASSERT_TRUE(restored->has_value());
  EXPECT_EQ((*restored)->size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(path));
  auto store = open();
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(key_spec_of(*store), 2u);
  EXPECT_FALSE(store->certificate(0).properties.contains(kFriendlyNameId));
}

// A CSP key made in the prefix (Wine's rsaenh keeps CryptoAPI keys, unlike NCrypt ones) and a
// self-signed certificate for it: key_containers() must find the container with the
// certificate's public key id, so the key rules see the key as there.
TEST_F(LiveStore, ACspKeyMadeHereIsAContainerHoldingTheCertificatesKey) {
  const std::wstring container = to_wide(name_).value();
  // Removes the keyset when the test ends (after the provider handle below is released), and
  // first any a previous run of this test left under the same name.
  struct DeleteKeyset {
    std::wstring name;
    void operator()() const {
      HCRYPTPROV gone = 0;
      CryptAcquireContextW(&gone, name.c_str(), MS_ENHANCED_PROV_W, PROV_RSA_FULL,
                           CRYPT_DELETEKEYSET | CRYPT_MACHINE_KEYSET);
    }
    ~DeleteKeyset() { (*this)(); }
  } cleanup{container};
  cleanup();
  CryptProvider provider;
  ASSERT_TRUE(CryptAcquireContextW(provider.out(), container.c_str(), MS_ENHANCED_PROV_W,
                                   PROV_RSA_FULL, CRYPT_NEWKEYSET | CRYPT_MACHINE_KEYSET))
      << GetLastError();
  CryptKey key;
  ASSERT_TRUE(CryptGenKey(provider.get(), AT_KEYEXCHANGE, (2048u << 16), key.out()));
  BYTE name_bytes[256];
  DWORD name_size = sizeof name_bytes;
  ASSERT_TRUE(CertStrToNameW(X509_ASN_ENCODING, L"CN=certbed live CSP", CERT_X500_NAME_STR, nullptr,
                             name_bytes, &name_size, nullptr));
  CERT_NAME_BLOB subject{name_size, name_bytes};
  // Without a CRYPT_KEY_PROV_INFO it would sign with the AT_SIGNATURE key, which is not there.
  CRYPT_KEY_PROV_INFO key_info{};
  key_info.pwszContainerName = const_cast<wchar_t*>(container.c_str());
  key_info.pwszProvName = const_cast<wchar_t*>(MS_ENHANCED_PROV_W);
  key_info.dwProvType = PROV_RSA_FULL;
  key_info.dwFlags = CRYPT_MACHINE_KEYSET;
  key_info.dwKeySpec = AT_KEYEXCHANGE;
  UniqueCertContext certificate(CertCreateSelfSignCertificate(
      provider.get(), &subject, 0, &key_info, nullptr, nullptr, nullptr, nullptr));
  ASSERT_TRUE(certificate) << GetLastError();
  // rsaenh keeps a new key when its container's handle is released, as a finished enrollment
  // releases it.
  key.reset();
  provider.reset();
  const repair::KeyProvInfo link{
      name_, MS_ENHANCED_PROV_A, PROV_RSA_FULL, CRYPT_MACHINE_KEYSET, AT_KEYEXCHANGE, {}};
  {
    auto store = open(/*create=*/true);
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    const repair::Bytes der(certificate->pbCertEncoded,
                            certificate->pbCertEncoded + certificate->cbCertEncoded);
    auto added = store->add_encoded(
        der, {repair::PropertyEntry{kKeyProvInfoId, repair::encode_key_prov_info(link).value()}});
    ASSERT_TRUE(added.ok()) << added.error().to_string();
  }
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  ASSERT_TRUE(store->knows_key_containers());
  const auto facts = store->certificate(0);
  const auto containers = store->key_containers();
  const auto found = std::find_if(containers.begin(), containers.end(), [&](const auto& c) {
    return c.container == name_ && c.provider == MS_ENHANCED_PROV_A;
  });
  ASSERT_NE(found, containers.end());
  EXPECT_EQ(found->scope, repair::KeyScope::kMachine);
  const auto* k = found->find_key(AT_KEYEXCHANGE);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->public_key_id, facts.public_key_id);
  EXPECT_FALSE(facts.public_key_id.empty());
  // The key is there and matches: neither key rule has anything to say about it.
  EXPECT_FALSE(has_finding(*store, "missing-keyset"));
  EXPECT_FALSE(has_finding(*store, "key-does-not-match"));
}

}  // namespace
}  // namespace certbed::windows
