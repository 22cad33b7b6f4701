// An ordered property bag: ids to serialized values, in store order.
#include "certbed/repair/model/property_bag.h"

#include <algorithm>

namespace certbed::repair {

const Bytes* PropertyBag::find(PropertyId id) const {
  for (const auto& e : entries_) {
    if (e.id == id) return &e.value;
  }
  return nullptr;
}

void PropertyBag::set(PropertyId id, Bytes value) {
  for (auto& e : entries_) {
    if (e.id == id) {
      e.value = std::move(value);
      return;
    }
  }
  entries_.push_back(PropertyEntry{id, std::move(value)});
}

void PropertyBag::set(PropertyId id, Bytes value, std::uint32_t encoding) {
  for (auto& e : entries_) {
    if (e.id == id) {
      e.value = std::move(value);
      e.encoding = encoding;
      return;
    }
  }
  entries_.push_back(PropertyEntry{id, std::move(value), encoding});
}

bool PropertyBag::erase(PropertyId id) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [id](const PropertyEntry& e) { return e.id == id; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

}  // namespace certbed::repair
