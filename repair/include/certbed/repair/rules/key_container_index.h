// The key containers a diagnosis looks up, indexed by name and by public key. Built once per
// diagnosis, so a lookup costs O(log n) instead of a scan of every container, and kept
// compact (one byte arena, interned provider names) so a streaming diagnosis of a dump with
// hundreds of thousands of keys stays within a few tens of megabytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "certbed/repair/model/key_container_facts.h"

namespace certbed::repair {

class KeyContainerIndex {
 public:
  struct KeyMatch {
    KeyContainerFacts container;
    KeyFacts key;
  };

  // Collects containers, then builds the index in one step.
  class Builder {
   public:
    void add(const KeyContainerFacts& container);
    KeyContainerIndex build() &&;

   private:
    friend class KeyContainerIndex;
    struct Text {
      std::uint32_t offset = 0;
      std::uint32_t size = 0;
    };
    struct Key {
      std::uint32_t key_spec = 0;
      std::uint32_t bits = 0;
      std::uint32_t algorithm = 0;  // interned name
      Text public_key_id;
    };
    struct Entry {
      std::uint32_t provider = 0;  // interned name
      std::uint32_t provider_type = 0;
      Text container;
      Text unique_container;
      std::uint32_t first_key = 0;
      std::uint32_t key_count = 0;
      KeyScope scope = KeyScope::kMachine;
      bool exportable = false;
      std::uint32_t read_access = 0;  // 0: not known; else acls_[read_access - 1]
    };

    Text store(std::string_view text);
    std::uint32_t intern(const std::string& name);
    // Containers share a handful of ACLs (Windows' default above all), so each is kept once.
    std::uint32_t intern_acl(const std::vector<std::string>& accounts);

    std::string arena_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::uint32_t> name_ids_;
    std::vector<Entry> entries_;
    std::vector<Key> keys_;
    std::vector<std::vector<std::string>> acls_;
    std::map<std::vector<std::string>, std::uint32_t> acl_ids_;
  };

  KeyContainerIndex() = default;
  explicit KeyContainerIndex(const std::vector<KeyContainerFacts>& containers);

  std::size_t size() const { return data_.entries_.size(); }
  // The container (first added wins), comparing provider and container names without regard
  // to ASCII case, as Windows does; a container named by its unique name is found too.
  std::optional<KeyContainerFacts> find(std::string_view provider,
                                        std::string_view container) const;
  // Every key whose public key id is `public_key_id`, with its container, in the order added.
  std::vector<KeyMatch> with_key(std::string_view public_key_id) const;
  // The first of them and how many there are, without materializing the others: stores built
  // from a key pool hold thousands of containers per public key.
  struct KeyCount {
    std::optional<KeyMatch> first;
    std::size_t count = 0;
  };
  KeyCount count_key(std::string_view public_key_id) const;
  // Heap bytes held (arena, tables, hash indexes); what a benchmark reports.
  std::size_t memory_bytes() const;

 private:
  using Text = Builder::Text;
  std::string_view text(Text t) const;
  KeyContainerFacts materialize(std::uint32_t entry) const;
  KeyMatch key_match(std::uint32_t key) const;
  // The run of by_key_id_ holding `public_key_id` (empty when absent).
  std::pair<std::size_t, std::size_t> key_run(std::string_view public_key_id) const;

  Builder data_;
  // Sorted (hash, position) pairs: binary search instead of a node-based hash map keeps the
  // index at 16 bytes a key. by_key_id_ is sorted by (hash, id, position), so the keys of one
  // id form one run, in the order added.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_name_;  // -> entry
  // The same by unique container name, which CryptoAPI also opens a container by
  // (PP_UNIQUE_CONTAINER; property 2 of CryptoAPI enrollment keys names it so).
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_unique_name_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_key_id_;  // -> key
  std::vector<std::uint32_t> key_entry_;                            // key -> entry
};

}  // namespace certbed::repair
