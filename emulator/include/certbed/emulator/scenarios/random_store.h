// Randomized emulated machines for round-trip tests, fuzzing and benchmarks: many certificates,
// every provider kind, every KeySpec, odd but legal names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/machine/machine.h"

namespace certbed::emulator {

struct RandomStoreOptions {
  std::size_t certificates = 100;
  std::uint64_t seed = 1;
  // Names with Unicode, '&', quotes, '%', '^', and long names; otherwise plain ASCII names.
  bool odd_names = true;
  // Every KeySpec right and every certificate linked to its key (otherwise about one in ten is
  // wrong and one in twenty unlinked, as in real stores).
  bool healthy = false;
  // Give this certificate a KSP key with KeySpec 2 (the seed's mistake), whatever else holds.
  std::optional<std::size_t> keyspec2_at;
  // The root CA's key. RSA 2048 signs deterministically (the same options give byte-identical
  // certificates); ECDSA P-256 signs about ten times faster, for stores of a million
  // certificates, but its signatures (so thumbprints) differ from run to run.
  KeyAlgorithm issuer_algorithm = KeyAlgorithm::kRsa2048;
};

// LocalMachine\My gets `certificates` end-entity certificates issued by one root CA (also in
// Root), keys from the committed pool, containers across KSPs and CSPs. The same options always
// give the same machine (with an RSA issuer).
repair::Result<Machine> generate_random_machine(const RandomStoreOptions& options);

}  // namespace certbed::emulator
