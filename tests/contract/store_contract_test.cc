// The Store contract cases. They see a backend only through StoreBackend and repair::Store, so
// they run unchanged on the emulator, a parsed dump and (built for Windows) crypt32.
#include "store_contract.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/cert_id.h"

namespace certbed::contract {

namespace wc = repair::wincrypt;
using repair::Bytes;
using repair::ErrorCode;
using repair::KeyProvInfo;
using repair::PropertyId;

void PrintTo(const StoreBackend* backend, std::ostream* os) { *os << backend->name(); }

void PrintTo(const CertState& state, std::ostream* os) {
  *os << state.facts.to_string() << " properties {";
  for (const auto& [id, value] : state.properties) *os << " " << id << "=" << repair::to_hex(value);
  *os << " }";
}

void StoreContract::SetUp() {
  auto opened = backend().open();
  ASSERT_TRUE(opened.ok()) << backend().name() << ": " << opened.error().to_string();
  opened_ = std::move(*opened);
}

CertState StoreContract::state_of(std::size_t index) const {
  CertState out;
  out.facts = opened_->store().certificate(index);
  for (const auto& e : out.facts.properties.entries()) out.properties[to_number(e.id)] = e.value;
  out.facts.properties = {};
  return out;
}

std::vector<CertState> StoreContract::state() const {
  std::vector<CertState> out;
  for (std::size_t i = 0; i < opened_->store().size(); ++i) out.push_back(state_of(i));
  return out;
}

std::unique_ptr<repair::Transaction> StoreContract::begin() {
  const auto before = state();
  auto tx = store().begin_transaction();
  if (backend().read_only()) {
    EXPECT_FALSE(tx.ok()) << backend().name() << " is read-only but granted a transaction";
    if (!tx.ok()) {
      EXPECT_EQ(tx.error().code, ErrorCode::kUnsupported) << tx.error().to_string();
      EXPECT_NE(tx.error().message.find("read-only"), std::string::npos) << tx.error().message;
    }
    EXPECT_EQ(state(), before);
    return nullptr;
  }
  if (!tx.ok()) {
    ADD_FAILURE() << backend().name() << " refused a transaction: " << tx.error().to_string();
    return nullptr;
  }
  return std::move(*tx);
}

namespace {

const std::vector<FixtureCertificate>& certs() { return fixture_certificates(); }
const std::string& sha1_of(std::size_t index) { return certs()[index].sha1; }

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// "1f3a5c" -> "1f 3a 5c", as certutil prints serials and thumbprints.
std::string spaced(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ' ';
    out += hex.substr(i, 2);
  }
  return out;
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

using Indexes = std::vector<std::size_t>;

Bytes encoded(const KeyProvInfo& info) { return repair::encode_key_prov_info(info).value(); }

KeyProvInfo new_web_key_link() {
  return KeyProvInfo{"te-WebServer-restored",
                     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                     wc::PROV_CNG_KSP,
                     wc::CRYPT_MACHINE_KEYSET,
                     wc::AT_NONE,
                     {}};
}

// Every byte value once: what a user property may hold.
Bytes all_byte_values() {
  Bytes out(256);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i);
  return out;
}

constexpr auto kUserProperty = static_cast<PropertyId>(wc::CERT_FIRST_USER_PROP_ID + 1);

}  // namespace

// --- Enumeration -------------------------------------------------------------------------------

TEST_P(StoreContract, IdentityNamesTheStoreAndLocationItWasOpenedOn) {
  EXPECT_EQ(store().identity(), backend().expected_identity());
}

TEST_P(StoreContract, SizeIsTheNumberOfFixtureCertificates) {
  EXPECT_EQ(store().size(), certs().size());
}

