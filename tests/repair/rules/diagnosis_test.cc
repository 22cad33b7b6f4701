#include "certbed/repair/rules/diagnosis.h"

#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/dump_diagnosis.h"
#include "certbed/repair/store/dump_store.h"
#include "support/files.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::Machine;
using emulator::StoreLocation;

std::vector<Finding> diagnose_scenario(const std::string& name,
                                       const DiagnosisOptions& options = {}) {
  auto machine = emulator::build_scenario(name).value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  return diagnose(store, options);
}

std::vector<std::string> rules_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  out.reserve(findings.size());
  for (const auto& f : findings) out.push_back(f.rule);
  return out;
}

void set_key_prov_info(Machine& machine, std::size_t index, const KeyProvInfo& info) {
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(index)
      .set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, encode_key_prov_info(info).value());
}

TEST(Diagnosis, SeedCaIsAnErrorWithAKeySpecZeroFix) {
  const auto findings = diagnose_scenario("ca-ksp-keyspec2");
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"ksp-keyspec-not-zero"});
  const auto& f = findings[0];
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_TRUE(f.is_ca);
  EXPECT_EQ(f.serial, "1f3a5c7e9b2d4f6081a3c5e7092b4d6f");
  EXPECT_NE(f.evidence.find("KeySpec = 2 -- AT_SIGNATURE"), std::string::npos) << f.evidence;
  EXPECT_NE(f.evidence.find("renewing this CA certificate"), std::string::npos);
  EXPECT_EQ(f.fix_kind, FixKind::kPropertyInf);
  ASSERT_TRUE(f.key_provider.has_value());
  EXPECT_EQ(
      *f.key_provider,
      (KeyProvInfo{"Contoso CA", std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20, 0, {}}));
}

TEST(Diagnosis, HealthyMachinesHaveNoFindings) {
  for (const char* name : {"ca-ksp-healthy", "ca-csp-keyspec1", "web-healthy"}) {
    EXPECT_TRUE(diagnose_scenario(name).empty()) << name;
  }
}

TEST(Diagnosis, KspKeySpecOnALeafIsAWarning) {
  auto machine = emulator::build_scenario("web-healthy").value();
  auto info = EmulatedStore(machine, StoreLocation::kLocalMachine, "My")
                  .certificate(1)
                  .key_prov_info()
                  .value()
                  .value();
  info.key_spec = wincrypt::AT_KEYEXCHANGE;
  set_key_prov_info(machine, 1, info);
  const auto findings = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_FALSE(findings[0].is_ca);
}

TEST(Diagnosis, LostKeyAssociationIsFixedWithoutAnInf) {
  const auto findings = diagnose_scenario("web-lost-key-association");
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"lost-key-association"});
  EXPECT_EQ(findings[0].fix_kind, FixKind::kRepairKeyAssociation);
  EXPECT_NE(findings[0].evidence.find("te-WebServer-5b2f0c1e"), std::string::npos);
}

TEST(Diagnosis, MissingKeysetPointsAtTheContainerThatHoldsTheKey) {
  const auto findings = diagnose_scenario("web-missing-keyset");
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"missing-keyset"});
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_EQ(findings[0].fix_kind, FixKind::kRepairKeyAssociation);
}

TEST(Diagnosis, MissingKeysetWithoutAnyKeyIsNotFixableFromTheStore) {
  auto machine = emulator::build_scenario("web-missing-keyset").value();
  ASSERT_TRUE(machine.provider(wincrypt::MS_KEY_STORAGE_PROVIDER)
                  .remove_container("te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59"));
  const auto findings = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"missing-keyset"});
  EXPECT_EQ(findings[0].fix_kind, FixKind::kManual);
  EXPECT_NE(findings[0].fix.find("not fixable from the store"), std::string::npos);
  EXPECT_NE(findings[0].fix.find("certutil -importpfx"), std::string::npos);
}

TEST(Diagnosis, CspKeySpecMustMatchTheSlotThatHoldsTheKey) {
  auto machine = emulator::build_scenario("ca-csp-keyspec1").value();
  KeyProvInfo info{
      "Contoso CA", std::string(wincrypt::MS_STRONG_PROV), 1, 0x20, wincrypt::AT_SIGNATURE, {}};
  set_key_prov_info(machine, 0, info);
  auto findings = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"csp-keyspec-mismatch"});
  EXPECT_EQ(findings[0].key_provider->key_spec, wincrypt::AT_KEYEXCHANGE);
  EXPECT_EQ(findings[0].severity, Severity::kError);  // a CA certificate

  info.key_spec = wincrypt::AT_NONE;
  set_key_prov_info(machine, 0, info);
  findings = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"csp-keyspec-mismatch"});
  EXPECT_EQ(findings[0].key_provider->key_spec, wincrypt::AT_KEYEXCHANGE);
}

