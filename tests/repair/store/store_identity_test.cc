// Which store an input shows (name, location, and what each was taken from), and the rules and
// plans that depend on it: real dumps for the evidence, the emulator's own dumps for the stores
// real samples do not cover.
#include "certbed/repair/store/store_identity.h"

#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/rules/dump_diagnosis.h"
#include "certbed/repair/store/dump_store.h"
#include "support/files.h"

namespace certbed::repair {
namespace {

DumpStore real_dump(const std::string& name, const StoreHint& hint = {}) {
  const auto text =
      testing::slurp(std::string(CERTBED_SOURCE_DIR) + "/fixtures/dumps/real/" + name);
  return DumpStore::parse(text, name, hint).value();
}

// The emulator's dump of a scenario's LocalMachine\My, printed with `header` as the store name.
std::string emulated_dump(const std::string& scenario, const std::string& header,
                          bool verbose = true) {
  auto machine = emulator::build_scenario(scenario).value();
  emulator::DumpOptions options;
  options.verbose = verbose;
  options.typed_store_name = header;
  return emulator::render_store_dump(
      machine, *machine.find_store(emulator::StoreLocation::kLocalMachine, "My"), options);
}

const Finding* find_rule(const std::vector<Finding>& findings, std::string_view rule) {
  for (const auto& f : findings) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

TEST(StoreIdentity, StoreNamesAreSpelledAsWindowsSpellsThemAndClassified) {
  EXPECT_EQ(canonical_store_name("my"), "My");
  EXPECT_EQ(canonical_store_name("MY"), "My");
  EXPECT_EQ(canonical_store_name("root"), "Root");
  EXPECT_EQ(canonical_store_name("Custom Store"), "Custom Store");
  EXPECT_EQ(store_role("My"), StoreRole::kPersonal);
  EXPECT_EQ(store_role("request"), StoreRole::kPersonal);
  for (const char* trust : {"Root", "CA", "AuthRoot", "TrustedPublisher", "Disallowed", "NTAuth"}) {
    EXPECT_EQ(store_role(trust), StoreRole::kTrust) << trust;
  }
  EXPECT_EQ(store_role("Custom Store"), StoreRole::kUnknown);
  EXPECT_EQ(store_role(""), StoreRole::kUnknown);
}

TEST(StoreIdentity, LocationsParseByNameAndTheEnterpriseAlias) {
  EXPECT_EQ(parse_store_location("localmachine"), StoreLocation::kLocalMachine);
  EXPECT_EQ(parse_store_location("CurrentUser"), StoreLocation::kCurrentUser);
  EXPECT_EQ(parse_store_location("Enterprise"), StoreLocation::kLocalMachineEnterprise);
  EXPECT_EQ(parse_store_location("LocalMachineEnterprise"), StoreLocation::kLocalMachineEnterprise);
  EXPECT_FALSE(parse_store_location("unknown").has_value());
  EXPECT_FALSE(parse_store_location("HKLM").has_value());
}

TEST(StoreIdentity, CommandsAndRegistryKeysFollowTheLocation) {
  const StoreIdentity machine{"My", StoreLocation::kLocalMachine, "", ""};
  const StoreIdentity user{"My", StoreLocation::kCurrentUser, "", ""};
  const StoreIdentity enterprise{"NTAuth", StoreLocation::kLocalMachineEnterprise, "", ""};
  EXPECT_EQ(certutil_store_command(machine, "-repairstore", "ab"), "certutil -repairstore My ab");
  EXPECT_EQ(certutil_store_command(user, "-repairstore", "ab"),
            "certutil -user -repairstore My ab");
  EXPECT_EQ(certutil_store_command(enterprise, "-store", "", true),
            "certutil -enterprise -v -store NTAuth");
  EXPECT_EQ(store_registry_key(machine), "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\My");
  EXPECT_EQ(store_registry_key(user), "HKCU\\Software\\Microsoft\\SystemCertificates\\My");
  EXPECT_EQ(store_registry_key(enterprise),
            "HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\NTAuth");
}

TEST(DumpStoreIdentity, MachineAccessStateMakesAVerboseDumpLocalMachine) {
  // Dump 03: `my "Personal"`, AccessState = 6 (SYSTEM_STORE | LM_SYSTEM_STORE).
  const auto id = real_dump("03-strong-csp-keyspec2-verbose.txt").identity();
  EXPECT_EQ(id.name, "My");
  EXPECT_EQ(id.name_source, "the dump header");
  EXPECT_EQ(id.location, StoreLocation::kLocalMachine);
  EXPECT_NE(id.location_source.find("CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG"), std::string::npos)
      << id.location_source;
}

TEST(DumpStoreIdentity, UserAccessStateMakesAVerboseDumpCurrentUser) {
  // Dump 05: a user's My, AccessState = 2 (SYSTEM_STORE only).
  const auto id = real_dump("05-ksp-user-my-verbose-tabs.txt").identity();
  EXPECT_EQ(id.name, "My");
  EXPECT_EQ(id.location, StoreLocation::kCurrentUser);
  EXPECT_NE(id.location_source.find("without CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG"),
            std::string::npos)
      << id.location_source;
}

TEST(DumpStoreIdentity, HeaderlessCaCertificateWithAMachineKeyIsTakenAsLocalMachineMy) {
  // Dump 09 (the seed article's) has no header; its CA key is a machine key.
  const auto id = real_dump("09-ca-ksp-keyspec2-verbose-elided.txt").identity();
  EXPECT_EQ(id.name, "My");
  EXPECT_EQ(id.location, StoreLocation::kLocalMachine);
  EXPECT_NE(id.name_source.find("a CA certificate whose property 2 names a machine key"),
            std::string::npos)
      << id.name_source;
}

TEST(DumpStoreIdentity, HeaderlessDumpWithoutEvidenceIsUnknownUntilTheHintSaysIt) {
  const auto unknown = real_dump("14-no-key-prov-info-found-key-error.txt").identity();
  EXPECT_FALSE(unknown.name_known());
  EXPECT_EQ(unknown.location, StoreLocation::kUnknown);
  const auto hinted =
      real_dump("14-no-key-prov-info-found-key-error.txt", {"root", StoreLocation::kLocalMachine})
          .identity();
  EXPECT_EQ(hinted.name, "Root");
  EXPECT_EQ(hinted.name_source, "--store");
  EXPECT_EQ(hinted.location_source, "--location");
}

TEST(DumpStoreIdentity, StreamingDiagnosisWorksOutTheSameIdentity) {
  const auto text = testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                                   "/fixtures/dumps/real/05-ksp-user-my-verbose-tabs.txt");
  auto streamed = diagnose_dump_stream(
      [&](const DumpChunkSink& sink) {
        sink(text);
        return Status{};
      },
      "05.txt", {}, [](Finding&&) {});
  ASSERT_TRUE(streamed.ok()) << streamed.error().to_string();
  EXPECT_EQ(streamed->store, DumpStore::parse(text, "05.txt").value().identity());
}

TEST(StoreAwareRules, CertutilFindingTheKeyOfARootCopyIsNoFinding) {
  // certbed's own dump of the healthy CA, printed as `certutil -store Root` would print it: the
  // Root copy has no property 2, and certutil finds the CA's key for it, as on any CA.
  auto machine = emulator::build_scenario("ca-ksp-healthy").value();
  // The scenario puts the CA certificate in Root as AD CS does, without properties.
  const auto& root = machine.store(emulator::StoreLocation::kLocalMachine, "Root");
  ASSERT_EQ(root.size(), 1u);
  emulator::DumpOptions options;
  options.typed_store_name = "Root";
  const auto text = emulator::render_store_dump(machine, root, options);
  const auto findings = diagnose(DumpStore::parse(text, "root.txt").value());
  EXPECT_EQ(find_rule(findings, "lost-key-association"), nullptr);
  EXPECT_EQ(find_rule(findings, "missing-keyset"), nullptr);
}

TEST(StoreAwareRules, LostKeyAssociationInAnUnknownStoreOnlyInformsAndScriptsNothing) {
  // Dump 14: certutil found the CA's key for a copy whose store the text does not show.
  const auto findings = diagnose(real_dump("14-no-key-prov-info-found-key-error.txt"));
  const Finding* lost = find_rule(findings, "lost-key-association");
  ASSERT_NE(lost, nullptr);
  EXPECT_EQ(lost->severity, Severity::kInfo);
  EXPECT_EQ(lost->fix_kind, FixKind::kNone);
  EXPECT_NE(lost->evidence.find("does not say which store"), std::string::npos) << lost->evidence;
  const auto plan = make_repair_plan(findings, {}).value();
  for (const auto& step : plan.steps) EXPECT_NE(step.kind, StepKind::kRepairStore) << step.title;
}

TEST(StoreAwareRules, LostKeyAssociationOfACaInMyIsAnErrorNamingTheThumbprint) {
  // The same dump, said to come from My: the CA certificate there must carry property 2.
  const auto findings = diagnose(
      real_dump("14-no-key-prov-info-found-key-error.txt", {"My", StoreLocation::kLocalMachine}));
  const Finding* lost = find_rule(findings, "lost-key-association");
  ASSERT_NE(lost, nullptr);
  EXPECT_EQ(lost->severity, Severity::kError);
  EXPECT_EQ(lost->fix_kind, FixKind::kRepairKeyAssociation);
  EXPECT_NE(lost->fix.find("certutil -repairstore My 2f02901dcff083ed3dbb6cb0a15bbfee6002b1a8"),
            std::string::npos)
      << lost->fix;
}

TEST(StoreAwareRules, KspKeySpecNotZeroDoesNotDependOnTheStore) {
  for (const char* header : {"My", "Root", "CA"}) {
    const auto text = emulated_dump("ca-ksp-keyspec2", header);
    const auto findings = diagnose(DumpStore::parse(text, "dump.txt").value());
    const Finding* keyspec = find_rule(findings, "ksp-keyspec-not-zero");
    ASSERT_NE(keyspec, nullptr) << header;
    EXPECT_EQ(keyspec->severity, Severity::kError) << header;
  }
}

RepairPlan plan_of(const DumpStore& store) {
  PlanOptions options;
  options.store = store.identity();
  return make_repair_plan(diagnose(store), options).value();
}

TEST(StoreAwarePlans, CurrentUserPlanTargetsTheUsersStoreAndSaysWhoRunsIt) {
  const auto text = emulated_dump("ca-ksp-keyspec2", "My");
  const auto store =
      DumpStore::parse(text, "user.txt", {std::nullopt, StoreLocation::kCurrentUser}).value();
  const auto plan = plan_of(store);
  const auto cmd = render_cmd_script(plan).value();
  EXPECT_NE(cmd.find("\"%SystemRoot%\\System32\\certutil.exe\" -user -repairstore \"My\" "),
            std::string::npos)
      << cmd;
  EXPECT_NE(cmd.find("-user -v -store \"My\""), std::string::npos);
  EXPECT_NE(cmd.find("export \"HKCU\\Software\\Microsoft\\SystemCertificates\\My\""),
            std::string::npos);
  EXPECT_EQ(cmd.find("HKLM"), std::string::npos);
  EXPECT_NE(cmd.find("Run as the user whose CurrentUser store this is"), std::string::npos);
  const auto ps = render_powershell_script(plan).value();
  EXPECT_NE(ps.find("Invoke-Checked @('-user', '-repairstore', $store, "), std::string::npos) << ps;
  EXPECT_NE(ps.find("$location = @('-user')"), std::string::npos);
  EXPECT_NE(render_plan_summary(plan).find("run the scripts as the user who owns it"),
            std::string::npos);
}

TEST(StoreAwarePlans, CaStoreHeaderGivesScriptsThatTargetTheCaStore) {
  const auto text = emulated_dump("ca-ksp-keyspec2", "CA");
  const auto plan = plan_of(DumpStore::parse(text, "ca.txt").value());
  const auto cmd = render_cmd_script(plan).value();
  EXPECT_NE(cmd.find("-repairstore \"CA\" "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("export \"HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\CA\""),
            std::string::npos);
  EXPECT_EQ(cmd.find("\"My\""), std::string::npos);
}

TEST(StoreAwarePlans, ScriptedFixesAreRefusedWhenTheStoreIsUnknown) {
  // The seed dump without its header and with the CA's key made a user key: nothing says
  // which store it is, so no -repairstore is scripted.
  std::string text = emulated_dump("ca-ksp-keyspec2", "My");
  text.erase(0, text.find('\n') + 1);
  const auto flags = text.find("Flags = 20 (32)");
  ASSERT_NE(flags, std::string::npos);
  text.replace(flags, 15, "Flags = 0");
  const auto machine_line = text.find("CRYPT_MACHINE_KEYSET -- 20 (32)");
  ASSERT_NE(machine_line, std::string::npos);
  text.erase(machine_line, text.find('\n', machine_line) - machine_line + 1);
  const auto store = DumpStore::parse(text, "headerless.txt").value();
  ASSERT_FALSE(store.identity().name_known());
  const auto plan = plan_of(store);
  ASSERT_FALSE(plan.refused.empty());
  EXPECT_NE(plan.refused[0].reason.find("plan again with --store NAME"), std::string::npos);
  const auto cmd = render_cmd_script(plan).value();
  EXPECT_EQ(cmd.find("-repairstore"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("exit /b 1"), std::string::npos);
}

}  // namespace
}  // namespace certbed::repair
