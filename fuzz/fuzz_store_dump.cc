// StoreDumpParser on arbitrary bytes (the UTF-8 path): fed whole and in chunks whose sizes come
// from the first bytes; both must agree and the records must be consistent with the summary.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "dump_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
#ifdef CERTBED_FUZZ_PLANTED_BUG
  // scripts/fuzz-smoke --plant: proves that a failing input makes the smoke run fail.
  CHECK(!input.starts_with("PLANTED-BUG"), "planted bug reached");
#endif
  // Odd sizes use small caps so the line, record and warning limits are reached too.
  const auto options =
      (size % 2 == 1) ? certbed::fuzz::small_caps() : certbed::repair::DumpParserOptions{};
  (void)certbed::fuzz::check_whole_and_chunked(input, options);
  return 0;
}
