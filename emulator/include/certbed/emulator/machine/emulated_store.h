// repair::Store over one store of an emulated Machine.
#pragma once

#include <optional>

#include "certbed/emulator/keys/key_access.h"
#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/store/store.h"

namespace certbed::emulator {

class EmulatedStore final : public repair::Store {
 public:
  // The machine must outlive this view; the store (e.g. "My") is created when missing.
  EmulatedStore(Machine& machine, StoreLocation location, std::string_view name);

  std::string description() const override;
  repair::StoreIdentity identity() const override;
  std::size_t size() const override;
  repair::CertFacts certificate(std::size_t index) const override;
  std::optional<std::size_t> find_by_sha1(std::string_view sha1) const override;
  std::vector<std::size_t> find_by_serial(std::string_view serial) const override;
  std::vector<repair::KeyContainerFacts> key_containers() const override;
  std::optional<repair::CaConfigFacts> ca_configuration() const override;
  // Through the modelled key access (KeyAccess), as caller(): NCryptOpenKey for a KSP container,
  // CryptAcquireContext and CryptGetUserKey for a CSP container.
  repair::Status open_private_key(const repair::KeyContainerFacts& container,
                                  const repair::KeyFacts& key) const override;
  repair::Result<std::unique_ptr<repair::Transaction>> begin_transaction() override;

  // Fault injection for tests: the next commit fails after applying `writes` changes (and must
  // then roll them back). Cleared by that commit.
  void fail_next_commit_after(std::size_t writes) { fail_after_ = writes; }

  // Who opens keys through this store (-repairstore's key search). Administrator by default:
  // -repairstore on a machine store runs elevated.
  const Caller& caller() const { return caller_; }
  void set_caller(Caller caller) { caller_ = std::move(caller); }

  Machine& machine() { return machine_; }
  CertificateStore& backing_store() { return machine_.store(location_, name_); }
  const CertificateStore& backing_store() const;

 private:
  friend class EmulatedTransaction;
  // The store is looked up on every call rather than held by reference: operations that replace
  // the machine's contents (a renewal commits by assigning a new machine) would leave a held
  // reference dangling.
  Machine& machine_;
  StoreLocation location_;
  std::string name_;
  std::optional<std::size_t> fail_after_;
  Caller caller_ = Caller::administrator();
};

}  // namespace certbed::emulator
