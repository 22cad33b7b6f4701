// CRYPT_KEY_PROV_INFO in its serialized layout (28-byte header, UTF-16LE strings).
#include "certbed/repair/model/key_prov_info.h"

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

constexpr std::size_t kHeaderSize = 28;
constexpr std::size_t kParamSize = 16;

void put_u32(Bytes& out, std::size_t at, std::uint32_t v) {
  out[at] = static_cast<std::uint8_t>(v);
  out[at + 1] = static_cast<std::uint8_t>(v >> 8);
  out[at + 2] = static_cast<std::uint8_t>(v >> 16);
  out[at + 3] = static_cast<std::uint8_t>(v >> 24);
}

std::uint32_t get_u32(ByteView in, std::size_t at) {
  return static_cast<std::uint32_t>(in[at]) | (static_cast<std::uint32_t>(in[at + 1]) << 8) |
         (static_cast<std::uint32_t>(in[at + 2]) << 16) |
         (static_cast<std::uint32_t>(in[at + 3]) << 24);
}

Error bad(std::string what) {
  return make_error(ErrorCode::kParse, "CERT_KEY_PROV_INFO_PROP_ID value: " + std::move(what));
}

// Reads a NUL-terminated UTF-16LE string starting at `offset` (0 = NULL = empty).
Result<std::string> read_wide_string(ByteView value, std::uint32_t offset, const char* field) {
  if (offset == 0) return std::string();
  if (offset < kHeaderSize || offset >= value.size()) {
    return bad(std::string(field) + " offset " + std::to_string(offset) +
               " is outside the value (" + std::to_string(value.size()) + " bytes)");
  }
  std::size_t end = offset;
  while (true) {
    if (value.size() - end < 2) {
      return bad(std::string(field) + " string is not NUL-terminated");
    }
    if (value[end] == 0 && value[end + 1] == 0) break;
    end += 2;
  }
  auto text = utf16le_to_utf8(value.subspan(offset, end - offset));
  if (!text) return bad(std::string(field) + " string is not valid UTF-16");
  return *text;
}

}  // namespace

std::string KeyProvInfo::to_string() const {
  return "KeyProvInfo{container=\"" + container + "\", provider=\"" + provider +
         "\", provider_type=" + std::to_string(provider_type) + ", flags=0x" +
         to_hex(Bytes{static_cast<std::uint8_t>(flags >> 24),
                      static_cast<std::uint8_t>(flags >> 16), static_cast<std::uint8_t>(flags >> 8),
                      static_cast<std::uint8_t>(flags)}) +
         ", key_spec=" + std::to_string(key_spec) + " (" +
         std::string(wincrypt::key_spec_name(key_spec)) +
         "), params=" + std::to_string(params.size()) + "}";
}

Result<Bytes> encode_key_prov_info(const KeyProvInfo& info) {
  auto container = utf8_to_utf16le(info.container);
  auto provider = utf8_to_utf16le(info.provider);
  if (!container || !provider) {
    return make_error(ErrorCode::kUnsafe, "key provider names must be valid UTF-8");
  }
  // Layout (Wine serialize_KeyProvInfoProperty, MS-GPEF 2.2.1.1.1.1.1): header, params,
  // container, provider, parameter data.
  std::size_t size = kHeaderSize + info.params.size() * kParamSize;
  const std::size_t params_at = kHeaderSize;
  const std::size_t container_at = size;
  if (!info.container.empty()) size += container->size() + 2;
  const std::size_t provider_at = size;
  if (!info.provider.empty()) size += provider->size() + 2;
  std::vector<std::size_t> data_at;
  for (const auto& p : info.params) {
    data_at.push_back(size);
    size += p.data.size();
  }
  Bytes out(size, 0);
  put_u32(out, 0, info.container.empty() ? 0 : static_cast<std::uint32_t>(container_at));
  put_u32(out, 4, info.provider.empty() ? 0 : static_cast<std::uint32_t>(provider_at));
  put_u32(out, 8, info.provider_type);
  put_u32(out, 12, info.flags);
  put_u32(out, 16, static_cast<std::uint32_t>(info.params.size()));
  put_u32(out, 20, info.params.empty() ? 0 : static_cast<std::uint32_t>(params_at));
  put_u32(out, 24, info.key_spec);
  for (std::size_t i = 0; i < info.params.size(); ++i) {
    const auto& p = info.params[i];
    const std::size_t at = params_at + i * kParamSize;
    put_u32(out, at, p.param);
    put_u32(out, at + 4, p.data.empty() ? 0 : static_cast<std::uint32_t>(data_at[i]));
    put_u32(out, at + 8, static_cast<std::uint32_t>(p.data.size()));
    put_u32(out, at + 12, p.flags);
    std::copy(p.data.begin(), p.data.end(), out.begin() + static_cast<std::ptrdiff_t>(data_at[i]));
  }
  std::copy(container->begin(), container->end(),
            out.begin() + static_cast<std::ptrdiff_t>(container_at));
  std::copy(provider->begin(), provider->end(),
            out.begin() + static_cast<std::ptrdiff_t>(provider_at));
  return out;
}

Result<KeyProvInfo> decode_key_prov_info(ByteView value) {
  if (value.size() < kHeaderSize) {
    return bad("expected at least 28 bytes, found " + std::to_string(value.size()));
  }
  KeyProvInfo info;
  auto container = read_wide_string(value, get_u32(value, 0), "container name");
  if (!container) return container.error();
  auto provider = read_wide_string(value, get_u32(value, 4), "provider name");
  if (!provider) return provider.error();
  info.container = std::move(*container);
  info.provider = std::move(*provider);
  info.provider_type = get_u32(value, 8);
  info.flags = get_u32(value, 12);
  const std::uint32_t count = get_u32(value, 16);
  const std::uint32_t params_at = get_u32(value, 20);
  info.key_spec = get_u32(value, 24);
  if (count != 0) {
    // Check the count against what remains before allocating anything for it.
    if (params_at < kHeaderSize || params_at > value.size() ||
        (value.size() - params_at) / kParamSize < count) {
      return bad("parameter array (" + std::to_string(count) + " entries at offset " +
                 std::to_string(params_at) + ") does not fit in the value");
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::size_t at = params_at + static_cast<std::size_t>(i) * kParamSize;
      KeyProvParam p;
      p.param = get_u32(value, at);
      const std::uint32_t data_at = get_u32(value, at + 4);
      const std::uint32_t data_size = get_u32(value, at + 8);
      p.flags = get_u32(value, at + 12);
      if (data_size != 0) {
        if (data_at > value.size() || value.size() - data_at < data_size) {
          return bad("parameter " + std::to_string(i) + " data does not fit in the value");
        }
        p.data.assign(value.begin() + data_at, value.begin() + data_at + data_size);
      }
      info.params.push_back(std::move(p));
    }
  }
  return info;
}

}  // namespace certbed::repair
