// Flat open-addressing indexes of a store's certificates by thumbprint and by serial.
#include "certbed/emulator/machine/certificate_index.h"

#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace certbed::emulator {
namespace {

bool decode_sha1(std::string_view hex, std::array<std::uint8_t, 20>& out) {
  if (hex.size() != 40) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 20; ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

// A SHA-1 is uniformly distributed: its first eight bytes are a good hash already.
std::size_t slot_hash(const std::array<std::uint8_t, 20>& key) {
  std::uint64_t h = 0;
  std::memcpy(&h, key.data(), sizeof(h));
  return static_cast<std::size_t>(h);
}

constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

void* allocate_table_bytes(std::size_t bytes) {
#if defined(__linux__)
  if (bytes >= kHugePage) {
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without huge pages it still works
    return p;
  }
#endif
  return ::operator new(bytes);
}

void deallocate_table_bytes(void* p, std::size_t bytes) {
#if defined(__linux__)
  if (bytes >= kHugePage) {
    std::free(p);
    return;
  }
#endif
  ::operator delete(p);
}

void ThumbprintIndex::grow() {
  std::vector<Slot, LargeTableAllocator<Slot>> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.position_plus_one == 0) continue;
    std::size_t i = slot_hash(s.key) & mask;
    while (slots_[i].position_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

bool ThumbprintIndex::insert(std::string_view sha1_hex, std::uint32_t position) {
  std::array<std::uint8_t, 20> key;
  if (!decode_sha1(sha1_hex, key)) return false;
  if ((size_ + 1) * 2 > slots_.size()) grow();  // load factor at most 1/2
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = slot_hash(key) & mask;
  for (; slots_[i].position_plus_one != 0; i = (i + 1) & mask) {
    if (slots_[i].key == key) return false;
  }
  slots_[i] = Slot{key, position + 1};
  ++size_;
  return true;
}

std::optional<std::uint32_t> ThumbprintIndex::find(std::string_view sha1_hex) const {
  std::array<std::uint8_t, 20> key;
  if (slots_.empty() || !decode_sha1(sha1_hex, key)) return std::nullopt;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_hash(key) & mask; slots_[i].position_plus_one != 0;
       i = (i + 1) & mask) {
    if (slots_[i].key == key) return slots_[i].position_plus_one - 1;
  }
  return std::nullopt;
}

std::uint64_t HashedPositions::hash(std::string_view key) {
  // FNV-1a, then a final mix so linear probing sees the low bits well spread.
  std::uint64_t h = 14695981039346656037ull;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

void HashedPositions::grow() {
  std::vector<Slot, LargeTableAllocator<Slot>> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.position_plus_one == 0) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].position_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void HashedPositions::insert(std::uint64_t hash, std::uint32_t position) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i].position_plus_one != 0) i = (i + 1) & mask;
  slots_[i] = Slot{hash, position + 1};
  ++size_;
}

}  // namespace certbed::emulator
