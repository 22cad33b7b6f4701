// A store's certificates to and from crypt32's serialized element format (.sst files): the
// properties as stored, in file order, with their encoding fields; nothing derived is added.
#pragma once

#include <string>
#include <vector>

#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/formats/serialized/serialized_store.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

// One certificate context of a serialized store, decoded: its index among the file's contexts,
// the facts of its DER and its properties in file order.
struct SerializedCertificate {
  std::size_t index = 0;
  repair::CertFacts facts;  // facts.properties: the stored properties, in file order
  std::uint32_t encoding = repair::kPropertyEncoding;
  repair::Bytes der;
};

// What a serialized store holds as certificates, each decoded, with a warning for each stored
// hash that disagrees with its DER ("certificate 4 (offset 0x1a2c): property 3 ..."). A CRL or
// CTL context, a DER that does not decode, a property id crypt32 does not allow (0, 32 to 35,
// above 0xFFFF), a property twice or a malformed property 2 is an error naming the context,
// its offset and `source`: certbed keeps certificates only, and refuses rather than drop one.
struct SerializedCertificates {
  std::vector<SerializedCertificate> certificates;
  std::vector<std::string> warnings;
};
repair::Result<SerializedCertificates> decode_serialized_certificates(
    const repair::SerializedStore& store, const std::string& source);

// Adds every certificate of `decoded` to `into` with its properties exactly as stored (and the
// stale hashes the warnings named, which a snapshot keeps marked). All or nothing: a certificate
// already in the store, or twice in the file, is a kConflict error and nothing is added.
repair::Status add_serialized_certificates(const SerializedCertificates& decoded,
                                           CertificateStore& into, const std::string& source);

// The store as an .sst: each certificate's properties in store order, then the certificate,
// then the end element. A store imported from an .sst gives that file's bytes back.
repair::SerializedStore serialize_certificate_store(const CertificateStore& store);

}  // namespace certbed::emulator
