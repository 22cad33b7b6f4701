// The lookup tables of a certificate store: open addressing over flat arrays, so a lookup in a
// store of a million certificates touches one or two cache lines instead of a bucket, a node
// and a heap-allocated key, and each certificate costs tens of bytes instead of a node each.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace certbed::emulator {

void* allocate_table_bytes(std::size_t bytes);
void deallocate_table_bytes(void* p, std::size_t bytes);

// Allocates large tables on 2 MiB boundaries and asks Linux for transparent huge pages there:
// at a million certificates a lookup's random probe otherwise misses the TLB as well as the
// cache. Small tables (and other systems) use plain operator new.
template <typename T>
struct LargeTableAllocator {
  using value_type = T;
  LargeTableAllocator() = default;
  template <typename U>
  LargeTableAllocator(const LargeTableAllocator<U>&) {}  // NOLINT: allocator conversion
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_table_bytes(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { deallocate_table_bytes(p, n * sizeof(T)); }
  bool operator==(const LargeTableAllocator&) const { return true; }
};

// Thumbprint -> position. The key is the 20-byte SHA-1 itself, held in the slot.
class ThumbprintIndex {
 public:
  // `sha1_hex`: 40 lower-case hex digits (what CertFacts::sha1 holds); false when it is not,
  // or when it is present already.
  bool insert(std::string_view sha1_hex, std::uint32_t position);
  std::optional<std::uint32_t> find(std::string_view sha1_hex) const;
  bool contains(std::string_view sha1_hex) const { return find(sha1_hex).has_value(); }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::array<std::uint8_t, 20> key{};
    std::uint32_t position_plus_one = 0;  // 0: empty
  };
  void grow();

  std::vector<Slot, LargeTableAllocator<Slot>> slots_;
  std::size_t size_ = 0;
};

// Hash of a string key -> positions (several certificates may share a serial). Candidates
// come back by hash; the caller compares the real keys.
class HashedPositions {
 public:
  static std::uint64_t hash(std::string_view key);
  void insert(std::uint64_t hash, std::uint32_t position);
  template <typename Visit>
  void for_each(std::uint64_t hash, Visit&& visit) const {
    if (slots_.empty()) return;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.position_plus_one == 0) return;
      if (s.hash == hash) visit(s.position_plus_one - 1);
    }
  }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t position_plus_one = 0;  // 0: empty
  };
  void grow();

  std::vector<Slot, LargeTableAllocator<Slot>> slots_;
  std::size_t size_ = 0;
};

}  // namespace certbed::emulator
