#include "bench_support.h"

#include <malloc.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/scenarios/random_store.h"

namespace certbed::bench {

std::vector<std::int64_t> store_sizes(std::int64_t limit) {
  std::int64_t max = 100000;
  if (const char* env = std::getenv("CERTBED_BENCH_MAX")) max = std::atoll(env);
  std::vector<std::int64_t> out;
  for (std::int64_t n : {1000, 10000, 100000, 1000000}) {
    if (n <= max && n <= limit) out.push_back(n);
  }
  return out;
}

void apply_sizes(benchmark::internal::Benchmark* b, std::int64_t limit) {
  for (auto n : store_sizes(limit)) b->Arg(n);
}

const emulator::Machine& random_machine(std::size_t certificates) {
  static std::map<std::size_t, std::unique_ptr<emulator::Machine>> cache;
  auto& slot = cache[certificates];
  if (!slot) {
    emulator::RandomStoreOptions options;
    options.certificates = certificates;
    options.seed = 42;
    options.odd_names = false;
    if (certificates > 100000) options.issuer_algorithm = emulator::KeyAlgorithm::kEcP256;
    auto machine = emulator::generate_random_machine(options);
    if (!machine) throw std::runtime_error(machine.error().message);
    slot = std::make_unique<emulator::Machine>(std::move(*machine));
  }
  return *slot;
}

const emulator::CertificateStore& random_my_store(std::size_t certificates) {
  const auto* store =
      random_machine(certificates).find_store(emulator::StoreLocation::kLocalMachine, "My");
  if (!store) throw std::runtime_error("random machine without LocalMachine\\My");
  return *store;
}

const DumpFile& verbose_dump_file(std::size_t certificates) {
  static std::map<std::size_t, DumpFile> cache;
  auto& slot = cache[certificates];
  if (slot.path.empty()) {
    const char* env = std::getenv("CERTBED_BENCH_DIR");
    const std::filesystem::path dir = env ? env : "/tmp/certbed-bench";
    std::filesystem::create_directories(dir);
    slot.path = (dir / ("verbose-" + std::to_string(certificates) + ".txt")).string();
    {
      std::ofstream out(slot.path, std::ios::binary | std::ios::trunc);
      emulator::DumpOptions options;
      options.verbose = true;
      emulator::render_store_dump(random_machine(certificates), random_my_store(certificates),
                                  options, out);
      if (!out) throw std::runtime_error("cannot write " + slot.path);
    }
    slot.bytes = std::filesystem::file_size(slot.path);
  }
  return slot;
}

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

}  // namespace certbed::bench