TEST(Diagnosis, SqlProfileFlagsServerCertificatesInAKsp) {
  EXPECT_TRUE(diagnose_scenario("web-healthy").empty());
  DiagnosisOptions sql;
  sql.profiles = {"sql"};
  const auto findings = diagnose_scenario("web-healthy", sql);
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"sql-tls-needs-capi-keyexchange"});
  EXPECT_EQ(findings[0].subject, "CN=web01.contoso.com, O=Contoso");
  EXPECT_EQ(findings[0].fix_kind, FixKind::kManual);
  EXPECT_NE(findings[0].fix.find("AT_KEYEXCHANGE"), std::string::npos);
}

TEST(Diagnosis, CaConfigurationMustNameTheCaKeysProvider) {
  auto machine = emulator::build_scenario("ca-ksp-healthy").value();
  machine.ca_configuration()->provider = std::string(wincrypt::MS_STRONG_PROV);
  machine.ca_configuration()->provider_type = 1;
  const auto findings = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"ca-config-provider-mismatch"});
  EXPECT_NE(findings[0].fix.find("certutil -setreg ca\\csp\\Provider \"Microsoft Software Key "
                                 "Storage Provider\""),
            std::string::npos);
}

TEST(Diagnosis, EveryCaCertificateIndexCountsAndMissingOnesAreReported) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  machine.ca_configuration()->ca_cert_hashes.insert(
      machine.ca_configuration()->ca_cert_hashes.begin(), std::string(40, 'a'));
  const auto findings = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  EXPECT_EQ(rules_of(findings),
            (std::vector<std::string>{"ksp-keyspec-not-zero", "ca-cert-missing-from-store"}));
  EXPECT_NE(findings[1].evidence.find("CACertHash entry 0"), std::string::npos);
}

TEST(Diagnosis, ParsedVerboseDumpGivesTheSameFindingAsTheSnapshot) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  emulator::DumpOptions options;
  options.verbose = true;
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
  auto dump = DumpStore::parse(text, "machine.txt").value();
  const auto from_dump = diagnose(dump);
  const auto from_snapshot = diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
  ASSERT_EQ(from_dump.size(), 1u);
  ASSERT_EQ(from_snapshot.size(), 1u);
  EXPECT_EQ(from_dump[0].rule, from_snapshot[0].rule);
  EXPECT_EQ(from_dump[0].severity, Severity::kError);
  EXPECT_EQ(from_dump[0].key_provider, from_snapshot[0].key_provider);
}

TEST(Diagnosis, NonVerboseDumpDoesNotGuessTheKeySpec) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), emulator::DumpOptions{});
  auto dump = DumpStore::parse(text, "machine.txt").value();
  EXPECT_TRUE(dump.certificate(0).key_prov_info_inferred);
  // No KeySpec rule judges the inferred numbers; the finding says what was not checked.
  const auto findings = diagnose(dump);
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"keyspec-not-shown"});
  EXPECT_EQ(findings[0].severity, Severity::kInfo);
  EXPECT_EQ(findings[0].serial, dump.certificate(0).serial);
  EXPECT_NE(findings[0].evidence.find("not checked"), std::string::npos);
  EXPECT_NE(findings[0].fix.find("certutil -v -store"), std::string::npos);
}

TEST(Diagnosis, AVerboseDumpHasNoKeySpecNotShownFinding) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  emulator::DumpOptions options;
  options.verbose = true;
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
  EXPECT_EQ(rules_of(diagnose(DumpStore::parse(text, "machine.txt").value())),
            std::vector<std::string>{"ksp-keyspec-not-zero"});
}

std::string seed_article_dump() {
  return testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                        "/fixtures/dumps/real/09-ca-ksp-keyspec2-verbose-elided.txt");
}

// The seed article masks its hashes ("aaaabbbb"): besides the rule that judges the record,
// id-masked says so, and the plan repairs it in a step run by hand with the real thumbprint.
const std::vector<std::string> kSeedArticleRules = {"id-masked", "ksp-keyspec-not-zero"};

TEST(Diagnosis, AnElidedCaCertificateIsJudgedAsACaByItsKeyContainerName) {
  // The seed article's own dump elides Basic Constraints; its container is named after the CA.
  const auto findings = diagnose(DumpStore::parse(seed_article_dump(), "09.txt").value());
  ASSERT_EQ(rules_of(findings), kSeedArticleRules);
  const Finding& f = findings[1];
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_TRUE(f.is_ca);
  EXPECT_NE(f.evidence.find("does not show its Basic Constraints; taken as a CA "
                            "certificate because its key container is named after its "
                            "subject (\"Contoso CA\")"),
            std::string::npos)
      << f.evidence;
}