TEST_P(StoreContract, CertificatesEnumerateInOrderWithTheirSerialSha1SubjectAndIndex) {
  ASSERT_EQ(store().size(), certs().size());
  for (std::size_t i = 0; i < certs().size(); ++i) {
    SCOPED_TRACE(certs()[i].der_file);
    const auto facts = store().certificate(i);
    EXPECT_EQ(facts.index, std::optional<std::uint32_t>(static_cast<std::uint32_t>(i)));
    EXPECT_EQ(facts.serial, certs()[i].serial);
    EXPECT_EQ(facts.sha1, certs()[i].sha1);
    EXPECT_EQ(facts.subject, certs()[i].subject);
  }
}

TEST_P(StoreContract, CertificatesReportThePublicKeyIdOfTheirKey) {
  ASSERT_EQ(store().size(), certs().size());
  for (std::size_t i = 0; i < certs().size(); ++i) {
    EXPECT_EQ(store().certificate(i).public_key_id, certs()[i].public_key_id)
        << certs()[i].der_file;
  }
}

TEST_P(StoreContract, FindBySha1GivesEachCertificatesIndex) {
  for (std::size_t i = 0; i < certs().size(); ++i) {
    EXPECT_EQ(store().find_by_sha1(sha1_of(i)), std::optional<std::size_t>(i));
  }
}

TEST_P(StoreContract, FindBySerialGivesEveryCertificateWithThatSerial) {
  EXPECT_EQ(store().find_by_serial(certs()[kCspKey].serial), Indexes{kCspKey});
  EXPECT_EQ(store().find_by_serial(certs()[kSharedSerialFirst].serial),
            (Indexes{kSharedSerialFirst, kSharedSerialSecond}));
}

TEST_P(StoreContract, FindByUnknownSha1OrSerialGivesNothing) {
  EXPECT_EQ(store().find_by_sha1(std::string(40, 'e')), std::nullopt);
  EXPECT_TRUE(store().find_by_serial("00ff").empty());
}

// --- certID matching (certutil's CertIdList) ---------------------------------------------------

TEST_P(StoreContract, CertIdSerialAsStoredMatchesItsCertificate) {
  for (std::size_t i : {kKspWithUnknownProperty, kCspKey, kWithoutKeyProvInfo}) {
    EXPECT_EQ(repair::match_cert_ids(store(), certs()[i].serial).value(), Indexes{i});
  }
}

TEST_P(StoreContract, CertIdSerialWithSpacesMatches) {
  const auto r = repair::match_cert_ids(store(), spaced(certs()[kWithoutKeyProvInfo].serial));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, Indexes{kWithoutKeyProvInfo});
}

TEST_P(StoreContract, CertIdSerialInUpperCaseMatches) {
  const auto r = repair::match_cert_ids(store(), upper(certs()[kCspKey].serial));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, Indexes{kCspKey});
}

TEST_P(StoreContract, CertIdSha1WithSpacesInUpperCaseMatches) {
  for (std::size_t i = 0; i < certs().size(); ++i) {
    const auto r = repair::match_cert_ids(store(), upper(spaced(sha1_of(i))));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(*r, Indexes{i});
  }
}

TEST_P(StoreContract, CertIdStoreIndexMatchesThatPosition) {
  for (std::size_t i = 0; i < certs().size(); ++i) {
    EXPECT_EQ(repair::match_cert_ids(store(), std::to_string(i)).value(), Indexes{i});
  }
}

TEST_P(StoreContract, CertIdQuotedTokensMatchLikeUnquotedOnes) {
  EXPECT_EQ(repair::match_cert_ids(store(), quoted(spaced(certs()[kCspKey].serial))).value(),
            Indexes{kCspKey});
  EXPECT_EQ(repair::match_cert_ids(store(), quoted(sha1_of(kSharedSerialSecond))).value(),
            Indexes{kSharedSerialSecond});
  EXPECT_EQ(repair::match_cert_ids(store(), quoted("2")).value(), Indexes{2});
}

