// A certificate's properties in the store's enumeration order (certutil prints them unsorted).
#pragma once

#include <cstdint>
#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/property_id.h"

namespace certbed::repair {

// X509_ASN_ENCODING: what Windows writes in a serialized element's encoding field.
inline constexpr std::uint32_t kPropertyEncoding = 1;

struct PropertyEntry {
  PropertyId id{};
  Bytes value;
  // The encoding field of the serialized element it came from (.sst, registry Blob). Windows
  // writes 1; another value read from a file is kept so the file is written back as it was.
  std::uint32_t encoding = kPropertyEncoding;

  bool operator==(const PropertyEntry&) const = default;
};

class PropertyBag {
 public:
  const Bytes* find(PropertyId id) const;
  bool contains(PropertyId id) const { return find(id) != nullptr; }
  // Replaces the value in place (keeping its position) or appends a new entry.
  void set(PropertyId id, Bytes value);
  // The same, also setting the element's encoding field.
  void set(PropertyId id, Bytes value, std::uint32_t encoding);
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
