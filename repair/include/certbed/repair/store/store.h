// The Store interface every backend implements: the emulator, the Windows system store and the
// read-only view of a parsed certutil dump. The repair engine only talks to this.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/model/ca_config_facts.h"
#include "certbed/repair/model/cert_facts.h"
#include "certbed/repair/model/key_container_facts.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::repair {

// The read half of a store: everything diagnosis needs, so the rules take a ReadOnlyStore.
class ReadOnlyStore {
 public:
  virtual ~ReadOnlyStore() = default;

  // "LocalMachine\My", "dump machine.txt", ...
  virtual std::string description() const = 0;
  // Which store this is and where: the emulator and Windows know; a dump says its name in its
  // header (when it has one) and its location only through evidence (see DumpStore).
  virtual StoreIdentity identity() const = 0;
  virtual std::size_t size() const = 0;
  // Facts of the certificate at `index` (< size()), with CertFacts::index set to it.
  virtual CertFacts certificate(std::size_t index) const = 0;
  // Lookups take normalized lower-case hex without spaces.
  virtual std::optional<std::size_t> find_by_sha1(std::string_view sha1) const = 0;
  virtual std::vector<std::size_t> find_by_serial(std::string_view serial) const = 0;
  // Every key container the store's owner can see (all providers of the machine).
  virtual std::vector<KeyContainerFacts> key_containers() const = 0;
  // False when the backend cannot see key containers at all (a non-verbose dump of one
  // certificate says little): rules that need them then stay silent rather than guess.
  virtual bool knows_key_containers() const { return true; }
  // True when the containers are inferred from what a dump printed (a key test that passed),
  // not read from the machine: a key the dump's author had no right to open is then missing
  // from them too.
  virtual bool key_containers_inferred() const { return false; }
  // The CA configuration of the machine, when it hosts a CA and the backend can read it.
  virtual std::optional<CaConfigFacts> ca_configuration() const { return std::nullopt; }
  // Opens `key` of `container` as the store's user would before -repairstore links a certificate
  // to it; the error says which call failed and its HRESULT. The default opens every key: a dump
  // holds none to open, and the Windows backend lists only the containers it could open.
  virtual Status open_private_key(const KeyContainerFacts& container, const KeyFacts& key) const {
    (void)container;
    (void)key;
    return {};
  }
};

// Changes staged against a Store; none is visible until commit(), and commit() applies all of
// them or none. Destroying an uncommitted transaction discards it.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // `sha1` names the certificate (normalized thumbprint). Unknown certificates and ids that
  // cannot be properties are rejected here, before anything is applied.
  virtual Status set_property(std::string_view sha1, PropertyId id, Bytes value) = 0;
  virtual Status delete_property(std::string_view sha1, PropertyId id) = 0;
  virtual Status commit() = 0;
};

// A store that can be changed through transactions. A backend that can only be read (the view of a
// parsed dump) is a Store too, so that one contract suite covers every backend: its
// begin_transaction() fails with ErrorCode::kUnsupported and a message saying it is read-only.
class Store : public ReadOnlyStore {
 public:
  virtual Result<std::unique_ptr<Transaction>> begin_transaction() = 0;
};

}  // namespace certbed::repair