TEST_P(StoreContract, CertIdListMatchesInStoreOrderWithoutDuplicates) {
  const std::string list = sha1_of(kSharedSerialFirst) + ", 0," + quoted(certs()[kCspKey].serial) +
                           "," + upper(sha1_of(0));
  const auto r = repair::match_cert_ids(store(), list);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, (Indexes{0, kCspKey, kSharedSerialFirst}));
}

TEST_P(StoreContract, CertIdSharedSerialIsAmbiguousAndNamesBothCertificates) {
  for (const auto& form :
       {certs()[kSharedSerialFirst].serial, upper(spaced(certs()[kSharedSerialFirst].serial))}) {
    const auto r = repair::match_cert_ids(store(), form);
    ASSERT_FALSE(r.ok()) << form;
    EXPECT_EQ(r.error().code, ErrorCode::kAmbiguous);
    const std::string both = "indexes " + std::to_string(kSharedSerialFirst) + ", " +
                             std::to_string(kSharedSerialSecond);
    EXPECT_NE(r.error().message.find(both), std::string::npos) << r.error().message;
  }
}

TEST_P(StoreContract, CertIdSha1PicksOneOfTheCertificatesSharingASerial) {
  EXPECT_EQ(repair::match_cert_ids(store(), sha1_of(kSharedSerialFirst)).value(),
            Indexes{kSharedSerialFirst});
  EXPECT_EQ(repair::match_cert_ids(store(), sha1_of(kSharedSerialSecond)).value(),
            Indexes{kSharedSerialSecond});
}

TEST_P(StoreContract, CertIdUnknownSerialSha1OrIndexIsNotFoundNamingTheStore) {
  for (const std::string& token :
       {std::string("00ff"), std::string(40, 'e'), std::to_string(certs().size())}) {
    const auto r = repair::match_cert_ids(store(), token);
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << token;
    EXPECT_NE(r.error().message.find(store().description()), std::string::npos)
        << r.error().message;
  }
}

