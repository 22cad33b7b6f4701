// parse_property_inf on arbitrary bytes; what parses must either be refused by the writer or be
// written and read back to the same properties.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certbed/repair/formats/inf/property_inf.h"
#include "fuzz_check.h"

using certbed::repair::ErrorCode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = certbed::repair::parse_property_inf(input, "fuzz.inf");
  if (!parsed) {
    CHECK(parsed.error().code == ErrorCode::kParse, "a parse error that is not kParse");
    return 0;
  }
  const auto written = certbed::repair::write_property_inf(parsed->properties);
  if (!written) {
    const auto code = written.error().code;
    CHECK(code == ErrorCode::kUnsafe || code == ErrorCode::kUnsupported,
          ("the writer failed on parsed properties: " + written.error().to_string()).c_str());
    return 0;
  }
  const auto again = certbed::repair::parse_property_inf(*written, "written.inf");
  CHECK(again.ok(),
        ("the written INF does not parse: " + again.error().to_string() + "\n" + *written).c_str());
  CHECK(again->properties == parsed->properties,
        ("the written INF reads back to other properties:\n" + *written).c_str());
  CHECK(again->warnings.empty(), ("the written INF gives warnings:\n" + *written).c_str());
  // Writing is deterministic: the second write is byte-identical.
  const auto rewritten = certbed::repair::write_property_inf(again->properties);
  CHECK(rewritten.ok() && *rewritten == *written, "writing the read-back properties differs");
  return 0;
}
