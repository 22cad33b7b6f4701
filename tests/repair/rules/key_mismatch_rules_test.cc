// key-does-not-match: property 2 names a container that exists but holds another key, judged on
// a snapshot and on the dump certutil (the emulator's renderer) prints for it.
#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/rules/dump_diagnosis.h"
#include "certbed/repair/store/dump_store.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::Machine;
using emulator::StoreLocation;

constexpr std::string_view kLeafSerial = "610000000a1b2c3d4e5f60718293a4b5c6000a";
constexpr std::string_view kLeafContainer = "te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59";
constexpr std::string_view kCaSerial = "3c5e7092b4d6f8a1c3e5f7092b4d6f81";

std::vector<std::string> rules_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  out.reserve(findings.size());
  for (const auto& f : findings) out.push_back(f.rule);
  return out;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

KeyProvInfo ksp_info(std::string_view container) {
  return KeyProvInfo{std::string(container), std::string(wincrypt::MS_KEY_STORAGE_PROVIDER),
                     wincrypt::PROV_CNG_KSP, wincrypt::CRYPT_MACHINE_KEYSET,
                     wincrypt::AT_NONE,      {}};
}

void set_key_prov_info(Machine& machine, std::size_t index, const KeyProvInfo& info) {
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(index)
      .set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, encode_key_prov_info(info).value());
}

// web-healthy (CA at index 0, TLS leaf at 1) with the leaf's property 2 naming the CA's
// container, which exists and holds the CA's key.
Machine leaf_pointing_at_ca_key() {
  auto machine = emulator::build_scenario("web-healthy").value();
  set_key_prov_info(machine, 1, ksp_info("Contoso CA"));
  return machine;
}

std::vector<Finding> diagnose_machine(Machine& machine) {
  return diagnose(EmulatedStore(machine, StoreLocation::kLocalMachine, "My"));
}

std::string render(const Machine& machine, bool verbose) {
  emulator::DumpOptions options;
  options.verbose = verbose;
  return emulator::render_store_dump(
      machine, *machine.find_store(StoreLocation::kLocalMachine, "My"), options);
}

std::vector<Finding> without_info(std::vector<Finding> findings) {
  std::erase_if(findings, [](const Finding& f) { return f.severity == Severity::kInfo; });
  return findings;
}

TEST(KeyDoesNotMatch, SnapshotContainerWithAnotherKeyIsAnErrorFixedWithoutAnInf) {
  auto machine = leaf_pointing_at_ca_key();
  const auto findings = diagnose_machine(machine);
  // Neither missing-keyset (the container exists) nor lost-key-association (property 2 is there).
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"key-does-not-match"});
  const auto& f = findings[0];
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.serial, kLeafSerial);
  EXPECT_FALSE(f.is_ca);
  EXPECT_TRUE(contains(f.evidence, "names container \"Contoso CA\"")) << f.evidence;
  EXPECT_TRUE(contains(f.evidence, std::string("the certificate's key is in container \"") +
                                       std::string(kLeafContainer) + "\""))
      << f.evidence;
  EXPECT_EQ(f.fix_kind, FixKind::kRepairKeyAssociation);
  EXPECT_TRUE(contains(f.fix, "certutil -repairstore My " + f.sha1)) << f.fix;
}

TEST(KeyDoesNotMatch, EvidenceOnASnapshotGivesBothPublicKeyIds) {
  auto machine = leaf_pointing_at_ca_key();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(contains(findings[0].evidence, store.certificate(0).public_key_id));
  EXPECT_TRUE(contains(findings[0].evidence, store.certificate(1).public_key_id));
}

TEST(KeyDoesNotMatch, WithoutAnyContainerHoldingTheKeyTheFixIsAReimport) {
  auto machine = leaf_pointing_at_ca_key();
  ASSERT_TRUE(machine.provider(wincrypt::MS_KEY_STORAGE_PROVIDER).remove_container(kLeafContainer));
  const auto findings = diagnose_machine(machine);
  ASSERT_EQ(rules_of(findings), std::vector<std::string>{"key-does-not-match"});
  EXPECT_EQ(findings[0].fix_kind, FixKind::kManual);
  EXPECT_TRUE(contains(findings[0].fix, "certutil -importpfx")) << findings[0].fix;
  EXPECT_FALSE(contains(findings[0].fix, "-repairstore")) << findings[0].fix;
}

