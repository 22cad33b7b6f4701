// Emulated stores: generation, lookup, memory, snapshots and -repairstore transactions.
#include <algorithm>
#include <random>

#include "bench_support.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/random_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/apply/repair_store.h"
#include "certbed/repair/formats/inf/property_inf.h"

namespace certbed::bench {
namespace {

// (a) Generation: every certificate signed by the root CA's key with OpenSSL, subject keys from
// the committed pool, key containers and properties as Windows keeps them. Signing is the floor
// cost; bench/report sets items_per_second against `openssl speed` for the same algorithm.
void generate(benchmark::State& state, emulator::KeyAlgorithm issuer) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    emulator::RandomStoreOptions options;
    options.certificates = n;
    options.seed = 7;
    options.odd_names = false;
    options.issuer_algorithm = issuer;
    auto machine = emulator::generate_random_machine(options);
    if (!machine) {
      state.SkipWithError(machine.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(machine->store(emulator::StoreLocation::kLocalMachine, "My").size());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetComplexityN(state.range(0));
}
void BM_GenerateStore_Rsa2048(benchmark::State& state) {
  generate(state, emulator::KeyAlgorithm::kRsa2048);
}
void BM_GenerateStore_EcP256(benchmark::State& state) {
  generate(state, emulator::KeyAlgorithm::kEcP256);
}
BENCHMARK(BM_GenerateStore_Rsa2048)->Apply([](auto* b) {
                                     apply_sizes(b, 100000);
                                   }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);
BENCHMARK(BM_GenerateStore_EcP256)->Apply([](auto* b) {
                                    apply_sizes(b);
                                  }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);

// (b) Lookup by thumbprint and by serial, in a random order over the whole store so the caches
// see what a real lookup sees. The queries sit back to back in one buffer, in lookup order, so
// the timing is the index's and not the harness's own cache misses.
template <typename Key, typename Find>
void lookup(benchmark::State& state, Key key, Find find) {
  const auto& store = random_my_store(static_cast<std::size_t>(state.range(0)));
  std::vector<std::size_t> order(store.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(1));
  std::string queries;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // offset, length
  for (std::size_t i : order) {
    const std::string k = key(store.at(i));
    spans.emplace_back(static_cast<std::uint32_t>(queries.size()),
                       static_cast<std::uint32_t>(k.size()));
    queries += k;
  }
  const std::string_view all(queries);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(find(store, all.substr(spans[i].first, spans[i].second)));
    if (++i == spans.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetComplexityN(state.range(0));
}
void BM_LookupBySha1(benchmark::State& state) {
  lookup(
      state, [](const emulator::StoredCertificate& c) { return c.facts.sha1; },
      [](const emulator::CertificateStore& s, std::string_view k) { return s.find_by_sha1(k); });
}
void BM_LookupBySerial(benchmark::State& state) {
  lookup(
      state, [](const emulator::StoredCertificate& c) { return c.facts.serial; },
      [](const emulator::CertificateStore& s, std::string_view k) {
        return s.find_by_serial(k).size();
      });
}
// Five repetitions each: the report takes their median.
BENCHMARK(BM_LookupBySha1)
    ->Apply([](auto* b) { apply_sizes(b); }) -> Repetitions(5) -> Complexity(benchmark::o1);
BENCHMARK(BM_LookupBySerial)
    ->Apply([](auto* b) { apply_sizes(b); }) -> Repetitions(5) -> Complexity(benchmark::o1);

// (h) Memory of the emulated store: heap held by a copy of LocalMachine\My (certificates, facts,
// properties, both indexes), per certificate, against its DER size.
void BM_StoreMemory(benchmark::State& state) {
  const auto& store = random_my_store(static_cast<std::size_t>(state.range(0)));
  std::size_t der = 0;
  for (std::size_t i = 0; i < store.size(); ++i) der += store.at(i).der.size();
  std::size_t held = 0;
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto copy = std::make_unique<emulator::CertificateStore>(store);
    held = heap_in_use() - before;
    benchmark::DoNotOptimize(copy->size());
  }
  const auto n = static_cast<double>(store.size());
  state.counters["bytes_per_cert"] = static_cast<double>(held) / n;
  state.counters["der_bytes_per_cert"] = static_cast<double>(der) / n;
  state.counters["budget_per_cert"] = 1.5 * static_cast<double>(der) / n + 256.0;
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_StoreMemory)
    ->Apply([](auto* b) { apply_sizes(b); }) -> Unit(benchmark::kMillisecond) -> Iterations(1)
        -> Complexity(benchmark::oN);

// (g) Snapshots: serialize and parse (with full validation) in text and binary protobuf.
void snapshot_save(benchmark::State& state, emulator::SnapshotFormat format) {
  const auto& machine = random_machine(static_cast<std::size_t>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto data = emulator::serialize_snapshot(machine, format);
    if (!data) {
      state.SkipWithError(data.error().message.c_str());
      return;
    }
    bytes = data->size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetComplexityN(state.range(0));
}
void snapshot_load(benchmark::State& state, emulator::SnapshotFormat format) {
  const auto& machine = random_machine(static_cast<std::size_t>(state.range(0)));
  const auto data = emulator::serialize_snapshot(machine, format).value();
  for (auto _ : state) {
    auto loaded = emulator::parse_snapshot(data, format, "bench");
    if (!loaded) {
      state.SkipWithError(loaded.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(loaded->stores().size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetComplexityN(state.range(0));
}
void BM_SnapshotSave_Binary(benchmark::State& s) {
  snapshot_save(s, emulator::SnapshotFormat::kBinary);
}
void BM_SnapshotSave_Text(benchmark::State& s) {
  snapshot_save(s, emulator::SnapshotFormat::kText);
}
void BM_SnapshotLoad_Binary(benchmark::State& s) {
  snapshot_load(s, emulator::SnapshotFormat::kBinary);
}
void BM_SnapshotLoad_Text(benchmark::State& s) {
  snapshot_load(s, emulator::SnapshotFormat::kText);
}
BENCHMARK(BM_SnapshotSave_Binary)->Apply([](auto* b) {
                                   apply_sizes(b, 100000);
                                 }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);
BENCHMARK(BM_SnapshotSave_Text)->Apply([](auto* b) {
                                 apply_sizes(b, 100000);
                               }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);
BENCHMARK(BM_SnapshotLoad_Binary)->Apply([](auto* b) {
                                   apply_sizes(b, 100000);
                                 }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);
BENCHMARK(BM_SnapshotLoad_Text)->Apply([](auto* b) {
                                 apply_sizes(b, 100000);
                               }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);

// (f) certutil -repairstore my "<id>,<id>,..." KeyProv.inf over 1, 100 and 10,000 certificates
// of a 10,000-certificate store, in one transaction; KeySpec alternates so every run changes
// every certificate it names.
void BM_RepairStore(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  emulator::Machine machine = random_machine(10000);
  emulator::EmulatedStore store(machine, emulator::StoreLocation::kLocalMachine, "My");
  std::string ids;
  for (std::size_t i = 0; i < k; ++i) {
    if (i) ids += ',';
    ids += store.certificate(i).sha1;
  }
  repair::KeyProvInfo info{
      "bench-container", "Microsoft Software Key Storage Provider", 0, 0x20, 0, {}};
  std::vector<repair::PropertyInf> infs;
  for (std::uint32_t spec : {0u, 2u}) {
    info.key_spec = spec;
    const auto text = repair::write_property_inf({repair::inf_key_provider(info)}).value();
    infs.push_back(repair::parse_property_inf(text, "KeyProv.inf").value());
  }
  std::size_t run = 0;
  std::size_t changed = 0;
  for (auto _ : state) {
    auto result = repair::repair_store(store, ids, &infs[run++ % 2]);
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    changed = result->changes.size();
  }
  state.counters["changed"] = static_cast<double>(changed);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * k));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_RepairStore)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oN);

}  // namespace
}  // namespace certbed::bench

namespace certbed::bench {
namespace {

// The physical floor under (b): one dependent random read per step through a buffer as large as
// the thumbprint index of an n-certificate store (24-byte slots at load 1/2, so 48n bytes). A
// lookup cannot beat one such miss; the report sets the lookups against it.
void BM_MemoryLatencyBaseline(benchmark::State& state) {
  const std::size_t slots = std::max<std::size_t>(64, static_cast<std::size_t>(state.range(0)) * 6);
  std::vector<std::uint64_t> next(slots);  // 8-byte cells: 6 per certificate = 48 bytes
  std::vector<std::uint64_t> order(slots);
  for (std::size_t i = 0; i < slots; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  for (std::size_t i = 0; i < slots; ++i) next[order[i]] = order[(i + 1) % slots];
  std::uint64_t at = order[0];
  for (auto _ : state) {
    at = next[at];
    benchmark::DoNotOptimize(at);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MemoryLatencyBaseline)->Apply([](auto* b) { apply_sizes(b); }) -> Repetitions(5);

}  // namespace
}  // namespace certbed::bench
