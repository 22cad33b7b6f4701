// parse_key_prov_text on the input as text, and decode_key_prov_info on the same bytes as a
// serialized CRYPT_KEY_PROV_INFO; what decodes must encode and decode back to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/key_prov_info.h"
#include "fuzz_check.h"

using certbed::repair::ErrorCode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto kp = certbed::repair::parse_key_prov_text(text); kp) {
    CHECK(!kp->key_spec || *kp->key_spec <= 2, "a KeySpec above 2 was accepted");
    CHECK(!kp->container || !kp->container->empty(), "an empty Container was accepted");
    CHECK(!kp->provider || !kp->provider->empty(), "an empty Provider was accepted");
    if (const auto info = kp->to_key_prov_info(); info) {
      CHECK(info->container == *kp->container && info->provider == *kp->provider,
            "to_key_prov_info changed the names");
    }
  } else {
    CHECK(kp.error().code == ErrorCode::kParse, "a key provider text error that is not kParse");
  }

  const certbed::repair::ByteView bytes(data, size);
  const auto info = certbed::repair::decode_key_prov_info(bytes);
  if (!info) {
    CHECK(info.error().code == ErrorCode::kParse, "a decode error that is not kParse");
    return 0;
  }
  const auto encoded = certbed::repair::encode_key_prov_info(*info);
  CHECK(encoded.ok(), ("a decoded value does not encode: " + encoded.error().to_string()).c_str());
  const auto decoded = certbed::repair::decode_key_prov_info(*encoded);
  CHECK(decoded.ok(), ("an encoded value does not decode: " + decoded.error().to_string()).c_str());
  CHECK(*decoded == *info, ("decode(encode(x)) != x for " + info->to_string()).c_str());
  // The encoding is canonical: encoding again gives the same bytes.
  const auto reencoded = certbed::repair::encode_key_prov_info(*decoded);
  CHECK(reencoded.ok() && *reencoded == *encoded, "encoding is not deterministic");
  return 0;
}