TEST_P(StoreContract, CertIdListWithOneUnknownTokenMatchesNothing) {
  const auto r = repair::match_cert_ids(store(), "0," + sha1_of(1) + "," + std::string(40, 'e'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, CertIdEmptyTokenIsInvalid) {
  for (const char* list : {"", "0,,1", "\"\""}) {
    const auto r = repair::match_cert_ids(store(), list);
    ASSERT_FALSE(r.ok()) << list;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << list;
  }
}

// --- Properties as loaded ----------------------------------------------------------------------

TEST_P(StoreContract, FixturePropertiesReadBackByteForByte) {
  ASSERT_EQ(store().size(), certs().size());
  for (std::size_t i = 0; i < certs().size(); ++i) {
    const auto facts = store().certificate(i);
    for (const auto& expected : certs()[i].properties()) {
      SCOPED_TRACE(certs()[i].der_file + " property " + std::to_string(to_number(expected.id)));
      const Bytes* actual = facts.properties.find(expected.id);
      ASSERT_NE(actual, nullptr);
      EXPECT_EQ(repair::to_hex(*actual), repair::to_hex(expected.value));
    }
  }
}

TEST_P(StoreContract, KeyProvInfoDecodesToTheFixtureValues) {
  ASSERT_EQ(store().size(), certs().size());
  for (std::size_t i = 0; i < certs().size(); ++i) {
    const auto info = store().certificate(i).key_prov_info();
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_EQ(*info, certs()[i].key_prov_info) << certs()[i].der_file;
  }
}

TEST_P(StoreContract, UnknownPropertyIdIsKeptByNumber) {
  ASSERT_FALSE(repair::property_name(kUnknownPropertyId).has_value());
  const auto facts = store().certificate(kKspWithUnknownProperty);
  EXPECT_TRUE(facts.properties.contains(kUnknownPropertyId));
  EXPECT_FALSE(store().certificate(kCspKey).properties.contains(kUnknownPropertyId));
}

// --- Writes: property round trips --------------------------------------------------------------

TEST_P(StoreContract, TransactionsAreRefusedExactlyWhenTheBackendIsReadOnly) {
  auto tx = store().begin_transaction();
  EXPECT_EQ(tx.ok(), !backend().read_only());
  if (!tx.ok()) {
    EXPECT_EQ(tx.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(tx.error().message.find("read-only"), std::string::npos) << tx.error().message;
  }
}

TEST_P(StoreContract, SetKeyProvInfoWhereThereWasNoneReadsBackByteForByte) {
  auto tx = begin();
  if (!tx) return;
  const auto info = new_web_key_link();
  ASSERT_TRUE(tx->set_property(sha1_of(kWithoutKeyProvInfo), PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                               encoded(info))
                  .ok());
  ASSERT_TRUE(tx->commit().ok());
  const auto facts = store().certificate(kWithoutKeyProvInfo);
  const Bytes* value = facts.properties.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, encoded(info));
  EXPECT_EQ(facts.key_prov_info().value(), std::optional<KeyProvInfo>(info));
}

TEST_P(StoreContract, ReplaceKeyProvInfoKeySpecTwoWithZeroReadsBackByteForByte) {
  auto tx = begin();
  if (!tx) return;
  KeyProvInfo info = *certs()[kKspWithUnknownProperty].key_prov_info;
  info.key_spec = wc::AT_NONE;
  ASSERT_TRUE(tx->set_property(sha1_of(kKspWithUnknownProperty),
                               PropertyId::CERT_KEY_PROV_INFO_PROP_ID, encoded(info))
                  .ok());
  ASSERT_TRUE(tx->commit().ok());
  const auto facts = store().certificate(kKspWithUnknownProperty);
  ASSERT_TRUE(facts.properties.contains(PropertyId::CERT_KEY_PROV_INFO_PROP_ID));
  EXPECT_EQ(*facts.properties.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID), encoded(info));
}

TEST_P(StoreContract, ChangingKeyProvInfoLeavesTheUnknownPropertyAndAllOthersByteForByte) {
  const auto before = state_of(kKspWithUnknownProperty);
  auto tx = begin();
  if (!tx) return;
  KeyProvInfo info = *certs()[kKspWithUnknownProperty].key_prov_info;
  info.key_spec = wc::AT_NONE;
  ASSERT_TRUE(tx->set_property(sha1_of(kKspWithUnknownProperty),
                               PropertyId::CERT_KEY_PROV_INFO_PROP_ID, encoded(info))
                  .ok());
  ASSERT_TRUE(tx->commit().ok());
  auto after = state_of(kKspWithUnknownProperty);
  ASSERT_TRUE(after.properties.count(to_number(kUnknownPropertyId)));
  EXPECT_EQ(after.properties[to_number(kUnknownPropertyId)],
            certs()[kKspWithUnknownProperty].other_properties.front().value);
  auto expected = before;
  expected.properties[to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID)] = encoded(info);
  EXPECT_EQ(after, expected);
}

TEST_P(StoreContract, SetUserPropertyHoldingEveryByteValueReadsBackByteForByte) {
  const auto before = state_of(kCspKey);
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, all_byte_values()).ok());
  ASSERT_TRUE(tx->commit().ok());
  auto expected = before;
  expected.properties[to_number(kUserProperty)] = all_byte_values();
  EXPECT_EQ(state_of(kCspKey), expected);
}

TEST_P(StoreContract, OverwriteUnknownPropertyReadsBackTheNewBytes) {
  auto tx = begin();
  if (!tx) return;
  const Bytes value{0xff, 0x00, 0xff};
  ASSERT_TRUE(tx->set_property(sha1_of(kKspWithUnknownProperty), kUnknownPropertyId, value).ok());
  ASSERT_TRUE(tx->commit().ok());
  const auto facts = store().certificate(kKspWithUnknownProperty);
  const Bytes* actual = facts.properties.find(kUnknownPropertyId);
  ASSERT_NE(actual, nullptr);
  EXPECT_EQ(*actual, value);
}