TEST(Diagnosis, UnknownCaStatusWithoutEvidenceIsNotTakenAsCaAndSaysSo) {
  // The same record with a GUID container and the subject as its own issuer (self-signed):
  // nothing shows a CA, and self-signed alone is no evidence.
  std::string dump = seed_article_dump();
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{
            "Key Container = Contoso CA", "Key Container = {8F6C0B1E-5A7D-4C2B-9E3F-1A2B3C4D5E6F}"},
        std::pair<std::string, std::string>{"CN=ROOTCA-CA", "CN=Contoso CA"}}) {
    const auto at = dump.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    dump.replace(at, from.size(), to);
  }
  const auto findings = diagnose(DumpStore::parse(dump, "self-signed.txt").value());
  ASSERT_EQ(rules_of(findings), kSeedArticleRules);
  const Finding& f = findings[1];
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_FALSE(f.is_ca);
  EXPECT_NE(f.evidence.find("nothing else shows it to be a CA certificate; if it is "
                            "one, this is an error"),
            std::string::npos)
      << f.evidence;
}

TEST(Diagnosis, ADumpWhoseKeysAreAllMissingPointsAtRightsBeforeLoss) {
  // A domain controller's dump: certutil opened none of its three keys.
  const auto text =
      testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                     "/fixtures/dumps/real/07-dc-my-missing-keyset-archived-nonverbose.txt");
  std::size_t missing = 0;
  for (const auto& f : diagnose(DumpStore::parse(text, "07.txt").value())) {
    if (f.rule != "missing-keyset") continue;
    ++missing;
    EXPECT_EQ(f.severity, Severity::kWarning);
    EXPECT_NE(f.evidence.find("without the rights to open the keys"), std::string::npos);
    EXPECT_LT(f.fix.find("elevated"), f.fix.find("re-issue")) << f.fix;
  }
  EXPECT_EQ(missing, 3u);
}

TEST(Diagnosis, AMissingKeyInADumpWhoseOtherKeysOpenIsAnError) {
  auto machine = emulator::build_scenario("web-missing-keyset").value();
  emulator::DumpOptions options;
  options.verbose = true;
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
  const auto findings = diagnose(DumpStore::parse(text, "d.txt").value());
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"missing-keyset"});
  EXPECT_EQ(findings[0].severity, Severity::kError);
}

TEST(Diagnosis, SmartCardScinfoOutputIsRefusedAsNotAStoreDump) {
  // certutil -scinfo lists a card's AT_SIGNATURE and AT_KEYEXCHANGE keys: both are right there.
  const auto text =
      testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                     "/fixtures/dumps/real/24-smartcard-scinfo-csp-keyspec1-and-2.txt");
  ASSERT_FALSE(text.empty());
  auto store = DumpStore::parse(text, "24.txt");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("is the output of certutil -SCInfo"), std::string::npos)
      << store.error().message;
  std::size_t findings = 0;
  auto streamed = diagnose_dump_stream(
      [&](const DumpChunkSink& sink) -> Status {
        sink(text);
        return {};
      },
      "24.txt", {}, [&](Finding&&) { ++findings; });
  ASSERT_FALSE(streamed.ok());
  EXPECT_EQ(findings, 0u);
}

TEST(Diagnosis, ADumpWithNoUsableRecordCannotBeAssessed) {
  // Real output whose labels were garbled: certutil's text, but no record with a serial.
  const auto text = testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                                   "/fixtures/dumps/real/16-es-localized-verbose-garbled.txt");
  ASSERT_FALSE(text.empty());
  const auto findings = diagnose(DumpStore::parse(text, "16.txt").value());
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"cannot-assess"});
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_NE(findings[0].evidence.find("nothing was checked"), std::string::npos);
}

TEST(Diagnosis, AnEmptyStoreCannotBeAssessed) {
  Machine machine;
  machine.store(StoreLocation::kLocalMachine, "My");  // creates it, empty
  emulator::EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"cannot-assess"});
  EXPECT_NE(findings[0].evidence.find("no certificate record"), std::string::npos);
}

