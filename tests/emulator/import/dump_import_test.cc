// The dump importer's choices, each on a dump that shows its case: names and dates read back,
// missing keysets settled across the dump, keys that do not match, issuers in and out of the
// dump, the dump's property order, the CA configuration, and determinism.
#include "certbed/emulator/import/dump_import.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/import/dump_values.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "support/files.h"

namespace certbed::emulator {
namespace {

using repair::StoreLocation;

std::string real_dump(const std::string& name) {
  return certbed::testing::slurp(std::filesystem::path(CERTBED_SOURCE_DIR) / "fixtures/dumps/real" /
                                 name);
}

DumpImportOptions at(StoreLocation location) {
  DumpImportOptions options;
  options.hint.location = location;
  return options;
}

bool has_line(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

// Two non-verbose records of LocalMachine\My: the first key opened, the second is missing.
const char* const kOneKeyMissing =
    "My \"Personal\"\n"
    "================ Certificate 0 ================\n"
    "Serial Number: 1a2b\n"
    "Issuer: CN=Fabrikam Issuing CA, DC=fabrikam, DC=com\n"
    " NotBefore: 3/1/2025 9:30 AM\n"
    " NotAfter: 3/1/2027 9:40 PM\n"
    "Subject: CN=web01.fabrikam.com\n"
    "Non-root Certificate\n"
    "Cert Hash(sha1): 1111111111111111111111111111111111111111\n"
    "  Key Container = web01-key\n"
    "  Provider = Microsoft Software Key Storage Provider\n"
    "Encryption test passed\n"
    "\n"
    "================ Certificate 1 ================\n"
    "Serial Number: 3c4d\n"
    "Issuer: CN=Fabrikam Issuing CA, DC=fabrikam, DC=com\n"
    " NotBefore: 3/1/2025 9:30 AM\n"
    " NotAfter: 3/1/2027 9:40 PM\n"
    "Subject: CN=web02.fabrikam.com\n"
    "Non-root Certificate\n"
    "Cert Hash(sha1): 2222222222222222222222222222222222222222\n"
    "  Key Container = web02-key\n"
    "  Provider = Microsoft Software Key Storage Provider\n"
    "Missing stored keyset\n"
    "\n"
    "================ Certificate 2 ================\n"
    "Serial Number: 5e6f\n"
    "Issuer: CN=web01.fabrikam.com\n"
    " NotBefore: 3/1/2025 9:30 AM\n"
    " NotAfter: 3/1/2027 9:40 PM\n"
    "Subject: CN=web03.fabrikam.com\n"
    "Non-root Certificate\n"
    "Cert Hash(sha1): 3333333333333333333333333333333333333333\n"
    "  Key Container = web01-key\n"
    "  Provider = Microsoft Software Key Storage Provider\n"
    "ERROR: Could not verify certificate public key against private key\n"
    "CertUtil: -store command completed successfully.\n";

TEST(ParseDisplayName, ReadsQuotedValuesWithSeparatorsAndDoubledQuotes) {
  auto dn = import::parse_display_name("CN=\"Smith, \"\"J\"\"\", OU=Ops, DC=contoso, DC=com");
  ASSERT_TRUE(dn.ok()) << dn.error().message;
  ASSERT_EQ(dn->attributes.size(), 4u);
  EXPECT_EQ(dn->attributes[0].type, "CN");
  EXPECT_EQ(dn->attributes[0].value, "Smith, \"J\"");
  EXPECT_EQ(dn->attributes[3].value, "com");
  EXPECT_EQ(dn->to_string(), "CN=\"Smith, \"\"J\"\"\", OU=Ops, DC=contoso, DC=com");
}

TEST(ParseDisplayName, AnUnclosedQuoteIsAnErrorNamingTheColumn) {
  auto dn = import::parse_display_name("CN=\"open, O=x");
  ASSERT_FALSE(dn.ok());
  EXPECT_NE(dn.error().message.find("column 14: expected a closing '\"'"), std::string::npos)
      << dn.error().message;
}

TEST(ParseCertutilDate, ReadsTheUsAndTheDayFirstFormatsOfTheRealDumps) {
  EXPECT_EQ(import::parse_certutil_date("6/26/2019 10:40 AM"), utc_seconds(2019, 6, 26, 10, 40));
  EXPECT_EQ(import::parse_certutil_date("11/3/2024 12:05 AM"), utc_seconds(2024, 11, 3, 0, 5));
  EXPECT_EQ(import::parse_certutil_date("11/3/2024 12:05 PM"), utc_seconds(2024, 11, 3, 12, 5));
  EXPECT_EQ(import::parse_certutil_date("10.08.2021 14:14"), utc_seconds(2021, 8, 10, 14, 14));
}

TEST(ParseCertutilDate, RefusesPlaceholdersAndImpossibleDates) {
  EXPECT_EQ(import::parse_certutil_date("<DateTime>"), std::nullopt);
  EXPECT_EQ(import::parse_certutil_date("13/1/2020 1:00 PM"), std::nullopt);
  EXPECT_EQ(import::parse_certutil_date("1/1/2020 13:00 PM"), std::nullopt);
  EXPECT_EQ(import::parse_certutil_date("10.08.2021 14:14 PM"), std::nullopt);
  EXPECT_EQ(import::parse_certutil_date(""), std::nullopt);
}

TEST(ImportStoreDump, AStoreWithoutLocationEvidenceNeedsTheLocationOption) {
  auto imported = import_store_dump(kOneKeyMissing, "case.txt");
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error().message.find("--location"), std::string::npos);
}

TEST(ImportStoreDump, EveryMachineKeyMissingMeansTheKeysExistAndDenyAStandardUser) {
  auto imported = import_store_dump(real_dump("07-dc-my-missing-keyset-archived-nonverbose.txt"),
                                    "07.txt", at(StoreLocation::kLocalMachine));
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  const auto& machine = imported->machine;
  EXPECT_EQ(machine.import_record()->caller, "standard-user");
  const auto* ksp = machine.find_provider("Microsoft Software Key Storage Provider");
  ASSERT_NE(ksp, nullptr);
  EXPECT_NE(ksp->find_container("Certificate-LTD-CA"), nullptr);
  EXPECT_NE(ksp->find_container("certificate-DC01-CA"), nullptr);
  const auto* schannel = machine.find_provider("Microsoft RSA SChannel Cryptographic Provider");
  ASSERT_NE(schannel, nullptr);
  EXPECT_EQ(schannel->containers().size(), 1u);
  // The keys are the certificates' own: an administrator's certutil opens them.
  const auto* store = machine.find_store(emulator::StoreLocation::kLocalMachine, "My");
  ASSERT_NE(store, nullptr);
  const std::string as_admin = render_store_dump(machine, *store, {});
  EXPECT_EQ(as_admin.find("Missing stored keyset"), std::string::npos) << as_admin;
  DumpOptions as_user;
  as_user.caller = Caller::standard_user();
  const std::string printed = render_store_dump(machine, *store, as_user);
  std::size_t missing = 0;
  for (auto at = printed.find("Missing stored keyset"); at != std::string::npos;
       at = printed.find("Missing stored keyset", at + 1)) {
    ++missing;
  }
  EXPECT_EQ(missing, 3u) << printed;
}

TEST(ImportStoreDump, AMissingKeyBesideOneThatOpenedHasNoContainer) {
  auto imported = import_store_dump(kOneKeyMissing, "case.txt", at(StoreLocation::kLocalMachine));
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  const auto& machine = imported->machine;
  EXPECT_EQ(machine.import_record()->caller, "administrator");
  const auto* ksp = machine.find_provider("Microsoft Software Key Storage Provider");
  ASSERT_NE(ksp, nullptr);
  EXPECT_NE(ksp->find_container("web01-key"), nullptr);
  EXPECT_EQ(ksp->find_container("web02-key"), nullptr);
  EXPECT_TRUE(has_line(machine.import_record()->key_choices,
                       "certificate 1: Missing stored keyset: no container (other keys of the "
                       "dump opened)"));
}

TEST(ImportStoreDump, AKeyThatDidNotMatchIsAnotherKeyInTheNamedContainer) {
  auto imported = import_store_dump(kOneKeyMissing, "case.txt", at(StoreLocation::kLocalMachine));
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  const auto& machine = imported->machine;
  const auto* store = machine.find_store(emulator::StoreLocation::kLocalMachine, "My");
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->size(), 3u);
  const auto* container =
      machine.find_provider("Microsoft Software Key Storage Provider")->find_container("web01-key");
  ASSERT_NE(container, nullptr);
  const std::string key_id = public_key_id(container->keys.at(0).key.get());
  EXPECT_EQ(store->at(0).facts.public_key_id, key_id);  // certutil's test passed
  EXPECT_NE(store->at(2).facts.public_key_id, key_id);  // certutil said it does not match
  const std::string printed = render_store_dump(machine, *store, {});
  EXPECT_NE(printed.find("ERROR: Could not verify certificate public key against private key"),
            std::string::npos)
      << printed;
}

TEST(ImportStoreDump, ACertificateIsSignedByItsIssuerInTheDumpElseByASyntheticOne) {
  auto imported = import_store_dump(kOneKeyMissing, "case.txt", at(StoreLocation::kLocalMachine));
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  const auto* store = imported->machine.find_store(emulator::StoreLocation::kLocalMachine, "My");
  ASSERT_NE(store, nullptr);
  // web03's issuer, web01, is in the dump (though not a CA): its key verifies the signature.
  auto web01 = certificate_from_der(store->at(0).der);
  auto web03 = certificate_from_der(store->at(2).der);
  ASSERT_TRUE(web01.ok() && web03.ok());
  EXPECT_EQ(X509_verify(web03->get(), X509_get0_pubkey(web01->get())), 1);
  EXPECT_EQ(store->at(0).facts.issuer, "CN=Fabrikam Issuing CA, DC=fabrikam, DC=com");
  EXPECT_TRUE(has_line(imported->machine.import_record()->not_reproduced,
                       "certificate 0: its issuer is not in the dump: signed by a synthetic "
                       "issuer"));
  EXPECT_FALSE(has_line(imported->machine.import_record()->not_reproduced,
                        "certificate 2: its issuer is not in the dump"));
}

TEST(ImportStoreDump, KeepsTheDumpsPropertyOrderAndRecordsWhatItLeavesOut) {
  auto imported = import_store_dump(real_dump("03-strong-csp-keyspec2-verbose.txt"), "03.txt");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  const auto* store = imported->machine.find_store(emulator::StoreLocation::kLocalMachine, "My");
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->size(), 1u);
  std::vector<std::uint32_t> ids;
  for (const auto& e : store->at(0).facts.properties.entries())
    ids.push_back(repair::to_number(e.id));
  // The dump's order 71, 2, 92, 3, 25, 20, 15, 4, 14 without 25 (the original key's MD5).
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{71, 2, 92, 3, 20, 15, 4, 14}));
  const auto& record = *imported->machine.import_record();
  EXPECT_TRUE(has_line(record.not_reproduced,
                       "certificate 0: CERT_SUBJECT_PUBLIC_KEY_MD5_HASH_PROP_ID(25) belongs to "
                       "the original certificate or key: left out"));
  ASSERT_EQ(record.thumbprints.size(), 1u);
  EXPECT_EQ(record.thumbprints[0].original, "ff2771bd5bd1f7086ab96fb9532b594ed8619c3b");
  EXPECT_EQ(record.thumbprints[0].imported, store->at(0).facts.sha1);
  // Property 2 exactly as printed (the container named by its unique name).
  auto info = store->at(0).facts.key_prov_info();
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_EQ((*info)->container,
            "3d40ebea7d109ee93b238b96721f0e6d_4be58f30-7127-42f5-9b76-f47187495247");
  EXPECT_EQ((*info)->provider_type, 1u);
  EXPECT_EQ((*info)->flags, 0x20u);
  EXPECT_EQ((*info)->key_spec, 2u);
}

