// The emulator as a Store contract backend: one store (LocalMachine\My, CurrentUser\My and the
// enterprise NTAuth) of a machine built from the committed DER files and their properties, with
// containers holding keys from the committed key pool.
#include <gtest/gtest.h>

#include <cstdlib>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "store_contract.h"
#include "support/files.h"

namespace certbed::contract {
namespace {

using emulator::KeyAlgorithm;
using emulator::KeySource;
using emulator::Machine;
using emulator::StoreLocation;

// The committed pool key with this public key id (the fixture's certificates were issued for
// pool keys, so every container can hold the real key).
repair::Result<emulator::ossl::SharedPkey> pool_key(const std::string& public_key_id) {
  auto keys = KeySource::deterministic();
  for (std::size_t i = 0; i < KeySource::pool_size(KeyAlgorithm::kRsa2048); ++i) {
    auto key = keys.next(KeyAlgorithm::kRsa2048);
    if (!key) return key.error();
    if (emulator::public_key_id(key->get()) == public_key_id) return *key;
  }
  return repair::make_error(
      repair::ErrorCode::kNotFound,
      "no RSA 2048 key of the committed pool has public key id " + public_key_id);
}

repair::Result<Machine> build_fixture_machine(StoreLocation location = StoreLocation::kLocalMachine,
                                              const std::string& name = "My") {
  Machine machine;
  auto& my = machine.store(location, name);
  for (const auto& cert : fixture_certificates()) {
    auto der = read_fixture(cert.der_file);
    if (!der) return der.error();
    repair::PropertyBag bag;
    for (auto& e : cert.properties()) bag.set(e.id, std::move(e.value));
    if (auto added = my.add(std::move(*der), std::move(bag)); !added) return added.error();
  }
  for (const auto& c : fixture_containers()) {
    auto key = pool_key(c.public_key_id);
    if (!key) return key.error();
    auto created = machine.create_container(c.provider, c.container,
                                            {emulator::ContainerKey{c.key_spec, *key}},
                                            repair::KeyScope::kMachine, false);
    if (!created) return created.error();
  }
  return machine;
}

class EmulatedContractStore final : public ContractStore {
 public:
  EmulatedContractStore(Machine machine, StoreLocation location, const std::string& name)
      : machine_(std::move(machine)), store_(machine_, location, name) {}

  repair::Store& store() override { return store_; }
  bool fail_next_commit_after(std::size_t writes) override {
    store_.fail_next_commit_after(writes);
    return true;
  }

 private:
  Machine machine_;
  emulator::EmulatedStore store_;
};

class EmulatedBackend final : public StoreBackend {
 public:
  EmulatedBackend(StoreLocation location, std::string store_name)
      : location_(location), store_name_(std::move(store_name)) {}

  std::string name() const override {
    return "emulator-" + std::string(emulator::location_name(location_)) + "-" + store_name_;
  }
  bool read_only() const override { return false; }
  repair::StoreIdentity expected_identity() const override {
    return {store_name_, emulator::to_repair_location(location_), "the snapshot", "the snapshot"};
  }
  repair::Result<std::unique_ptr<ContractStore>> open() const override {
    auto machine = build_fixture_machine(location_, store_name_);
    if (!machine) return machine.error();
    return std::unique_ptr<ContractStore>(
        std::make_unique<EmulatedContractStore>(std::move(*machine), location_, store_name_));
  }

 private:
  StoreLocation location_;
  std::string store_name_;
};

const EmulatedBackend kEmulated{StoreLocation::kLocalMachine, "My"};
const EmulatedBackend kEmulatedUser{StoreLocation::kCurrentUser, "My"};
const EmulatedBackend kEmulatedEnterprise{StoreLocation::kLocalMachineEnterprise, "NTAuth"};

// The dump backend reads fixtures/contract/store-v.txt; it must stay what `certbed dump -v`
// prints for this very machine, or the two backends would not hold the same certificates.
TEST(EmulatedContractFixture, CommittedVerboseDumpIsTheDumpOfTheEmulatedMachine) {
  auto machine = build_fixture_machine();
  ASSERT_TRUE(machine.ok()) << machine.error().to_string();
  // To regenerate: set this, run the test, then `certbed dump -v <snapshot> > store-v.txt`.
  if (const char* out = std::getenv("CERTBED_CONTRACT_SNAPSHOT")) {
    ASSERT_TRUE(emulator::save_snapshot(*machine, out).ok());
  }
  emulator::DumpOptions options;
  options.verbose = true;
  options.typed_store_name = "My";
  const auto rendered = emulator::render_store_dump(
      *machine, machine->store(StoreLocation::kLocalMachine, "My"), options);
  EXPECT_EQ(rendered, certbed::testing::slurp(fixture_dir() / "store-v.txt"))
      << "regenerate fixtures/contract/store-v.txt as its README says";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Emulated, StoreContract,
                         ::testing::Values(&kEmulated, &kEmulatedUser, &kEmulatedEnterprise));

}  // namespace certbed::contract