TEST_P(StoreContract, DeleteUnknownPropertyRemovesOnlyIt) {
  const auto before = state_of(kKspWithUnknownProperty);
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(tx->delete_property(sha1_of(kKspWithUnknownProperty), kUnknownPropertyId).ok());
  ASSERT_TRUE(tx->commit().ok());
  auto expected = before;
  expected.properties.erase(to_number(kUnknownPropertyId));
  EXPECT_EQ(state_of(kKspWithUnknownProperty), expected);
}

TEST_P(StoreContract, DeleteKeyProvInfoLeavesTheCertificateWithoutOne) {
  const auto before = state_of(kSharedSerialFirst);
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(
      tx->delete_property(sha1_of(kSharedSerialFirst), PropertyId::CERT_KEY_PROV_INFO_PROP_ID)
          .ok());
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_EQ(store().certificate(kSharedSerialFirst).key_prov_info().value(), std::nullopt);
  auto expected = before;
  expected.properties.erase(to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID));
  EXPECT_EQ(state_of(kSharedSerialFirst), expected);
}

TEST_P(StoreContract, DeleteOfAnAbsentPropertySucceedsAndChangesNothing) {
  const auto before = state();
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(
      tx->delete_property(sha1_of(kWithoutKeyProvInfo), PropertyId::CERT_KEY_PROV_INFO_PROP_ID)
          .ok());
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_EQ(state(), before);
}

TEST_P(StoreContract, ChangeByThumbprintTouchesOnlyThatCertificateOfASharedSerial) {
  auto before = state();
  auto tx = begin();
  if (!tx) return;
  KeyProvInfo info = *certs()[kSharedSerialFirst].key_prov_info;
  info.key_spec = wc::AT_NONE;
  ASSERT_TRUE(tx->set_property(sha1_of(kSharedSerialFirst), PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                               encoded(info))
                  .ok());
  ASSERT_TRUE(tx->commit().ok());
  before[kSharedSerialFirst].properties[to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID)] =
      encoded(info);
  EXPECT_EQ(state(), before);
}

// --- Writes: transactions ----------------------------------------------------------------------

TEST_P(StoreContract, StagedChangesAreInvisibleUntilCommit) {
  const auto before = state();
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{1, 2, 3}).ok());
  ASSERT_TRUE(tx->delete_property(sha1_of(kKspWithUnknownProperty), kUnknownPropertyId).ok());
  EXPECT_EQ(state(), before);
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_NE(state(), before);
}

TEST_P(StoreContract, CommitAppliesEveryStagedChangeAcrossCertificates) {
  auto expected = state();
  auto tx = begin();
  if (!tx) return;
  const auto info = new_web_key_link();
  ASSERT_TRUE(tx->set_property(sha1_of(kWithoutKeyProvInfo), PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                               encoded(info))
                  .ok());
  ASSERT_TRUE(tx->delete_property(sha1_of(kKspWithUnknownProperty), kUnknownPropertyId).ok());
  ASSERT_TRUE(tx->set_property(sha1_of(kSharedSerialSecond), kUserProperty, Bytes{9}).ok());
  ASSERT_TRUE(tx->commit().ok());
  expected[kWithoutKeyProvInfo].properties[to_number(PropertyId::CERT_KEY_PROV_INFO_PROP_ID)] =
      encoded(info);
  expected[kKspWithUnknownProperty].properties.erase(to_number(kUnknownPropertyId));
  expected[kSharedSerialSecond].properties[to_number(kUserProperty)] = Bytes{9};
  EXPECT_EQ(state(), expected);
}

TEST_P(StoreContract, LaterStepForTheSamePropertyWins) {
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{1}).ok());
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{2, 2}).ok());
  ASSERT_TRUE(tx->commit().ok());
  const auto facts = store().certificate(kCspKey);
  const Bytes* value = facts.properties.find(kUserProperty);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, (Bytes{2, 2}));
}

