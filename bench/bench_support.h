// Shared inputs for the benchmarks: store sizes, random machines and rendered dumps built once
// per size and reused by every benchmark that needs them, and heap accounting.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/machine/machine.h"

namespace certbed::bench {

// 1k, 10k, 100k, 1M certificates, up to CERTBED_BENCH_MAX (default 100000; bench/report sets
// 1000000). Expensive benchmarks cap themselves lower with `limit`.
std::vector<std::int64_t> store_sizes(std::int64_t limit = INT64_MAX);
void apply_sizes(benchmark::internal::Benchmark* b, std::int64_t limit = INT64_MAX);

// A random machine with `certificates` certificates in LocalMachine\My (issuer ECDSA P-256 above
// 100k, so a million certificates take a minute instead of several), built once per size.
const emulator::Machine& random_machine(std::size_t certificates);
const emulator::CertificateStore& random_my_store(std::size_t certificates);

// The machine's verbose dump, rendered once per size into a file under CERTBED_BENCH_DIR
// (default /tmp/certbed-bench); its path and size.
struct DumpFile {
  std::string path;
  std::size_t bytes = 0;
};
const DumpFile& verbose_dump_file(std::size_t certificates);

// Bytes of heap in use (glibc mallinfo2), for memory benchmarks.
std::size_t heap_in_use();

}  // namespace certbed::bench
