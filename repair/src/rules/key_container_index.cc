// The compact container index a diagnosis looks keys up in.
#include "certbed/repair/rules/key_container_index.h"

#include <algorithm>
#include <limits>

#include "certbed/repair/model/bytes.h"

namespace certbed::repair {
namespace {

// FNV-1a, 64 bit: a hash only picks candidates; equal_range results are compared in full.
constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

std::uint64_t fnv1a(std::uint64_t h, std::string_view text, bool fold_case) {
  for (char c : text) {
    if (fold_case && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

// Provider and container names compare without regard to ASCII case; the separator keeps
// ("ab", "c") and ("a", "bc") apart.
std::uint64_t name_hash(std::string_view provider, std::string_view container) {
  std::uint64_t h = fnv1a(kFnvOffset, provider, true);
  h = fnv1a(h, std::string_view("\0", 1), false);
  return fnv1a(h, container, true);
}

std::uint64_t key_id_hash(std::string_view id) { return fnv1a(kFnvOffset, id, false); }

bool equal_fold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && to_lower_ascii(a) == to_lower_ascii(b);
}

template <typename Pairs>
auto hash_range(const Pairs& pairs, std::uint64_t hash) {
  return std::equal_range(pairs.begin(), pairs.end(),
                          std::pair<std::uint64_t, std::uint32_t>{hash, 0},
                          [](const auto& a, const auto& b) { return a.first < b.first; });
}

}  // namespace

KeyContainerIndex::Builder::Text KeyContainerIndex::Builder::store(std::string_view text) {
  Text t;
  t.offset = static_cast<std::uint32_t>(arena_.size());
  t.size = static_cast<std::uint32_t>(text.size());
  arena_.append(text);
  return t;
}

std::uint32_t KeyContainerIndex::Builder::intern(const std::string& name) {
  auto [it, added] = name_ids_.try_emplace(name, static_cast<std::uint32_t>(names_.size()));
  if (added) names_.push_back(name);
  return it->second;
}

std::uint32_t KeyContainerIndex::Builder::intern_acl(const std::vector<std::string>& accounts) {
  auto [it, added] = acl_ids_.try_emplace(accounts, static_cast<std::uint32_t>(acls_.size() + 1));
  if (added) acls_.push_back(accounts);
  return it->second;
}

void KeyContainerIndex::Builder::add(const KeyContainerFacts& container) {
  // Offsets are 32-bit: an arena past 4 GiB (tens of millions of containers) would wrap, so
  // containers beyond it are not indexed. No store certbed reads comes near it.
  std::size_t needed = container.container.size() + container.unique_container.size();
  for (const auto& k : container.keys) needed += k.public_key_id.size();
  if (arena_.size() + needed > std::numeric_limits<std::uint32_t>::max() ||
      keys_.size() + container.keys.size() > std::numeric_limits<std::uint32_t>::max()) {
    return;
  }
  Entry e;
  e.provider = intern(container.provider);
  e.provider_type = container.provider_type;
  e.container = store(container.container);
  e.unique_container = store(container.unique_container);
  e.first_key = static_cast<std::uint32_t>(keys_.size());
  e.key_count = static_cast<std::uint32_t>(container.keys.size());
  e.scope = container.scope;
  e.exportable = container.exportable;
  if (container.read_access) e.read_access = intern_acl(*container.read_access);
  for (const auto& k : container.keys) {
    keys_.push_back(Key{k.key_spec, k.bits, intern(k.algorithm), store(k.public_key_id)});
  }
  entries_.push_back(e);
}

KeyContainerIndex KeyContainerIndex::Builder::build() && {
  KeyContainerIndex index;
  index.data_ = std::move(*this);
  const auto& d = index.data_;
  index.by_name_.reserve(d.entries_.size());
  index.key_entry_.resize(d.keys_.size());
  for (std::uint32_t i = 0; i < d.entries_.size(); ++i) {
    const Entry& e = d.entries_[i];
    index.by_name_.emplace_back(name_hash(d.names_[e.provider], index.text(e.container)), i);
    if (e.unique_container.size != 0) {
      index.by_unique_name_.emplace_back(
          name_hash(d.names_[e.provider], index.text(e.unique_container)), i);
    }
    for (std::uint32_t k = e.first_key; k < e.first_key + e.key_count; ++k) {
      index.key_entry_[k] = i;
    }
  }
  index.by_key_id_.reserve(d.keys_.size());
  for (std::uint32_t k = 0; k < d.keys_.size(); ++k) {
    const std::string_view id = index.text(d.keys_[k].public_key_id);
    if (!id.empty()) index.by_key_id_.emplace_back(key_id_hash(id), k);
  }
  // Position order within a hash keeps "first added" meaning what it says; ids that share a
  // hash are ordered by their text so each id's keys stay one run.
  std::sort(index.by_name_.begin(), index.by_name_.end());
  std::sort(index.by_unique_name_.begin(), index.by_unique_name_.end());
  std::sort(index.by_key_id_.begin(), index.by_key_id_.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const auto ta = index.text(d.keys_[a.second].public_key_id);
    const auto tb = index.text(d.keys_[b.second].public_key_id);
    if (ta != tb) return ta < tb;
    return a.second < b.second;
  });
  index.by_name_.shrink_to_fit();
  index.by_unique_name_.shrink_to_fit();
  index.by_key_id_.shrink_to_fit();
  index.data_.arena_.shrink_to_fit();
  index.data_.entries_.shrink_to_fit();
  index.data_.keys_.shrink_to_fit();
  index.data_.acl_ids_.clear();  // only building looks ACLs up
  return index;
}

KeyContainerIndex::KeyContainerIndex(const std::vector<KeyContainerFacts>& containers) {
  Builder builder;
  for (const auto& c : containers) builder.add(c);
  *this = std::move(builder).build();
}

std::string_view KeyContainerIndex::text(Text t) const {
  return std::string_view(data_.arena_).substr(t.offset, t.size);
}

KeyContainerFacts KeyContainerIndex::materialize(std::uint32_t entry) const {
  const auto& e = data_.entries_[entry];
  KeyContainerFacts c;
  c.provider = data_.names_[e.provider];
  c.provider_type = e.provider_type;
  c.container = std::string(text(e.container));
  c.unique_container = std::string(text(e.unique_container));
  c.scope = e.scope;
  c.exportable = e.exportable;
  if (e.read_access != 0) c.read_access = data_.acls_[e.read_access - 1];
  for (std::uint32_t k = e.first_key; k < e.first_key + e.key_count; ++k) {
    const auto& key = data_.keys_[k];
    c.keys.push_back(KeyFacts{key.key_spec, data_.names_[key.algorithm], key.bits,
                              std::string(text(key.public_key_id))});
  }
  return c;
}

std::optional<KeyContainerFacts> KeyContainerIndex::find(std::string_view provider,
                                                         std::string_view container) const {
  const std::uint64_t hash = name_hash(provider, container);
  auto [first, last] = hash_range(by_name_, hash);
  for (auto it = first; it != last; ++it) {
    const auto& e = data_.entries_[it->second];
    if (equal_fold(data_.names_[e.provider], provider) &&
        equal_fold(text(e.container), container)) {
      return materialize(it->second);
    }
  }
  auto [ufirst, ulast] = hash_range(by_unique_name_, hash);
  for (auto it = ufirst; it != ulast; ++it) {
    const auto& e = data_.entries_[it->second];
    if (equal_fold(data_.names_[e.provider], provider) &&
        equal_fold(text(e.unique_container), container)) {
      return materialize(it->second);
    }
  }
  return std::nullopt;
}

KeyContainerIndex::KeyMatch KeyContainerIndex::key_match(std::uint32_t key) const {
  KeyContainerFacts c = materialize(key_entry_[key]);
  KeyFacts k = c.keys[key - data_.entries_[key_entry_[key]].first_key];
  return KeyMatch{std::move(c), std::move(k)};
}

std::pair<std::size_t, std::size_t> KeyContainerIndex::key_run(
    std::string_view public_key_id) const {
  if (public_key_id.empty()) return {0, 0};
  auto [first, last] = hash_range(by_key_id_, key_id_hash(public_key_id));
  auto same_id = [&](const auto& p) {
    return text(data_.keys_[p.second].public_key_id) == public_key_id;
  };
  auto begin = std::find_if(first, last, same_id);
  auto end = std::find_if_not(begin, last, same_id);
  return {static_cast<std::size_t>(begin - by_key_id_.begin()),
          static_cast<std::size_t>(end - by_key_id_.begin())};
}

std::vector<KeyContainerIndex::KeyMatch> KeyContainerIndex::with_key(
    std::string_view public_key_id) const {
  std::vector<KeyMatch> out;
  const auto [begin, end] = key_run(public_key_id);
  for (std::size_t i = begin; i < end; ++i) out.push_back(key_match(by_key_id_[i].second));
  return out;
}

KeyContainerIndex::KeyCount KeyContainerIndex::count_key(std::string_view public_key_id) const {
  KeyCount out;
  const auto [begin, end] = key_run(public_key_id);
  out.count = end - begin;
  if (out.count > 0) out.first = key_match(by_key_id_[begin].second);
  return out;
}

std::size_t KeyContainerIndex::memory_bytes() const {
  std::size_t bytes =
      data_.arena_.capacity() + data_.entries_.capacity() * sizeof(Builder::Entry) +
      data_.keys_.capacity() * sizeof(Builder::Key) + by_name_.capacity() * sizeof(by_name_[0]) +
      by_unique_name_.capacity() * sizeof(by_unique_name_[0]) +
      by_key_id_.capacity() * sizeof(by_key_id_[0]) + key_entry_.capacity() * sizeof(std::uint32_t);
  for (const auto& n : data_.names_) bytes += sizeof(std::string) + n.capacity();
  for (const auto& acl : data_.acls_) {
    for (const auto& a : acl) bytes += sizeof(std::string) + a.capacity();
  }
  return bytes;
}

}  // namespace certbed::repair
