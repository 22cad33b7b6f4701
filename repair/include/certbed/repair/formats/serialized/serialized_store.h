// crypt32's serialized element format, as .sst files (CertSaveStore(CERT_STORE_SAVE_AS_STORE),
// certutil -generateSSTFromWU, the MMC export) and registry Blob values hold it: elements
// {u32 property id, u32 encoding, u32 length, value}, each context's properties first and the
// context itself (id 32 a certificate, 33 a CRL, 34 a CTL) last.
//
// Reading keeps everything a file holds (element order, each encoding field, unknown ids), so
// writing what was read gives the same bytes back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

// The element ids that end a context (CERT_CERT_PROP_ID, CERT_CRL_PROP_ID, CERT_CTL_PROP_ID).
inline constexpr std::uint32_t kSerializedCertificateId = 32;
inline constexpr std::uint32_t kSerializedCrlId = 33;
inline constexpr std::uint32_t kSerializedCtlId = 34;
// The encoding field Windows writes (X509_ASN_ENCODING); Wine refuses any other.
inline constexpr std::uint32_t kSerializedEncoding = 1;

struct SerializedProperty {
  std::uint32_t id = 0;
  std::uint32_t encoding = kSerializedEncoding;
  Bytes value;

  bool operator==(const SerializedProperty&) const = default;
};

// One certificate, CRL or CTL with the properties stored before it, in file order.
struct SerializedContext {
  std::uint32_t id = kSerializedCertificateId;  // 32, 33 or 34
  std::uint32_t encoding = kSerializedEncoding;
  Bytes encoded;  // the DER of the certificate (CRL, CTL)
  std::vector<SerializedProperty> properties;
  std::size_t offset = 0;  // where its first element starts in the input

  bool operator==(const SerializedContext&) const = default;
};

enum class SerializedForm {
  kStore,    // 00 00 00 00 "CERT", the contexts, then the 12-byte all-zero end element
  kElement,  // one context with no header or end element: a registry Blob value
};

struct SerializedStore {
  SerializedForm form = SerializedForm::kStore;
  std::vector<SerializedContext> contexts;
  // A store file that ends right after its last context, without the end element (crypt32
  // reads it the same way); kept so the file is written back as it was.
  bool end_element = true;

  bool operator==(const SerializedStore&) const = default;
};

// The most a serialized store may hold: past this it is refused before anything is read, so
// memory stays bounded by what the caller chose to read.
inline constexpr std::size_t kMaxSerializedStoreBytes = std::size_t{1} << 30;

// Reads a whole .sst file, or one serialized certificate (a registry Blob: recognized by having
// no store header and ending exactly with a context element). Every error names `source`, the
// byte offset and the element it was reading: a truncated element, a length past the end, a
// property with no context after it, anything after the end element.
Result<SerializedStore> parse_serialized_store(ByteView bytes, const std::string& source);

// Reads exactly one serialized context (a registry Blob value); a store file is refused.
Result<SerializedContext> parse_serialized_element(ByteView bytes, const std::string& source);

// The bytes of `store` in its form; parse_serialized_store's result gives back its input.
Bytes write_serialized_store(const SerializedStore& store);
// One context as a registry Blob value: its properties in order, then the context element.
Bytes write_serialized_element(const SerializedContext& context);

// What a context id stands for in messages: "certificate", "CRL", "CTL".
std::string serialized_context_kind(std::uint32_t id);

}  // namespace certbed::repair
