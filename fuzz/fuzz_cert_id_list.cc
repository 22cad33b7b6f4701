// match_cert_ids on an arbitrary CertIdList against a small fixed emulated store (the
// "web-healthy" scenario's LocalMachine\My).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/store/cert_id.h"
#include "fuzz_check.h"

namespace {

using certbed::emulator::Machine;

struct Fixture {
  std::unique_ptr<Machine> machine;
  std::unique_ptr<certbed::emulator::EmulatedStore> store;
};

Fixture& fixture() {
  static Fixture f = [] {
    auto built = certbed::emulator::build_scenario("web-healthy");
    CHECK(built.ok(), "cannot build the web-healthy scenario");
    Fixture out;
    out.machine = std::make_unique<Machine>(std::move(*built));
    out.store = std::make_unique<certbed::emulator::EmulatedStore>(
        *out.machine, certbed::emulator::StoreLocation::kLocalMachine, "My");
    CHECK(out.store->size() > 0, "the web-healthy My store is empty");
    return out;
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using certbed::repair::ErrorCode;
  const auto& store = *fixture().store;
  const std::string_view list(reinterpret_cast<const char*>(data), size);
  const auto matched = certbed::repair::match_cert_ids(store, list);
  if (!matched) {
    const auto code = matched.error().code;
    CHECK(code == ErrorCode::kInvalidArgument || code == ErrorCode::kNotFound ||
              code == ErrorCode::kAmbiguous,
          "an unexpected error code");
    return 0;
  }
  CHECK(!matched->empty(), "a successful match returned no certificate");
  CHECK(std::is_sorted(matched->begin(), matched->end()) &&
            std::adjacent_find(matched->begin(), matched->end()) == matched->end(),
        "matched indexes are not sorted and unique");
  CHECK(matched->size() <= static_cast<std::size_t>(std::count(list.begin(), list.end(), ',')) + 1,
        "more certificates matched than the list has tokens");
  for (const auto index : *matched) {
    CHECK(index < store.size(), "a matched index is outside the store");
    // Each matched certificate is also found, alone, by its thumbprint.
    const auto by_sha1 = certbed::repair::match_cert_ids(store, store.certificate(index).sha1);
    CHECK(by_sha1.ok() && by_sha1->size() == 1 && by_sha1->front() == index,
          "a matched certificate is not found by its own thumbprint");
  }
  return 0;
}
