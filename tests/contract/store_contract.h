// The Store contract suite: what every repair::Store backend must do, checked by the same cases
// on each. A backend plugs in with a StoreBackend and one INSTANTIATE_TEST_SUITE_P line.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "certbed/repair/model/cert_facts.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store.h"
#include "contract_fixture.h"

namespace certbed::contract {

// One backend's store loaded with the fixture, alive for one test (it owns whatever backs it).
class ContractStore {
 public:
  virtual ~ContractStore() = default;

  virtual repair::Store& store() = 0;
  // Makes the next commit fail after applying `writes` changes; the backend must then roll them
  // back. False when the backend cannot inject such a failure.
  virtual bool fail_next_commit_after(std::size_t /*writes*/) { return false; }
};

// The factory of one backend.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // Letters, digits, '-' and '.': ctest names the cases after it.
  virtual std::string name() const = 0;
  // True when the backend must refuse transactions (kUnsupported, a message saying read-only):
  // write cases then check that refusal instead of the write.
  virtual bool read_only() const = 0;
  // Which store it is and where, with what each was taken from, as identity() must report it.
  virtual repair::StoreIdentity expected_identity() const = 0;
  // A new store holding fixture_certificates() in order, each with its properties(), and the
  // key containers fixture_containers() lists.
  virtual repair::Result<std::unique_ptr<ContractStore>> open() const = 0;
};

void PrintTo(const StoreBackend* backend, std::ostream* os);

// A certificate as the contract compares it before and after a change: its facts with the
// properties taken out and keyed by id, since backends need not keep their enumeration order.
struct CertState {
  repair::CertFacts facts;  // properties emptied
  std::map<std::uint32_t, repair::Bytes> properties;

  bool operator==(const CertState&) const = default;
};
void PrintTo(const CertState& state, std::ostream* os);

class StoreContract : public ::testing::TestWithParam<const StoreBackend*> {
 protected:
  void SetUp() override;

  const StoreBackend& backend() const { return *GetParam(); }
  repair::Store& store() { return opened_->store(); }
  ContractStore& opened() { return *opened_; }

  std::vector<CertState> state() const;
  CertState state_of(std::size_t index) const;
  // A transaction on a writable backend. On a read-only one it asserts the refusal (and that
  // nothing changed) and returns nullptr, so a write case ends there having checked that.
  std::unique_ptr<repair::Transaction> begin();

 private:
  std::unique_ptr<ContractStore> opened_;
};

}  // namespace certbed::contract
