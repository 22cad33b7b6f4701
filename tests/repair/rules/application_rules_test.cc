// The application profiles: what AD FS's KeySpec table and Exchange's OWA/ECP requirement let
// the store say, on snapshots and on the dumps certutil prints for them.
#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/store/dump_store.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::Machine;
using emulator::StoreLocation;

constexpr std::string_view kLeafSerial = "610000000a1b2c3d4e5f60718293a4b5c6000a";
constexpr std::string_view kLeafContainer = "te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59";

std::vector<std::string> rules_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  out.reserve(findings.size());
  for (const auto& f : findings) out.push_back(f.rule);
  return out;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

DiagnosisOptions with_profiles(std::vector<std::string> profiles) {
  DiagnosisOptions options;
  options.profiles = std::move(profiles);
  return options;
}

void set_key_prov_info(Machine& machine, std::size_t index, const KeyProvInfo& info) {
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(index)
      .set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, encode_key_prov_info(info).value());
}

// web-healthy (the CA at index 0, a TLS leaf at 1, both in the Software KSP) with the leaf's
// key moved into the SChannel CSP as `key_spec`.
Machine leaf_in_csp(std::uint32_t key_spec) {
  auto machine = emulator::build_scenario("web-healthy").value();
  auto& ksp = machine.provider(wincrypt::MS_KEY_STORAGE_PROVIDER);
  const auto key = ksp.find_container(kLeafContainer)->keys.at(0).key;
  EXPECT_TRUE(ksp.remove_container(kLeafContainer));
  EXPECT_TRUE(machine
                  .create_container(wincrypt::MS_DEF_RSA_SCHANNEL_PROV, "web01-csp",
                                    {emulator::ContainerKey{key_spec, key}}, KeyScope::kMachine,
                                    true)
                  .ok());
  set_key_prov_info(machine, 1,
                    KeyProvInfo{"web01-csp",
                                std::string(wincrypt::MS_DEF_RSA_SCHANNEL_PROV),
                                wincrypt::PROV_RSA_SCHANNEL,
                                wincrypt::CRYPT_MACHINE_KEYSET,
                                key_spec,
                                {}});
  return machine;
}

std::vector<Finding> diagnose_machine(Machine& machine, const DiagnosisOptions& options) {
  return diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"), options);
}

std::string render(const Machine& machine, bool verbose) {
  emulator::DumpOptions options;
  options.verbose = verbose;
  return emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
}

TEST(AdfsProfile, AKspKeyIsAWarningThatItCanOnlyBeTheSslCertificate) {
  auto machine = emulator::build_scenario("web-healthy").value();
  EXPECT_TRUE(diagnose_machine(machine, {}).empty());
  const auto findings = diagnose_machine(machine, with_profiles({"adfs"}));
  // The CA's own certificate (index 0, also a KSP key) is none of AD FS's certificates.
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"adfs-cng-ssl-only"});
  const auto& f = findings[0];
  EXPECT_EQ(f.serial, kLeafSerial);
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_TRUE(contains(f.evidence, "\"SSL certificate only\"")) << f.evidence;
  EXPECT_TRUE(contains(f.evidence,
                       "Not known: the store does not say whether AD FS uses this certificate, "
                       "nor in which role"))
      << f.evidence;
  EXPECT_TRUE(contains(f.evidence,
                       "\"SSL, token signing, token decrypting, service "
                       "communication certificates\""))
      << f.evidence;
  EXPECT_EQ(f.fix_kind, FixKind::kManual);
  EXPECT_TRUE(f.fix.starts_with("nothing to change if AD FS uses it as its SSL certificate only"))
      << f.fix;
  EXPECT_TRUE(contains(f.fix, "AT_KEYEXCHANGE"));
}

TEST(AdfsProfile, KeySpec2InACspIsNotRecommendedUnlessItIsTheTokenSigningCertificate) {
  auto machine = leaf_in_csp(wincrypt::AT_SIGNATURE);
  EXPECT_TRUE(diagnose_machine(machine, {}).empty());  // consistent as far as the store goes
  const auto findings = diagnose_machine(machine, with_profiles({"adfs"}));
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"adfs-keyspec2-not-recommended"});
  const auto& f = findings[0];
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_TRUE(contains(f.evidence, "KeySpec 2 as \"Not recommended\"")) << f.evidence;
  EXPECT_TRUE(contains(f.evidence,
                       "\"The most common KeySpec mis-configuration is using a value of 2 for a "
                       "certificate other than the token signing certificate.\""))
      << f.evidence;
  EXPECT_TRUE(contains(f.evidence, "unless it is the token signing certificate")) << f.evidence;
  EXPECT_EQ(f.fix_kind, FixKind::kManual);
  EXPECT_TRUE(contains(f.fix, "AT_KEYEXCHANGE"));
  EXPECT_TRUE(contains(f.fix, "AD FS service account"));
}

