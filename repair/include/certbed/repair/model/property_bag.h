// A certificate's properties in the store's enumeration order (certutil prints them unsorted).
#pragma once

#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/property_id.h"

namespace certbed::repair {

struct PropertyEntry {
  PropertyId id{};
  Bytes value;

  bool operator==(const PropertyEntry&) const = default;
};

class PropertyBag {
 public:
  const Bytes* find(PropertyId id) const;
  bool contains(PropertyId id) const { return find(id) != nullptr; }
  // Replaces the value in place (keeping its position) or appends a new entry.
  void set(PropertyId id, Bytes value);
  // Returns false when the property was absent.
  bool erase(PropertyId id);

  const std::vector<PropertyEntry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  bool operator==(const PropertyBag&) const = default;

 private:
  std::vector<PropertyEntry> entries_;  // ids unique; few entries, so a linear scan wins
};

}  // namespace certbed::repair
