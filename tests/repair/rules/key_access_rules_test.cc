// key-acl-denied: a key that exists and matches but whose key file the service's account may
// not read, judged on the emulator's container ACLs (KB 238187's default and explicit ones).
#include <gtest/gtest.h>

#include <algorithm>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/emulator/snapshot/snapshot.h"
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
constexpr std::string_view kNetworkService = "NT AUTHORITY\\NETWORK SERVICE";

std::vector<Finding> acl_findings(const ReadOnlyStore& store, std::string_view account) {
  DiagnosisOptions options;
  options.service_account = std::string(account);
  auto findings = diagnose(store, options);
  std::erase_if(findings, [](const Finding& f) { return f.rule != "key-acl-denied"; });
  return findings;
}

std::vector<Finding> acl_findings(Machine& machine, std::string_view account) {
  return acl_findings(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"), account);
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// web-healthy with the leaf's key file granting Read to `accounts`.
Machine leaf_key_readable_by(std::vector<std::string> accounts) {
  auto machine = emulator::build_scenario("web-healthy").value();
  auto& provider = machine.provider(wincrypt::MS_KEY_STORAGE_PROVIDER);
  emulator::KeyContainer container = *provider.find_container(kLeafContainer);
  container.read_access = std::move(accounts);
  EXPECT_TRUE(provider.remove_container(kLeafContainer));
  EXPECT_TRUE(provider.add_container(std::move(container)).ok());
  return machine;
}

TEST(KeyAclDenied, AServiceAccountTheKeyFileDoesNotGrantIsAnErrorWithTheAclStep) {
  auto machine = emulator::build_scenario("web-key-acl-denied").value();
  const auto findings = acl_findings(machine, kNetworkService);
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.serial, kLeafSerial);
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.fix_kind, FixKind::kManual);
  EXPECT_TRUE(contains(f.evidence, "NT AUTHORITY\\SYSTEM, BUILTIN\\Administrators")) << f.evidence;
  EXPECT_TRUE(contains(f.evidence, "NTE_BAD_KEYSET")) << f.evidence;
  const auto* container =
      machine.provider(wincrypt::MS_KEY_STORAGE_PROVIDER).find_container(kLeafContainer);
  ASSERT_NE(container, nullptr);
  // A KSP key's file is under Crypto\Keys, a CSP key's under Crypto\RSA\MachineKeys.
  EXPECT_TRUE(contains(f.fix, "icacls \"%ProgramData%\\Microsoft\\Crypto\\Keys\\" +
                                  container->unique_name +
                                  "\" /grant \"NT AUTHORITY\\NETWORK SERVICE:R\""))
      << f.fix;
  EXPECT_TRUE(contains(f.fix, "Manage Private Keys")) << f.fix;
  EXPECT_TRUE(contains(f.fix, "-repairstore does not change a key's ACL")) << f.fix;
}

TEST(KeyAclDenied, WindowsDefaultAclDeniesAServiceAccountButNotSystemOrAdministrators) {
  // web-healthy's leaf key has no explicit ACL: SYSTEM and Administrators only (KB 238187).
  auto machine = emulator::build_scenario("web-healthy").value();
  EXPECT_EQ(acl_findings(machine, kNetworkService).size(), 1u);
  EXPECT_TRUE(acl_findings(machine, "NT AUTHORITY\\SYSTEM").empty());
  EXPECT_TRUE(acl_findings(machine, "system").empty());  // no domain: the account part
  EXPECT_TRUE(acl_findings(machine, "BUILTIN\\Administrators").empty());
}

TEST(KeyAclDenied, NoServiceAccountMeansKeyAccessIsNotChecked) {
  auto machine = emulator::build_scenario("web-key-acl-denied").value();
  EXPECT_TRUE(acl_findings(machine, "").empty());
}

TEST(KeyAclDenied, AnAccountGrantedDirectlyOrThroughEveryoneMayReadTheKey) {
  auto granted = leaf_key_readable_by({"NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\NETWORK SERVICE"});
  EXPECT_TRUE(acl_findings(granted, kNetworkService).empty());
  EXPECT_TRUE(acl_findings(granted, "network service").empty());
  auto everyone = leaf_key_readable_by({"Everyone"});
  EXPECT_TRUE(acl_findings(everyone, "CONTOSO\\svc-sql").empty());
  auto other = leaf_key_readable_by({"CONTOSO\\svc-web"});
  EXPECT_EQ(acl_findings(other, "CONTOSO\\svc-sql").size(), 1u);
}

TEST(KeyAclDenied, TheCaKeyIsNotCheckedForAServiceAccount) {
  // The CA certificate (index 0) has a key with the default ACL too; CertSvc runs as SYSTEM.
  auto machine = emulator::build_scenario("ca-ksp-healthy").value();
  EXPECT_TRUE(acl_findings(machine, kNetworkService).empty());
}

TEST(KeyAclDenied, AMissingOrMismatchedKeyIsLeftToItsOwnRule) {
  auto machine = emulator::build_scenario("web-missing-keyset").value();
  EXPECT_TRUE(acl_findings(machine, kNetworkService).empty());
}

TEST(KeyAclDenied, ADumpShowsNoAclSoTheCoverageSaysKeyAccessWasNotChecked) {
  auto machine = emulator::build_scenario("web-key-acl-denied").value();
  emulator::DumpOptions dump_options;
  dump_options.verbose = true;
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), dump_options);
  const auto dump = DumpStore::parse(text, "d.txt").value();
  EXPECT_TRUE(acl_findings(dump, kNetworkService).empty());
  DiagnosisOptions options;
  options.service_account = std::string(kNetworkService);
  const auto lines = coverage_lines(diagnosis_coverage(dump, options));
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l ==
           "key access: not checked for NT AUTHORITY\\NETWORK SERVICE: the input shows no "
           "key ACLs (a dump prints none)";
  }));
  EmulatedStore snapshot(machine, StoreLocation::kLocalMachine, "My");
  const auto snapshot_lines = coverage_lines(diagnosis_coverage(snapshot, options));
  EXPECT_TRUE(std::any_of(snapshot_lines.begin(), snapshot_lines.end(), [](const std::string& l) {
    return l.rfind("key access: checked for NT AUTHORITY\\NETWORK SERVICE against the ACLs of ",
                   0) == 0;
  }));
  // Without an account the coverage says nothing about key access.
  const auto plain = coverage_lines(diagnosis_coverage(snapshot));
  EXPECT_TRUE(std::none_of(plain.begin(), plain.end(),
                           [](const std::string& l) { return l.rfind("key access", 0) == 0; }));
}

TEST(KeyAclDenied, AnAclASnapshotGivesSurvivesSavingAndLoading) {
  auto machine = leaf_key_readable_by({"CONTOSO\\svc-web", "Everyone"});
  const auto text = emulator::serialize_snapshot(machine, emulator::SnapshotFormat::kText).value();
  EXPECT_TRUE(contains(text, "read_access: \"CONTOSO\\\\svc-web\"")) << text;
  auto loaded = emulator::parse_snapshot(text, emulator::SnapshotFormat::kText, "s.textproto");
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const auto* c =
      loaded->provider(wincrypt::MS_KEY_STORAGE_PROVIDER).find_container(kLeafContainer);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->read_access, (std::vector<std::string>{"CONTOSO\\svc-web", "Everyone"}));
}

}  // namespace
}  // namespace certbed::repair
