// Emulated machine -> certutil dump (verbose or not, LF or CRLF) -> parse_store_dump: every
// certificate's serial, subject, SHA-1 and key provider come back. Machines are random stores
// with odd names (cached by seed and size: signing dominates the cost), and the input may also
// replace container and provider names with arbitrary single-line text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/scenarios/random_store.h"
#include "certbed/repair/formats/dump/dump_parser.h"
#include "fuzz_check.h"

namespace {

using certbed::emulator::Machine;
using certbed::emulator::StoreLocation;
namespace repair = certbed::repair;

Machine& cached_machine(std::size_t certificates, std::uint64_t seed, bool healthy) {
  static std::map<std::tuple<std::size_t, std::uint64_t, bool>, Machine> cache;
  const auto key = std::make_tuple(certificates, seed, healthy);
  auto it = cache.find(key);
  if (it == cache.end()) {
    certbed::emulator::RandomStoreOptions options;
    options.certificates = certificates;
    options.seed = seed;
    options.odd_names = true;
    options.healthy = healthy;
    auto machine = certbed::emulator::generate_random_machine(options);
    CHECK(machine.ok(), ("generate_random_machine failed: " + machine.error().to_string()).c_str());
    it = cache.emplace(key, std::move(*machine)).first;
  }
  return it->second;
}

// A name a dump can carry: one line of printable UTF-8 without spaces at its ends (the parser
// trims line ends, as certutil's readers must). nullopt when the input gives no such name.
std::optional<std::string> consume_name(FuzzedDataProvider& fdp) {
  std::string name;
  for (unsigned char c : fdp.ConsumeRandomLengthString(80)) {
    if (c >= 0x20 && c != 0x7F) name += static_cast<char>(c);
  }
  while (!name.empty() && name.back() == ' ') name.pop_back();
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  if (name.empty() || !repair::is_valid_utf8(name)) return std::nullopt;
  return name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const auto certificates = fdp.ConsumeIntegralInRange<std::size_t>(1, 5);
  const auto seed = fdp.ConsumeIntegralInRange<std::uint64_t>(0, 255);
  const bool healthy = fdp.ConsumeBool();
  certbed::emulator::DumpOptions options;
  options.verbose = fdp.ConsumeBool();
  options.crlf = fdp.ConsumeBool();
  options.typed_store_name = "My";

  Machine& machine = cached_machine(certificates, seed, healthy);
  auto& store = *machine.find_store(StoreLocation::kLocalMachine, "My");
  CHECK(store.size() == certificates, "the random store has the wrong size");

  // Rename key providers in property 2; the originals are put back before returning.
  std::vector<std::pair<std::size_t, repair::PropertyBag>> saved;
  while (fdp.remaining_bytes() > 0 && fdp.ConsumeBool()) {
    const auto index = fdp.ConsumeIntegralInRange<std::size_t>(0, store.size() - 1);
    auto info = store.at(index).facts.key_prov_info();
    if (!info.ok() || !info->has_value()) continue;
    auto renamed = **info;
    const bool container = fdp.ConsumeBool();
    auto name = consume_name(fdp);
    if (!name) continue;
    (container ? renamed.container : renamed.provider) = *name;
    auto encoded = repair::encode_key_prov_info(renamed);
    CHECK(encoded.ok(), "a renamed key provider does not encode");
    saved.emplace_back(index, store.at(index).facts.properties);
    store.properties(index).set(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                std::move(*encoded));
  }

  const std::string text = certbed::emulator::render_store_dump(machine, store, options);
  const auto parsed = repair::parse_store_dump(text, "rendered");
  CHECK(parsed.ok(), ("a rendered dump does not parse: " + parsed.error().to_string()).c_str());
  const auto& [certs, summary] = *parsed;
  CHECK(!saved.empty() || summary.warnings.empty(),
        ("a rendered dump gives warnings: " + summary.warnings[0].to_string()).c_str());
  CHECK(summary.saw_completion_line, "the completion line was not seen");
  CHECK(certs.size() == store.size(), "the parse gives another number of certificates");
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto& facts = store.at(i).facts;
    const auto& c = certs[i];
    CHECK(c.complete && c.index == i, "a record is incomplete or has the wrong index");
    CHECK(c.serial == facts.serial, "serial differs");
    CHECK(c.subject == facts.subject, ("subject differs: " + c.subject).c_str());
    CHECK(c.sha1 == facts.sha1, "sha1 differs");
    const auto info = facts.key_prov_info();
    CHECK(info.ok(), "property 2 does not decode");
    CHECK(c.key_provider.has_value() == info->has_value(), "key provider presence differs");
    if (!*info) continue;
    const auto& kp = *c.key_provider;
    CHECK(kp.container == (*info)->container,
          ("container differs: \"" + kp.container.value_or("<none>") + "\" vs \"" +
           (*info)->container + "\"")
              .c_str());
    CHECK(kp.provider == (*info)->provider,
          ("provider differs: \"" + kp.provider.value_or("<none>") + "\" vs \"" +
           (*info)->provider + "\"")
              .c_str());
    if (options.verbose) {
      CHECK(kp.provider_type == (*info)->provider_type && kp.flags == (*info)->flags &&
                kp.key_spec == (*info)->key_spec,
            "provider type, flags or KeySpec differ");
    }
  }

  // Newest first, so an index renamed twice gets its original bag back.
  for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
    store.properties(it->first) = std::move(it->second);
  }
  return 0;
}
