// A parsed certutil -v -store dump as a Store contract backend: DumpStore over the committed
// fixtures/contract/store-v.txt. It is read-only, so the write cases check its refusal.
#include <gtest/gtest.h>

#include "certbed/repair/store/dump_store.h"
#include "store_contract.h"

namespace certbed::contract {
namespace {

class DumpContractStore final : public ContractStore {
 public:
  explicit DumpContractStore(repair::DumpStore store) : store_(std::move(store)) {}

  repair::Store& store() override { return store_; }

 private:
  repair::DumpStore store_;
};

class DumpBackend final : public StoreBackend {
 public:
  std::string name() const override { return "dump-store-v.txt"; }
  // The header names the store; only a machine key in property 2 shows the location (the
  // emulator prints no CERT_ACCESS_STATE_PROP_ID).
  repair::StoreIdentity expected_identity() const override {
    return {"My", repair::StoreLocation::kLocalMachine, "the dump header",
            "property 2 of certificate 0, which has CRYPT_MACHINE_KEYSET (a machine key)"};
  }
  bool read_only() const override { return true; }
  repair::Result<std::unique_ptr<ContractStore>> open() const override {
    auto bytes = read_fixture("store-v.txt");
    if (!bytes) return bytes.error();
    auto store = repair::DumpStore::parse(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
        "store-v.txt");
    if (!store) return store.error();
    // The fixture is certbed's own rendering: anything the parser warns about is a broken fixture.
    if (!store->summary().warnings.empty()) {
      return repair::make_error(repair::ErrorCode::kParse,
                                "store-v.txt:" + store->summary().warnings.front().to_string());
    }
    return std::unique_ptr<ContractStore>(std::make_unique<DumpContractStore>(std::move(*store)));
  }
};

const DumpBackend kDump;

}  // namespace

INSTANTIATE_TEST_SUITE_P(Dump, StoreContract, ::testing::Values(&kDump));

}  // namespace certbed::contract
