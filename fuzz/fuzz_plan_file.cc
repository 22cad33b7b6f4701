// read_plan_file on arbitrary bytes: it never throws or crashes, every refusal is a kParse error
// naming the file, and what it accepts is written and read back to the same plan, byte-stable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certbed/repair/formats/plan/plan_file.h"
#include "fuzz_check.h"

using certbed::repair::ErrorCode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto plan = certbed::repair::read_plan_file(input, "plan.json");
  if (!plan) {
    CHECK(plan.error().code == ErrorCode::kParse, "a plan error that is not kParse");
    CHECK(plan.error().to_string().rfind("plan.json:", 0) == 0, "a plan error without the file");
    return 0;
  }
  const std::string written = certbed::repair::write_plan_file(*plan);
  const auto again = certbed::repair::read_plan_file(written, "written.json");
  CHECK(again.ok(), ("the written plan does not read back: " + again.error().to_string()).c_str());
  CHECK(*again == *plan, ("the written plan reads back to another plan:\n" + written).c_str());
  CHECK(certbed::repair::write_plan_file(*again) == written, "writing the plan again differs");
  return 0;
}