TEST(KeyDoesNotMatch, RepairWithoutAnInfLinksTheContainerThatHoldsTheKey) {
  auto machine = leaf_pointing_at_ca_key();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  ASSERT_TRUE(repair_store(store, kLeafSerial, nullptr).ok());
  EXPECT_EQ(store.certificate(1).key_prov_info().value(), ksp_info(kLeafContainer));
  EXPECT_TRUE(diagnose(store).empty());
}

TEST(KeyDoesNotMatch, TheEmulatorsDumpPrintsTheErrorAndGivesTheSameFinding) {
  auto machine = leaf_pointing_at_ca_key();
  const auto from_snapshot = diagnose_machine(machine);
  for (bool verbose : {true, false}) {
    SCOPED_TRACE(verbose ? "verbose" : "non-verbose");
    const auto text = render(machine, verbose);
    ASSERT_TRUE(
        contains(text, "ERROR: Could not verify certificate public key against private key"));
    const auto from_dump = without_info(diagnose(DumpStore::parse(text, "d.txt").value()));
    ASSERT_EQ(rules_of(from_dump), rules_of(from_snapshot));
    EXPECT_EQ(from_dump[0].severity, Severity::kError);
    EXPECT_EQ(from_dump[0].serial, kLeafSerial);
    // The dump does not show the container that holds the key (no record names it): the fix
    // tries the key search first and re-imports only if it finds nothing.
    EXPECT_EQ(from_dump[0].fix_kind, FixKind::kManual);
    EXPECT_LT(from_dump[0].fix.find("-repairstore"), from_dump[0].fix.find("-importpfx"))
        << from_dump[0].fix;
  }
}

TEST(KeyDoesNotMatch, CertutilsOtherMismatchTextFiresTheSameRule) {
  auto machine = leaf_pointing_at_ca_key();
  std::string text = render(machine, true);
  const std::string from = "ERROR: Could not verify certificate public key against private key";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "ERROR: Certificate public key does NOT match stored keyset");
  const auto findings = diagnose(DumpStore::parse(text, "d.txt").value());
  EXPECT_EQ(rules_of(findings), std::vector<std::string>{"key-does-not-match"});
}

TEST(KeyDoesNotMatch, AMismatchingKeyInADumpIsNotAContainerHoldingTheCertificatesKey) {
  auto machine = leaf_pointing_at_ca_key();
  const auto dump = DumpStore::parse(render(machine, true), "d.txt").value();
  const auto leaf = dump.certificate(1);
  bool named = false;
  for (const auto& c : dump.key_containers()) {
    for (const auto& k : c.keys) EXPECT_NE(k.public_key_id, leaf.public_key_id) << c.container;
    named = named || c.container == "Contoso CA";
  }
  EXPECT_TRUE(named);  // still there: certutil opened it, so it is no missing keyset
}

TEST(KeyDoesNotMatch, AHealthyCertificateSharingTheContainerInADumpHasNoFinding) {
  // The CA's property 2 names the leaf's container; the CA's record comes first in the dump,
  // so the container is first inferred from the record whose key test failed.
  auto machine = emulator::build_scenario("web-healthy").value();
  set_key_prov_info(machine, 0, ksp_info(kLeafContainer));
  const auto text = render(machine, true);
  for (const auto& findings :
       {diagnose_machine(machine), diagnose(DumpStore::parse(text, "d.txt").value())}) {
    ASSERT_EQ(rules_of(findings), std::vector<std::string>{"key-does-not-match"});
    EXPECT_EQ(findings[0].serial, kCaSerial);
    EXPECT_TRUE(findings[0].is_ca);
  }
}

TEST(KeyDoesNotMatch, TheStreamingDumpDiagnosisAgrees) {
  auto machine = leaf_pointing_at_ca_key();
  const auto text = render(machine, true);
  std::vector<Finding> streamed;
  auto result = diagnose_dump_stream(
      [&](const DumpChunkSink& sink) -> Status {
        sink(text);
        return {};
      },
      "d.txt", {}, [&](Finding&& f) { streamed.push_back(std::move(f)); });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(rules_of(streamed), std::vector<std::string>{"key-does-not-match"});
  EXPECT_EQ(streamed, diagnose(DumpStore::parse(text, "d.txt").value()));
}

}  // namespace
}  // namespace certbed::repair
