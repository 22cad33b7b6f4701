// Where emulated key containers get their keys: freshly generated, or (deterministic mode) the
// committed test-key pool under fixtures/keys/, compiled into the library.
#pragma once

#include <array>
#include <cstddef>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/crypto/ossl.h"

namespace certbed::emulator {

class KeySource {
 public:
  static KeySource random();
  // Hands out the pool's keys of each algorithm in a fixed order; when a pool is exhausted it
  // starts again from its first key (so two containers can then share a public key).
  static KeySource deterministic();

  bool is_deterministic() const { return deterministic_; }
  repair::Result<ossl::SharedPkey> next(KeyAlgorithm algorithm);

  // Number of committed keys for an algorithm.
  static std::size_t pool_size(KeyAlgorithm algorithm);

 private:
  explicit KeySource(bool deterministic) : deterministic_(deterministic) {}
  bool deterministic_;
  std::array<std::size_t, 5> handed_out_{};
};

}  // namespace certbed::emulator