TEST(Diagnosis, DumpsShowLostAssociationsAndMissingKeysets) {
  for (const auto& [scenario, rule] :
       {std::pair{"web-lost-key-association", "lost-key-association"},
        std::pair{"web-missing-keyset", "missing-keyset"}}) {
    auto machine = emulator::build_scenario(scenario).value();
    for (bool verbose : {false, true}) {
      emulator::DumpOptions options;
      options.verbose = verbose;
      const auto text = emulator::render_store_dump(
          machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
      // Non-verbose dumps also say, as info, which KeySpecs they do not show (tested above).
      auto findings = diagnose(DumpStore::parse(text, "d.txt").value());
      std::erase_if(findings, [](const Finding& f) { return f.severity == Severity::kInfo; });
      ASSERT_EQ(rules_of(findings), std::vector<std::string>{rule}) << scenario << verbose;
      EXPECT_EQ(findings[0].serial, "610000000a1b2c3d4e5f60718293a4b5c6000a");
    }
  }
}

TEST(Diagnosis, CatalogListsEveryRuleOnceAndNothingElse) {
  std::vector<std::string> ids;
  for (const auto& r : rule_catalog()) ids.emplace_back(r.id);
  std::sort(ids.begin(), ids.end());
  const std::vector<std::string> expected = {"adfs-cng-ssl-only",
                                             "adfs-keyspec2-not-recommended",
                                             "ca-cert-missing-from-store",
                                             "ca-config-provider-mismatch",
                                             "cannot-assess",
                                             "csp-keyspec-mismatch",
                                             "dump-text-not-faithful",
                                             "exchange-owa-ecp-needs-csp",
                                             "id-masked",
                                             "key-acl-denied",
                                             "key-does-not-match",
                                             "keyspec-not-shown",
                                             "ksp-keyspec-not-zero",
                                             "lost-key-association",
                                             "machine-keyset-flag-missing",
                                             "missing-keyset",
                                             "sql-tls-needs-capi-keyexchange"};
  EXPECT_EQ(ids, expected);
}

// The seed CA with property 2's Flags cleared: its KSP key is a machine key, KeySpec still 2.
Machine seed_without_machine_flag() {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  set_key_prov_info(machine, 0,
                    KeyProvInfo{"Contoso CA",
                                std::string(wincrypt::MS_KEY_STORAGE_PROVIDER),
                                0,
                                0,
                                wincrypt::AT_SIGNATURE,
                                {}});
  return machine;
}

TEST(Diagnosis, MachineKeyWithoutTheMachineKeysetFlagIsAnErrorWhoseFixAlsoZeroesKeySpec) {
  auto machine = seed_without_machine_flag();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  ASSERT_EQ(rules_of(findings),
            (std::vector<std::string>{"ksp-keyspec-not-zero", "machine-keyset-flag-missing"}));
  const Finding& flag = findings[1];
  EXPECT_EQ(flag.severity, Severity::kError);
  EXPECT_NE(flag.evidence.find("without CRYPT_MACHINE_KEYSET (0x20)"), std::string::npos)
      << flag.evidence;
  // Both rules ask for the same property 2, so one INF fixes both.
  ASSERT_TRUE(findings[0].key_provider && flag.key_provider);
  EXPECT_EQ(*findings[0].key_provider, *flag.key_provider);
  EXPECT_EQ(flag.key_provider->flags, wincrypt::CRYPT_MACHINE_KEYSET);
  EXPECT_EQ(flag.key_provider->key_spec, wincrypt::AT_NONE);

  PlanOptions options;
  options.store = store.identity();
  const auto plan = make_repair_plan(findings, options).value();
  ASSERT_EQ(plan.infs.size(), 1u);
  auto steps = apply_steps_of(plan.steps, [&](const std::string& name) -> Result<PropertyInf> {
    return parse_property_inf(plan.infs[0].content, name);
  });
  ASSERT_TRUE(steps.ok()) << steps.error().to_string();
  auto applied = apply_repair_steps(store, *steps, plan.findings, {}, nullptr);
  ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  EXPECT_TRUE(applied->fixed);
  EXPECT_TRUE(diagnose(store).empty());
}

TEST(Diagnosis, MachineKeysetFlagIsNotJudgedInAUserStoreOrFromADump) {
  auto machine = seed_without_machine_flag();
  // The same certificate and key seen from CurrentUser\My: a user store's property 2 need not
  // name a machine key set.
  auto& user = machine.store(StoreLocation::kCurrentUser, "My");
  const auto& mine = machine.store(StoreLocation::kLocalMachine, "My").at(0);
  ASSERT_TRUE(user.add(mine.der, mine.facts.properties).ok());
  EmulatedStore user_store(machine, StoreLocation::kCurrentUser, "My");
  EXPECT_EQ(rules_of(diagnose(user_store)), std::vector<std::string>{"ksp-keyspec-not-zero"});
  // A dump's containers are inferred and do not say whether a key is a machine key, so the
  // flag's rule stays silent. What the dump does say is that certutil, looking in the user key
  // set as property 2's flags tell it to, found no key: missing-keyset.
  emulator::DumpOptions options;
  options.verbose = true;
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
  EXPECT_EQ(rules_of(diagnose(DumpStore::parse(text, "dump.txt",
                                               {std::nullopt, repair::StoreLocation::kLocalMachine})
                                  .value())),
            (std::vector<std::string>{"ksp-keyspec-not-zero", "missing-keyset"}));
}

}  // namespace
}  // namespace certbed::repair
