// parse_snapshot on arbitrary bytes, as text format when the first byte is printable ASCII and as
// binary otherwise (binary snapshots start with a field tag below 0x20). What parses must
// serialize, parse again and serialize to the same bytes.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certbed/emulator/snapshot/snapshot.h"
#include "fuzz_check.h"

using certbed::emulator::SnapshotFormat;

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Invalid UTF-8 in proto3 strings makes libprotobuf log an error line for every input.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool text = size > 0 && data[0] >= 0x20 && data[0] < 0x7F;
  const SnapshotFormat format = text ? SnapshotFormat::kText : SnapshotFormat::kBinary;
  const auto machine = certbed::emulator::parse_snapshot(input, format, "fuzz");
  if (!machine) return 0;

  const auto first = certbed::emulator::serialize_snapshot(*machine, format, machine->origin());
  CHECK(first.ok(), ("a parsed snapshot does not serialize: " + first.error().to_string()).c_str());
  const auto again = certbed::emulator::parse_snapshot(*first, format, "serialized");
  CHECK(again.ok(), ("a serialized snapshot does not parse: " + again.error().to_string()).c_str());
  const auto second = certbed::emulator::serialize_snapshot(*again, format, again->origin());
  CHECK(second.ok(), "a reparsed snapshot does not serialize");
  CHECK(*first == *second, "serialize(parse(serialize(x))) != serialize(x)");
  return 0;
}