TEST_P(StoreContract, DestroyingAnUncommittedTransactionChangesNothing) {
  const auto before = state();
  {
    auto tx = begin();
    if (!tx) return;
    ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{1}).ok());
    ASSERT_TRUE(
        tx->delete_property(sha1_of(kSharedSerialFirst), PropertyId::CERT_KEY_PROV_INFO_PROP_ID)
            .ok());
  }
  EXPECT_EQ(state(), before);
}

TEST_P(StoreContract, StepNamingAnUnknownCertificateIsRejectedBeforeAnythingIsApplied) {
  const auto before = state();
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{1}).ok());
  const auto set = tx->set_property(std::string(40, 'e'), kUserProperty, Bytes{1});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::kNotFound);
  const auto del = tx->delete_property(std::string(40, 'e'), kUnknownPropertyId);
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(state(), before);
  tx.reset();
  EXPECT_EQ(state(), before);
}

TEST_P(StoreContract, StepWithAnIdThatCannotBeAPropertyIsRejectedBeforeAnythingIsApplied) {
  const auto before = state();
  auto tx = begin();
  if (!tx) return;
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{1}).ok());
  for (std::uint32_t id : {0u, wc::CERT_CERT_PROP_ID, wc::CERT_KEYID_PROP_ID, 0x10000u}) {
    const auto set = tx->set_property(sha1_of(kCspKey), static_cast<PropertyId>(id), Bytes{1});
    ASSERT_FALSE(set.ok()) << id;
    EXPECT_EQ(set.error().code, ErrorCode::kInvalidArgument) << id;
    const auto del = tx->delete_property(sha1_of(kCspKey), static_cast<PropertyId>(id));
    ASSERT_FALSE(del.ok()) << id;
    EXPECT_EQ(del.error().code, ErrorCode::kInvalidArgument) << id;
  }
  EXPECT_EQ(state(), before);
  tx.reset();
  EXPECT_EQ(state(), before);
}

TEST_P(StoreContract, KeyProvInfoBytesThatDoNotDecodeAreRejectedBeforeAnythingIsApplied) {
  const auto before = state();
  auto tx = begin();
  if (!tx) return;
  EXPECT_FALSE(
      tx->set_property(sha1_of(kCspKey), PropertyId::CERT_KEY_PROV_INFO_PROP_ID, Bytes{1, 2, 3})
          .ok());
  EXPECT_EQ(state(), before);
  tx.reset();
  EXPECT_EQ(state(), before);
}

TEST_P(StoreContract, FailureInjectedMidCommitLeavesTheStoreExactlyAsBefore) {
  const auto before = state();
  // Four changes over three certificates; the failure comes before the first, between any two,
  // or before the last.
  for (std::size_t writes = 0; writes < 4; ++writes) {
    SCOPED_TRACE("failing after " + std::to_string(writes) + " write(s)");
    auto tx = begin();
    if (!tx) return;
    ASSERT_TRUE(tx->set_property(sha1_of(kKspWithUnknownProperty),
                                 PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                 encoded(*certs()[kSharedSerialSecond].key_prov_info))
                    .ok());
    ASSERT_TRUE(tx->delete_property(sha1_of(kKspWithUnknownProperty), kUnknownPropertyId).ok());
    ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, all_byte_values()).ok());
    ASSERT_TRUE(
        tx->delete_property(sha1_of(kWithoutKeyProvInfo), PropertyId::CERT_FRIENDLY_NAME_PROP_ID)
            .ok());
    if (!opened().fail_next_commit_after(writes)) {
      GTEST_SKIP() << backend().name() << " cannot inject a failure into a commit";
    }
    EXPECT_FALSE(tx->commit().ok());
    EXPECT_EQ(state(), before);
  }
}

