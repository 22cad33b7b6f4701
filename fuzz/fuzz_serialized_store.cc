// parse_serialized_store and parse_serialized_element on arbitrary bytes: they never throw or
// crash, every refusal is a kParse error naming the file and an offset, and whatever reads is
// written back as exactly the bytes it was read from (the round trip .sst import/export needs).
#include <cstddef>
#include <cstdint>
#include <string>

#include "certbed/repair/formats/serialized/serialized_store.h"
#include "fuzz_check.h"

using certbed::repair::Bytes;
using certbed::repair::ByteView;
using certbed::repair::ErrorCode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const auto store = certbed::repair::parse_serialized_store(input, "in.sst");
  if (!store) {
    CHECK(store.error().code == ErrorCode::kParse, "a serialized store error that is not kParse");
    CHECK(store.error().to_string().rfind("in.sst: ", 0) == 0, "an error without the file");
    CHECK(store.error().message.find("offset 0x") != std::string::npos,
          ("an error without an offset: " + store.error().message).c_str());
  } else {
    CHECK(certbed::repair::write_serialized_store(*store) == Bytes(input.begin(), input.end()),
          "a store read from these bytes writes back as other bytes");
  }
  const auto element = certbed::repair::parse_serialized_element(input, "Blob");
  if (!element) {
    CHECK(element.error().code == ErrorCode::kParse, "a Blob error that is not kParse");
  } else {
    CHECK(certbed::repair::write_serialized_element(*element) == Bytes(input.begin(), input.end()),
          "a Blob read from these bytes writes back as other bytes");
    CHECK(store && store->contexts.size() == 1,
          "a Blob that reads as one element is not read as one certificate by the store reader");
  }
  return 0;
}
