// repair::Store over one store of an emulated Machine, with all-or-nothing transactions.
#include "certbed/emulator/machine/emulated_store.h"

#include <fmt/format.h>

#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/staged_change.h"

namespace certbed::emulator {

using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Status;

class EmulatedTransaction final : public repair::Transaction {
 public:
  explicit EmulatedTransaction(EmulatedStore& store) : store_(store) {}

  Status set_property(std::string_view sha1, PropertyId id, Bytes value) override {
    auto index = check(sha1, id);
    if (!index) return index.error();
    if (auto ok = repair::check_staged_value(id, value); !ok) return ok.error();
    changes_.push_back(Change{*index, id, std::move(value)});
    return {};
  }

  Status delete_property(std::string_view sha1, PropertyId id) override {
    auto index = check(sha1, id);
    if (!index) return index.error();
    changes_.push_back(Change{*index, id, std::nullopt});
    return {};
  }

  Status commit() override {
    if (finished_) return make_error(ErrorCode::kInvalidArgument, "transaction already finished");
    finished_ = true;
    auto fail_after = store_.fail_after_;
    store_.fail_after_.reset();

    // Apply in order with an undo log of whole property bags, so a failure at any point
    // restores every touched certificate exactly (values and order).
    std::vector<std::pair<std::size_t, repair::PropertyBag>> undo;
    auto& backing = store_.backing_store();
    std::size_t writes = 0;
    for (const auto& change : changes_) {
      if (fail_after && writes == *fail_after) {
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
          backing.properties(it->first) = std::move(it->second);
        }
        return make_error(ErrorCode::kInternal, "injected write failure after " +
                                                    std::to_string(writes) +
                                                    " change(s); the store was rolled back");
      }
      undo.emplace_back(change.index, backing.properties(change.index));
      auto& bag = backing.properties(change.index);
      if (change.value) {
        bag.set(change.id, *change.value);
      } else {
        bag.erase(change.id);
      }
      ++writes;
    }
    return {};
  }

 private:
  struct Change {
    std::size_t index;
    PropertyId id;
    std::optional<Bytes> value;  // nullopt = delete
  };

  repair::Result<std::size_t> check(std::string_view sha1, PropertyId id) const {
    if (finished_) return make_error(ErrorCode::kInvalidArgument, "transaction already finished");
    if (auto ok = repair::check_staged_property(id); !ok) return ok.error();
    auto index = store_.backing_store().find_by_sha1(sha1);
    if (!index) {
      return make_error(ErrorCode::kNotFound, "no certificate with SHA-1 " + std::string(sha1) +
                                                  " in " + store_.description());
    }
    return *index;
  }

  EmulatedStore& store_;
  std::vector<Change> changes_;
  bool finished_ = false;
};

EmulatedStore::EmulatedStore(Machine& machine, StoreLocation location, std::string_view name)
    : machine_(machine), location_(location), name_(name) {
  machine_.store(location_, name_);
}

const CertificateStore& EmulatedStore::backing_store() const {
  // The constructor created the store and machines never drop stores, so it is there.
  return *machine_.find_store(location_, name_);
}

std::string EmulatedStore::description() const { return backing_store().description(); }
repair::StoreIdentity EmulatedStore::identity() const {
  return repair::StoreIdentity{repair::canonical_store_name(name_), to_repair_location(location_),
                               "the snapshot", "the snapshot"};
}

std::size_t EmulatedStore::size() const { return backing_store().size(); }

repair::CertFacts EmulatedStore::certificate(std::size_t index) const {
  return backing_store().at(index).facts;
}

std::optional<std::size_t> EmulatedStore::find_by_sha1(std::string_view sha1) const {
  return backing_store().find_by_sha1(sha1);
}

std::vector<std::size_t> EmulatedStore::find_by_serial(std::string_view serial) const {
  return backing_store().find_by_serial(serial);
}

std::vector<repair::KeyContainerFacts> EmulatedStore::key_containers() const {
  return machine_.key_container_facts();
}

std::optional<repair::CaConfigFacts> EmulatedStore::ca_configuration() const {
  const auto& ca = machine_.ca_configuration();
  if (!ca) return std::nullopt;
  return repair::CaConfigFacts{ca->ca_name, ca->provider, ca->provider_type, ca->ca_cert_hashes};
}

Status EmulatedStore::open_private_key(const repair::KeyContainerFacts& container,
                                       const repair::KeyFacts& key) const {
  const KeyAccess access(machine_, caller_);
  const bool machine_keyset = container.scope == repair::KeyScope::kMachine;
  const KeyAccessResult opened =
      container.is_ksp()
          ? access.ncrypt_open_key(container.provider, container.container, 0,
                                   machine_keyset ? NCRYPT_MACHINE_KEY_FLAG : 0u)
          : access.crypt_acquire_context(
                container.container, container.provider, container.provider_type,
                machine_keyset ? repair::wincrypt::CRYPT_MACHINE_KEYSET : 0u, key.key_spec);
  if (opened.ok()) return {};
  const std::string call =
      opened.steps.empty() ? std::string("opening it") : opened.steps.back().call;
  return make_error(ErrorCode::kNotFound,
                    fmt::format("{} failed for {}: {} {}", call, caller_name(caller_),
                                certutil_hresult(opened.hresult), hresult_message(opened.hresult)));
}

repair::Result<std::unique_ptr<repair::Transaction>> EmulatedStore::begin_transaction() {
  return std::unique_ptr<repair::Transaction>(std::make_unique<EmulatedTransaction>(*this));
}

}  // namespace certbed::emulator