TEST(ImportStoreDump, TheSeedArticleDumpBecomesACaWithItsKspKeyAndKeySpec2) {
  auto imported = import_store_dump(real_dump("09-ca-ksp-keyspec2-verbose-elided.txt"), "09.txt");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  const auto& ca = imported->machine.ca_configuration();
  ASSERT_TRUE(ca.has_value());
  EXPECT_EQ(ca->ca_name, "Contoso CA");
  EXPECT_EQ(ca->provider, "Microsoft Software Key Storage Provider");
  EXPECT_EQ(ca->ca_type, ENUM_STANDALONE_SUBCA);
  const auto* store = imported->machine.find_store(emulator::StoreLocation::kLocalMachine, "My");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ca->ca_cert_hashes, std::vector<std::string>{store->at(0).facts.sha1});
  EXPECT_EQ(store->at(0).facts.is_ca, true);
  auto info = store->at(0).facts.key_prov_info();
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_EQ((*info)->key_spec, 2u);
  EXPECT_TRUE(has_line(imported->machine.import_record()->not_reproduced,
                       "Basic Constraints not printed: re-created as a CA because its key "
                       "container is named after its subject"));
}

TEST(ImportStoreDump, ACaCertificateInACurrentUserStoreIsNoCaConfiguration) {
  // dumps/05: a self-signed CA certificate with its key in CurrentUser\My.
  auto imported = import_store_dump(real_dump("05-ksp-user-my-verbose-tabs.txt"), "05.txt");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->store.location, StoreLocation::kCurrentUser);
  EXPECT_FALSE(imported->machine.ca_configuration().has_value());
}

TEST(ImportStoreDump, TheSameDumpGivesTheSameSnapshotBytes) {
  const std::string dump = real_dump("07-dc-my-missing-keyset-archived-nonverbose.txt");
  auto first = import_store_dump(dump, "07.txt", at(StoreLocation::kLocalMachine));
  auto second = import_store_dump(dump, "07.txt", at(StoreLocation::kLocalMachine));
  ASSERT_TRUE(first.ok() && second.ok());
  auto a = serialize_snapshot(first->machine, SnapshotFormat::kBinary);
  auto b = serialize_snapshot(second->machine, SnapshotFormat::kBinary);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace certbed::emulator
