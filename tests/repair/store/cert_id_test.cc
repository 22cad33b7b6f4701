// Tests for CertIdList matching: which tokens select which certificates, and what the errors say.
#include "certbed/repair/store/cert_id.h"

#include <gtest/gtest.h>

#include <string>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::StoreLocation;

class CertIdMatching : public ::testing::Test {
 protected:
  emulator::Machine machine = emulator::build_scenario("web-healthy").value();
  EmulatedStore store{machine, StoreLocation::kLocalMachine, "My"};
};

std::string spaced_upper(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ' ';
    out += static_cast<char>(std::toupper(hex[i]));
    out += static_cast<char>(std::toupper(hex[i + 1]));
  }
  return out;
}

TEST_F(CertIdMatching, SerialWithOrWithoutSpacesInAnyCase) {
  const auto serial = store.certificate(1).serial;
  EXPECT_EQ(match_cert_ids(store, serial).value(), std::vector<std::size_t>{1});
  EXPECT_EQ(match_cert_ids(store, spaced_upper(serial)).value(), std::vector<std::size_t>{1});
  EXPECT_EQ(match_cert_ids(store, "\"" + serial + "\"").value(), std::vector<std::size_t>{1});
}

TEST_F(CertIdMatching, ThumbprintAndIndex) {
  EXPECT_EQ(match_cert_ids(store, spaced_upper(store.certificate(0).sha1)).value(),
            std::vector<std::size_t>{0});
  EXPECT_EQ(match_cert_ids(store, "1").value(), std::vector<std::size_t>{1});
}

TEST_F(CertIdMatching, CommaSeparatedListsInStoreOrderWithoutDuplicates) {
  const auto list = store.certificate(1).sha1 + ", 0," + store.certificate(0).serial;
  EXPECT_EQ(match_cert_ids(store, list).value(), (std::vector<std::size_t>{0, 1}));
}

TEST_F(CertIdMatching, UnmatchedEmptyAndAmbiguousTokensAreErrors) {
  auto none = match_cert_ids(store, "0," + std::string(40, 'e'));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("LocalMachine\\My"), std::string::npos);
  EXPECT_FALSE(match_cert_ids(store, "0,,1").ok());
  EXPECT_FALSE(match_cert_ids(store, "").ok());
  EXPECT_FALSE(match_cert_ids(store, "7").ok());  // no such index
}

TEST_F(CertIdMatching, LongUnknownIdIsQuotedAsAShortExcerpt) {
  const std::string id(100000, 'f');
  auto r = match_cert_ids(store, id);
  ASSERT_FALSE(r.ok());
  const std::string& message = r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_LT(message.size(), 300u) << message;
  EXPECT_NE(message.find("\"" + std::string(kCertIdExcerptBytes, 'f') + "...\""), std::string::npos)
      << message;
  EXPECT_NE(message.find("matches no certificate in LocalMachine\\My"), std::string::npos)
      << message;
}

TEST_F(CertIdMatching, ShortUnknownIdIsQuotedWholeWithControlsEscaped) {
  const std::string id(40, 'e');
  auto r = match_cert_ids(store, "0, " + id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("certificate id \"" + id + "\" matches no certificate"),
            std::string::npos)
      << r.error().message;
  auto esc = match_cert_ids(store, "\x1b]0;owned\x07");
  ASSERT_FALSE(esc.ok());
  EXPECT_EQ(esc.error().message.find('\x1b'), std::string::npos);
  EXPECT_NE(esc.error().message.find("\"\\x1b]0;owned\\x07\""), std::string::npos)
      << esc.error().message;
}

TEST_F(CertIdMatching, EmptyItemInALongListIsNamedByPositionAndTheListIsCut) {
  const std::string list = "0," + std::string(100000, 'a') + ",,1";
  auto r = match_cert_ids(store, list);
  ASSERT_FALSE(r.ok());
  // "aaa..." is no certificate, so the error is about it, before the empty item is reached.
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_LT(r.error().message.size(), 300u);
  auto empty = match_cert_ids(store, "0,1,," + std::string(100000, ' '));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_LT(empty.error().message.size(), 300u);
  EXPECT_NE(empty.error().message.find("empty certificate id (item 3) in list \"0,1,,"),
            std::string::npos)
      << empty.error().message;
  EXPECT_NE(empty.error().message.find("...\""), std::string::npos);
}

TEST(CertIdAmbiguity, ASerialSharedByTwoCertificatesIsRejected) {
  emulator::Machine machine;
  auto& my = machine.store(StoreLocation::kLocalMachine, "My");
  auto keys = emulator::KeySource::deterministic();
  for (const char* cn : {"a.contoso.com", "b.contoso.com"}) {
    emulator::CertificateSpec spec;
    spec.subject = emulator::DistinguishedName{{{"CN", cn}}};
    spec.serial_hex = "01";
    spec.not_before = emulator::utc_seconds(2025, 1, 1);
    spec.not_after = emulator::utc_seconds(2026, 1, 1);
    auto key = keys.next(emulator::KeyAlgorithm::kRsa2048).value();
    auto cert = emulator::issue_certificate(spec, key.get(), std::nullopt, true).value();
    ASSERT_TRUE(my.add(emulator::certificate_der(cert.get()), {}).ok());
  }
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  // "01" is both index 1 and the serial of certificates 0 and 1.
  auto r = match_cert_ids(store, "01");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAmbiguous);
  EXPECT_NE(r.error().message.find("SHA-1"), std::string::npos);
  EXPECT_EQ(match_cert_ids(store, store.certificate(1).sha1).value(), std::vector<std::size_t>{1});
}

}  // namespace
}  // namespace certbed::repair
