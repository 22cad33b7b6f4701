// write_property_inf on properties built from arbitrary values (key provider names and numbers,
// friendly names, descriptions, hex, EKU lists, Empty, deletions): it refuses, or the INF it
// writes reads back to the same properties.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "certbed/repair/formats/inf/property_inf.h"
#include "fuzz_check.h"

namespace {

using namespace certbed::repair;

std::string consume_oid(FuzzedDataProvider& fdp) {
  if (fdp.ConsumeBool()) return fdp.ConsumeRandomLengthString(40);
  std::string oid = std::to_string(fdp.ConsumeIntegralInRange<unsigned>(0, 3));
  const auto arcs = fdp.ConsumeIntegralInRange<int>(1, 8);
  for (int i = 0; i < arcs; ++i) {
    oid +=
        "." + std::to_string(fdp.ConsumeBool() ? fdp.ConsumeIntegralInRange<std::uint64_t>(0, 200)
                                               : fdp.ConsumeIntegral<std::uint64_t>());
  }
  return oid;
}

PropertyId consume_id(FuzzedDataProvider& fdp) {
  static constexpr std::uint32_t kCommon[] = {2, 3, 9, 11, 13, 15, 19, 20, 32, 0, 65535, 65536};
  if (fdp.ConsumeBool()) return static_cast<PropertyId>(fdp.PickValueInArray(kCommon));
  return static_cast<PropertyId>(fdp.ConsumeIntegral<std::uint32_t>());
}

InfProperty consume_property(FuzzedDataProvider& fdp) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: {
      KeyProvInfo info;
      info.container = fdp.ConsumeRandomLengthString(64);
      info.provider = fdp.ConsumeRandomLengthString(64);
      info.provider_type = fdp.ConsumeBool() ? fdp.ConsumeIntegralInRange<std::uint32_t>(0, 24)
                                             : fdp.ConsumeIntegral<std::uint32_t>();
      info.flags = fdp.ConsumeIntegral<std::uint32_t>();
      info.key_spec = fdp.ConsumeBool() ? fdp.ConsumeIntegralInRange<std::uint32_t>(0, 2)
                                        : fdp.ConsumeIntegral<std::uint32_t>();
      return inf_key_provider(info);
    }
    case 1: {
      InfProperty p;
      p.id = fdp.ConsumeBool() ? PropertyId::CERT_FRIENDLY_NAME_PROP_ID
                               : PropertyId::CERT_DESCRIPTION_PROP_ID;
      p.kind = InfValueKind::kText;
      p.text = fdp.ConsumeRandomLengthString(80);
      if (auto wide = utf8_to_utf16le(p.text)) {
        p.value = std::move(*wide);
        p.value.push_back(0);
        p.value.push_back(0);
      }
      return p;
    }
    case 2: {
      const PropertyId id = consume_id(fdp);
      return inf_hex(
          id, fdp.ConsumeBytes<std::uint8_t>(fdp.ConsumeIntegralInRange<std::size_t>(0, 48)));
    }
    case 3: {
      InfProperty p;
      p.id = PropertyId::CERT_ENHKEY_USAGE_PROP_ID;
      p.kind = InfValueKind::kText;
      const auto n = fdp.ConsumeIntegralInRange<int>(0, 4);
      for (int i = 0; i < n; ++i) p.ekus.push_back(consume_oid(fdp));
      if (auto der = encode_eku_list(p.ekus)) p.value = std::move(*der);
      return p;
    }
    default: {
      InfProperty p;
      p.id = consume_id(fdp);
      p.kind = fdp.ConsumeBool() ? InfValueKind::kEmpty : InfValueKind::kDelete;
      return p;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::vector<InfProperty> properties;
  const auto count = fdp.ConsumeIntegralInRange<int>(1, 4);
  properties.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) properties.push_back(consume_property(fdp));

  const auto written = write_property_inf(properties);
  if (!written) {
    const auto code = written.error().code;
    const bool unsettable = std::any_of(properties.begin(), properties.end(), [](const auto& p) {
      return !is_settable_property_id(to_number(p.id));
    });
    CHECK(code == ErrorCode::kUnsafe || code == ErrorCode::kUnsupported ||
              (code == ErrorCode::kInvalidArgument && unsettable),
          ("unexpected writer error: " + written.error().to_string()).c_str());
    return 0;
  }
  // The reader keeps the last occurrence of a repeated id, at the place of that occurrence.
  std::vector<InfProperty> expected;
  for (const auto& p : properties) {
    std::erase_if(expected, [&p](const InfProperty& q) { return q.id == p.id; });
    expected.push_back(p);
  }
  const auto parsed = parse_property_inf(*written, "written.inf");
  CHECK(
      parsed.ok(),
      ("the written INF does not parse: " + parsed.error().to_string() + "\n" + *written).c_str());
  CHECK(parsed->properties == expected,
        ("the written INF reads back to other properties:\n" + *written).c_str());
  return 0;
}