TEST(AdfsProfile, ACspKeyExchangeKeySuitsEveryRole) {
  auto machine = leaf_in_csp(wincrypt::AT_KEYEXCHANGE);
  EXPECT_TRUE(diagnose_machine(machine, with_profiles({"adfs"})).empty());
}

TEST(ExchangeProfile, AServerCertificateInAKspIsAnError) {
  auto machine = emulator::build_scenario("web-healthy").value();
  const auto findings = diagnose_machine(machine, with_profiles({"exchange"}));
  // Only the Server Authentication certificate: the CA's certificate is in a KSP too.
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"exchange-owa-ecp-needs-csp"});
  const auto& f = findings[0];
  EXPECT_EQ(f.serial, kLeafSerial);
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_TRUE(contains(f.evidence,
                       "\"Exchange Server does not support CNG/KSP certificates for securing "
                       "Outlook Web App or ECP. A Cryptographic Service Provider (CSP) must be "
                       "used instead.\""))
      << f.evidence;
  EXPECT_TRUE(contains(f.evidence,
                       "Not known: whether this certificate is the one enabled for "
                       "IIS"))
      << f.evidence;
  EXPECT_TRUE(
      f.fix.starts_with("Microsoft: \"migrate the certificate to a CSP, or request a CSP "
                        "certificate\""))
      << f.fix;
  EXPECT_EQ(f.fix_kind, FixKind::kManual);
}

TEST(ExchangeProfile, MatchesOnProviderTypeZeroNotOnTheProviderName) {
  auto machine = emulator::build_scenario("web-healthy").value();
  // The provider name Microsoft's Exchange article prints, which is no provider's real name.
  set_key_prov_info(machine, 1,
                    KeyProvInfo{std::string(kLeafContainer),
                                "Microsoft Storage Key Provider",
                                wincrypt::PROV_CNG_KSP,
                                wincrypt::CRYPT_MACHINE_KEYSET,
                                wincrypt::AT_NONE,
                                {}});
  // (missing-keyset also says that no provider of that name holds the container.)
  const auto rules = rules_of(diagnose_machine(machine, with_profiles({"exchange"})));
  EXPECT_EQ(std::count(rules.begin(), rules.end(), "exchange-owa-ecp-needs-csp"), 1);

  auto csp = leaf_in_csp(wincrypt::AT_KEYEXCHANGE);
  EXPECT_TRUE(diagnose_machine(csp, with_profiles({"exchange"})).empty());
}

TEST(ExchangeProfile, AKeySpec2CspKeyIsNotJudgedByTheExchangeRule) {
  // The Exchange requirement is about KSP keys only.
  auto machine = leaf_in_csp(wincrypt::AT_SIGNATURE);
  EXPECT_TRUE(diagnose_machine(machine, with_profiles({"exchange"})).empty());
}

TEST(ApplicationProfiles, AVerboseDumpGivesTheSnapshotsFindings) {
  for (const char* profile : {"adfs", "exchange", "sql"}) {
    SCOPED_TRACE(profile);
    auto machine = emulator::build_scenario("web-healthy").value();
    const auto options = with_profiles({profile});
    const auto from_dump =
        diagnose(DumpStore::parse(render(machine, true), "d.txt").value(), options);
    EXPECT_EQ(rules_of(from_dump), rules_of(diagnose_machine(machine, options)));
    ASSERT_EQ(from_dump.size(), 1u);
    EXPECT_EQ(from_dump[0].serial, kLeafSerial);
  }
}

TEST(ApplicationProfiles, ANonVerboseDumpIsNotJudgedOnNumbersItDoesNotPrint) {
  auto machine = emulator::build_scenario("web-healthy").value();
  const auto findings = diagnose(DumpStore::parse(render(machine, false), "d.txt").value(),
                                 with_profiles({"adfs", "exchange", "sql"}));
  ASSERT_FALSE(findings.empty());
  for (const auto& f : findings) EXPECT_EQ(f.rule, "keyspec-not-shown");
}

TEST(ApplicationProfiles, EachProfileRuleIsInTheCatalogWithItsProfile) {
  std::vector<std::pair<std::string, std::string>> profiled;
  for (const auto& r : rule_catalog()) {
    if (!r.profile.empty()) profiled.emplace_back(r.id, r.profile);
  }
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"sql-tls-needs-capi-keyexchange", "sql"},
      {"adfs-keyspec2-not-recommended", "adfs"},
      {"adfs-cng-ssl-only", "adfs"},
      {"exchange-owa-ecp-needs-csp", "exchange"}};
  EXPECT_EQ(profiled, expected);
}

}  // namespace
}  // namespace certbed::repair