TEST_P(StoreContract, CommitAfterAnInjectedFailureAppliesNormally) {
  auto failed = begin();
  if (!failed) return;
  ASSERT_TRUE(failed->set_property(sha1_of(kCspKey), kUserProperty, Bytes{1}).ok());
  if (!opened().fail_next_commit_after(0)) {
    GTEST_SKIP() << backend().name() << " cannot inject a failure into a commit";
  }
  ASSERT_FALSE(failed->commit().ok());
  auto tx = begin();
  ASSERT_NE(tx, nullptr);
  ASSERT_TRUE(tx->set_property(sha1_of(kCspKey), kUserProperty, Bytes{2}).ok());
  ASSERT_TRUE(tx->commit().ok());
  const auto facts = store().certificate(kCspKey);
  const Bytes* value = facts.properties.find(kUserProperty);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, Bytes{2});
}

// --- Key containers ----------------------------------------------------------------------------

using ContainerKeyTuple = std::tuple<std::string, std::uint32_t, std::string, std::uint32_t,
                                     std::string>;  // provider, type, container, KeySpec, key id

TEST_P(StoreContract, KeyContainersAreTheFixtureContainers) {
  if (!store().knows_key_containers()) {
    // A backend that cannot see containers must say so by reporting none, not guess.
    EXPECT_TRUE(store().key_containers().empty());
    return;
  }
  std::set<ContainerKeyTuple> actual;
  for (const auto& c : store().key_containers()) {
    for (const auto& k : c.keys) {
      actual.emplace(c.provider, c.provider_type, c.container, k.key_spec, k.public_key_id);
    }
  }
  std::set<ContainerKeyTuple> expected;
  for (const auto& c : fixture_containers()) {
    expected.emplace(c.provider, c.provider_type, c.container, c.key_spec, c.public_key_id);
  }
  EXPECT_EQ(actual, expected);
}

TEST_P(StoreContract, EveryKeyProvInfoNamesAContainerHoldingTheCertificatesKey) {
  if (!store().knows_key_containers()) GTEST_SKIP() << backend().name() << " sees no containers";
  const auto containers = store().key_containers();
  for (std::size_t i = 0; i < store().size(); ++i) {
    const auto facts = store().certificate(i);
    const auto info = facts.key_prov_info();
    ASSERT_TRUE(info.ok());
    if (!info->has_value()) continue;
    SCOPED_TRACE(certs()[i].der_file);
    const auto& link = **info;
    const auto c = std::find_if(containers.begin(), containers.end(), [&](const auto& kc) {
      return kc.provider == link.provider && kc.container == link.container;
    });
    ASSERT_NE(c, containers.end()) << link.to_string();
    EXPECT_EQ(c->provider_type, link.provider_type);
    const auto* key = c->find_key(link.is_ksp() ? wc::AT_NONE : link.key_spec);
    ASSERT_NE(key, nullptr) << link.to_string();
    EXPECT_EQ(key->public_key_id, facts.public_key_id);
  }
}

TEST_P(StoreContract, KspContainersHoldOneKeyWithKeySpecZeroCspContainersKeySpecOneOrTwo) {
  const auto containers = store().key_containers();
  for (const auto& c : containers) {
    SCOPED_TRACE(c.provider + " / " + c.container);
    ASSERT_FALSE(c.keys.empty());
    if (c.is_ksp()) {
      ASSERT_EQ(c.keys.size(), 1u);
      EXPECT_EQ(c.keys.front().key_spec, wc::AT_NONE);
    } else {
      for (const auto& k : c.keys) {
        EXPECT_TRUE(k.key_spec == wc::AT_KEYEXCHANGE || k.key_spec == wc::AT_SIGNATURE);
      }
    }
  }
  // The fixture has both kinds, so an empty list cannot pass this by accident.
  if (store().knows_key_containers()) {
    EXPECT_TRUE(std::any_of(containers.begin(), containers.end(),
                            [](const auto& c) { return c.is_ksp(); }));
    EXPECT_TRUE(std::any_of(containers.begin(), containers.end(),
                            [](const auto& c) { return !c.is_ksp(); }));
  }
}

}  // namespace certbed::contract
