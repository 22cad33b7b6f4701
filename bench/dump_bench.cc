// certutil dumps: rendering, streaming parsing, parse + diagnose; property INF parsing.
#include <fstream>
#include <ostream>
#include <streambuf>

#include "bench_support.h"
#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/platform/input_file.h"
#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/rules/dump_diagnosis.h"

namespace certbed::bench {
namespace {

// An ostream that only counts what it is given, so rendering is timed without I/O.
class CountingBuffer : public std::streambuf {
 public:
  std::size_t bytes = 0;

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes;
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::size_t>(n);
    return n;
  }
};

// (c) Verbose dump rendering (certutil -v -store my) of the whole store.
void BM_RenderVerboseDump(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& machine = random_machine(n);
  const auto& store = random_my_store(n);
  emulator::DumpOptions options;
  options.verbose = true;
  std::size_t bytes = 0;
  for (auto _ : state) {
    CountingBuffer buffer;
    std::ostream out(&buffer);
    emulator::render_store_dump(machine, store, options, out);
    bytes = buffer.bytes;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_RenderVerboseDump)->Apply([](auto* b) {
                                 apply_sizes(b);
                               }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);

// Reads a file in 64 KiB chunks, as the CLI does.
template <typename Sink>
void read_chunks(const std::string& path, Sink&& sink) {
  std::ifstream in(path, std::ios::binary);
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sink(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
}

// (d) Streaming parse of the verbose dump file: every field of every certificate.
void BM_ParseDump(benchmark::State& state) {
  const auto& dump = verbose_dump_file(static_cast<std::size_t>(state.range(0)));
  std::size_t certificates = 0;
  for (auto _ : state) {
    certificates = 0;
    repair::StoreDumpParser parser([&](repair::DumpCertificate&& c) {
      benchmark::DoNotOptimize(c.serial.data());
      ++certificates;
    });
    read_chunks(dump.path, [&](std::string_view chunk) { parser.feed(chunk); });
    auto summary = parser.finish();
    if (!summary || certificates != static_cast<std::size_t>(state.range(0))) {
      state.SkipWithError("the dump did not parse back to its certificates");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * dump.bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * certificates));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ParseDump)->Apply([](auto* b) {
                         apply_sizes(b);
                       }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);

// (d) Parse + diagnose in two streaming passes (as certbed diagnose reads a dump file); bytes
// are the dump's once.
void BM_ParseDiagnose(benchmark::State& state) {
  const auto& dump = verbose_dump_file(static_cast<std::size_t>(state.range(0)));
  const platform::InputLimits dump_limits{"dump", std::uint64_t{16} << 30};
  repair::DumpDiagnosis result;
  for (auto _ : state) {
    auto input = platform::ReplayableInput::open(dump.path, dump_limits);
    if (!input) {
      state.SkipWithError(input.error().message.c_str());
      return;
    }
    auto diagnosis = repair::diagnose_dump_stream(
        [&](const repair::DumpChunkSink& sink) { return input->replay(sink); }, dump.path, {},
        [](repair::Finding&& f) { benchmark::DoNotOptimize(f.rule.data()); });
    if (!diagnosis) {
      state.SkipWithError(diagnosis.error().message.c_str());
      return;
    }
    result = std::move(*diagnosis);
  }
  state.counters["findings"] = static_cast<double>(result.findings);
  state.counters["index_bytes_per_cert"] =
      static_cast<double>(result.index_bytes) / static_cast<double>(state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * dump.bytes));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ParseDiagnose)->Apply([](auto* b) {
                             apply_sizes(b);
                           }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);

// (e) Property INF parsing: one KeyProv.inf per certificate of the store, as the planner writes
// them (CRLF, quoted _continue_ lines), each parsed from its bytes.
void BM_ParseInf(benchmark::State& state) {
  const auto& store = random_my_store(static_cast<std::size_t>(state.range(0)));
  std::vector<std::string> infs;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < store.size(); ++i) {
    auto info = store.at(i).facts.key_prov_info();
    if (!info.ok() || !info->has_value()) continue;
    auto text = repair::write_property_inf({repair::inf_key_provider(**info)});
    if (!text) continue;
    bytes += text->size();
    infs.push_back(std::move(*text));
  }
  for (auto _ : state) {
    for (const auto& text : infs) {
      auto parsed = repair::parse_property_inf(text, "KeyProv.inf");
      if (!parsed) {
        state.SkipWithError(parsed.error().message.c_str());
        return;
      }
      benchmark::DoNotOptimize(parsed->properties.size());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * infs.size()));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ParseInf)->Apply([](auto* b) {
                        apply_sizes(b);
                      }) -> Unit(benchmark::kMillisecond) -> Complexity(benchmark::oN);

}  // namespace
}  // namespace certbed::bench
