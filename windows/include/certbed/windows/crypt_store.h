// repair::Store over a crypt32 certificate store: a system store (LocalMachine, CurrentUser or
// the enterprise location, any name) or a memory store. Facts are read from each certificate
// context and its properties; changes go through CertSetCertificateContextProperty, which
// writes each property at once, so a transaction keeps every touched property's old bytes (or
// its absence) and puts them back if any write fails.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/model/property_bag.h"
#include "certbed/repair/store/store.h"
#include "certbed/windows/handles.h"

namespace certbed::windows {

class CryptStore final : public repair::Store {
 public:
  // CertOpenStore(CERT_STORE_PROV_SYSTEM_W) on `name` at `location` (kLocalMachine,
  // kCurrentUser or kLocalMachineEnterprise). An existing store is opened; a missing one is
  // created only when `create` is true, as certutil -addstore does.
  static repair::Result<CryptStore> open_system(repair::StoreLocation location,
                                                const std::string& name, bool create = false);
  // An empty CERT_STORE_PROV_MEMORY store; identity() reports `name` with an unknown location.
  static repair::Result<CryptStore> open_memory(const std::string& name);

  // Adds an encoded certificate (CERT_STORE_ADD_NEW) and sets `properties` on it, in order.
  repair::Result<std::size_t> add_encoded(const repair::Bytes& der,
                                          const std::vector<repair::PropertyEntry>& properties);

  std::string description() const override;
  repair::StoreIdentity identity() const override;
  std::size_t size() const override { return certificates_.size(); }
  repair::CertFacts certificate(std::size_t index) const override;
  std::optional<std::size_t> find_by_sha1(std::string_view sha1) const override;
  std::vector<std::size_t> find_by_serial(std::string_view serial) const override;
  // The machine's (and, for CurrentUser, the user's) key containers: NCryptEnumKeys in the
  // Microsoft Software Key Storage Provider, PP_ENUMCONTAINERS in the Microsoft CSPs.
  std::vector<repair::KeyContainerFacts> key_containers() const override;
  // False when no provider could be enumerated: the key rules then stay silent.
  bool knows_key_containers() const override;
  repair::Result<std::unique_ptr<repair::Transaction>> begin_transaction() override;

  // Makes the next commit fail after `writes` property writes, for the contract suite; the
  // transaction must then restore every property it wrote.
  void fail_next_commit_after(std::size_t writes) { fail_after_ = writes; }
  // With a path, every commit first writes the old bytes of each property it touches there
  // (journal.h) and removes the file once the store is consistent again.
  void set_journal(std::string path) { journal_path_ = std::move(path); }
  // Test seam: the process terminates itself after `writes` committed writes, mid-commit.
  void terminate_after_writes(std::size_t writes) { terminate_after_writes_ = writes; }
  // Whether key containers are looked for (a memory store of fixtures has none to find).
  void set_key_containers_visible(bool visible) { containers_visible_ = visible; }

  // The whole store as a serialized store file (.sst), written by crypt32's own CertSaveStore
  // (CERT_STORE_SAVE_AS_STORE), with every certificate and property.
  repair::Status save_as_sst(const std::string& path) const;

  // Property `id` of certificate `index` as repair/ holds it (property 2 serialized), or
  // nullopt when absent.
  repair::Result<std::optional<repair::Bytes>> property(std::size_t index,
                                                        repair::PropertyId id) const;
  // Sets (value) or deletes (nullopt) property `id` of certificate `index`.
  repair::Status write_property(std::size_t index, repair::PropertyId id,
                                const std::optional<repair::Bytes>& value);
  // The SHA-1 thumbprint of certificate `index`, lower-case hex.
  std::string sha1_at(std::size_t index) const;
  // Commits a system store's changes to where it keeps them (CERT_STORE_CTRL_COMMIT).
  repair::Status flush();

 private:
  friend class CryptTransaction;
  CryptStore(UniqueCertStore store, repair::StoreIdentity identity, std::string description);
  repair::Status reload();
  void refresh_sha1(std::size_t index, DWORD written_id);

  UniqueCertStore store_;
  repair::StoreIdentity identity_;
  std::string description_;
  std::vector<UniqueCertContext> certificates_;  // in enumeration order
  std::vector<std::string> sha1s_;               // thumbprint of each, lower-case hex
  std::optional<std::size_t> fail_after_;
  bool containers_visible_ = true;
  bool persistent_ = false;  // a system store, not a memory one
  std::string journal_path_;
  std::optional<std::size_t> terminate_after_writes_;
};

// "CERT_SYSTEM_STORE_LOCAL_MACHINE" etc.; nullopt for a location crypt32 has no flag for.
std::optional<DWORD> system_store_flag(repair::StoreLocation location);

}  // namespace certbed::windows
