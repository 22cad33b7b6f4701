// `certutil -repairstore STORE CERTIDLIST [PROPERTY.INF]` on any writable Store: with an INF,
// apply its properties to every matched certificate; without, repair the private key
// association (property 2) from the key container whose public key matches. All or nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/store/store.h"

namespace certbed::repair {

struct PropertyChange {
  std::size_t index = 0;  // the certificate's index in the store
  std::string sha1;
  std::string serial;
  PropertyId id{};
  std::optional<Bytes> before;  // nullopt: the property was absent
  std::optional<Bytes> after;   // nullopt: the property is deleted

  bool operator==(const PropertyChange&) const = default;
};

struct RepairStoreOptions {
  // certutil's -csp: look for the key only in this provider (key association repair).
  std::optional<std::string> provider;
};

struct RepairStoreResult {
  std::vector<PropertyChange> changes;  // only what really changed, in application order
  std::vector<std::string> transcript;  // what certutil would print, line by line
};

// What repair_store would change, computed against the store's current state without changing
// it (the transcript included).
Result<RepairStoreResult> stage_repair_store(const ReadOnlyStore& store,
                                             std::string_view cert_id_list, const PropertyInf* inf,
                                             const RepairStoreOptions& options = {});

// Applies changes in one transaction: all of them, or none when anything fails.
Status commit_changes(Store& store, const std::vector<PropertyChange>& changes);

// Matches `cert_id_list` (see match_cert_ids), stages every change in one transaction and
// commits it. Any error (an unmatched id, no matching key, a failed commit) leaves the store
// exactly as it was. Applying the same repair twice changes nothing the second time.
Result<RepairStoreResult> repair_store(Store& store, std::string_view cert_id_list,
                                       const PropertyInf* inf,
                                       const RepairStoreOptions& options = {});

}  // namespace certbed::repair
