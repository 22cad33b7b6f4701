// CRYPT_KEY_PROV_INFO (property 2): where a certificate's private key lives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {

struct KeyProvParam {
  std::uint32_t param = 0;
  Bytes data;
  std::uint32_t flags = 0;

  bool operator==(const KeyProvParam&) const = default;
};

struct KeyProvInfo {
  std::string container;             // pwszContainerName (UTF-8 here); for a KSP the CNG key name
  std::string provider;              // pwszProvName
  std::uint32_t provider_type = 0;   // dwProvType: 0 = CNG KSP, 1 PROV_RSA_FULL, 24 PROV_RSA_AES
  std::uint32_t flags = 0;           // dwFlags: 0x20 CRYPT_MACHINE_KEYSET, 0x40 CRYPT_SILENT
  std::uint32_t key_spec = 0;        // dwKeySpec: 0 AT_NONE, 1 AT_KEYEXCHANGE, 2 AT_SIGNATURE
  std::vector<KeyProvParam> params;  // rgProvParam (rare; not expressible in an INF)

  bool operator==(const KeyProvInfo&) const = default;

  bool is_ksp() const { return provider_type == wincrypt::PROV_CNG_KSP; }
  bool machine_keyset() const { return (flags & wincrypt::CRYPT_MACHINE_KEYSET) != 0; }
  std::string to_string() const;
};

// The serialized value Windows stores in the registry Blob and in .sst files: a 28-byte header
// of 32-bit little-endian offsets and values, then the parameter array, then UTF-16LE strings.
// Fails (kUnsafe) only when a name is not valid UTF-8.
Result<Bytes> encode_key_prov_info(const KeyProvInfo& info);

// Bounds-checked decoding of the serialized value; any offset or count that points outside the
// value is a kParse error naming the field.
Result<KeyProvInfo> decode_key_prov_info(ByteView value);

}  // namespace certbed::repair
