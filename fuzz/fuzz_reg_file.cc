// parse_reg_file on arbitrary bytes: it never throws or crashes, every refusal is a kParse error
// naming the file and a line, and whatever reads is written by write_reg_file (or refused as
// kUnsafe for a name the format cannot carry) into a file that reads back as the same keys and
// values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certbed/repair/formats/registry/reg_file.h"
#include "fuzz_check.h"

using certbed::repair::ErrorCode;
using certbed::repair::RegFile;

namespace {

RegFile without_lines(RegFile file) {
  for (auto& key : file.keys) {
    key.line = 0;
    for (auto& value : key.values) value.line = 0;
  }
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto file = certbed::repair::parse_reg_file(input, "in.reg");
  if (!file) {
    CHECK(file.error().code == ErrorCode::kParse, "a .reg error that is not kParse");
    CHECK(file.error().to_string().rfind("in.reg", 0) == 0, "an error without the file");
    return 0;
  }
  const auto written = certbed::repair::write_reg_file(*file);
  if (!written) {
    CHECK(written.error().code == ErrorCode::kUnsafe, "a write refusal that is not kUnsafe");
    return 0;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(written->data()), written->size());
  const auto back = certbed::repair::parse_reg_file(bytes, "out.reg");
  CHECK(back.ok(), "a written .reg file does not read back");
  CHECK(without_lines(*back) == without_lines(*file),
        "a written .reg file reads back as other keys or values");
  return 0;
}
