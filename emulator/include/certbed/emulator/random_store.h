// Randomized emulated machines for round-trip tests, fuzzing and benchmarks: many certificates,
// every provider kind, every KeySpec, odd but legal names.
#pragma once

#include <cstddef>
#include <cstdint>

#include "certbed/emulator/machine.h"

namespace certbed::emulator {

struct RandomStoreOptions {
  std::size_t certificates = 100;
  std::uint64_t seed = 1;
  // Names with Unicode, '&', quotes, '%', '^', and long names; otherwise plain ASCII names.
  bool odd_names = true;
};

// LocalMachine\My gets `certificates` end-entity certificates issued by one root CA (also in
// Root), keys from the committed pool, containers across KSPs and CSPs. The same options always
// give the same machine.
repair::Result<Machine> generate_random_machine(const RandomStoreOptions& options);

}  // namespace certbed::emulator
