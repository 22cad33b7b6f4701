// What the scenario builders share: the fixed dates, a deterministic root CA, and property 2.
#pragma once

#include <cstdint>
#include <string>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_bag.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

inline const DistinguishedName kContosoCa{{{"CN", "Contoso CA"}, {"DC", "Contoso"}, {"DC", "com"}}};
inline const std::int64_t kCaNotBefore = utc_seconds(2024, 1, 15, 10, 0, 0);
inline const std::int64_t kCaNotAfter = utc_seconds(2034, 1, 15, 10, 10, 0);
inline const std::int64_t kLeafNotBefore = utc_seconds(2025, 3, 1, 9, 30, 0);
inline const std::int64_t kLeafNotAfter = utc_seconds(2027, 3, 1, 9, 40, 0);

struct IssuedCertificate {
  ossl::X509Ptr certificate;
  ossl::SharedPkey key;
};

// A self-signed root CA with the CA dates and a fresh RSA key from `keys`.
repair::Result<IssuedCertificate> make_root_ca(KeySource& keys, const std::string& serial,
                                               const DistinguishedName& subject = kContosoCa);

repair::Bytes key_prov_info_bytes(const repair::KeyProvInfo& info);
// A property bag holding property 2 only.
repair::PropertyBag with_key_prov_info(const repair::KeyProvInfo& info);

// Puts `key` in a new machine-keyset container `container` of `provider` and adds `certificate`
// to `store` with a property 2 naming it: by `linked_name` when given (CryptoAPI enrollments
// name the container by its unique name), else by `container`; the provider's type, and the
// key's KeySpec (0 in a KSP).
repair::Status add_with_machine_key(Machine& machine, CertificateStore& store,
                                    const X509* certificate, std::string_view provider,
                                    const std::string& container, ContainerKey key, bool exportable,
                                    const std::string& linked_name = {});

}  // namespace certbed::emulator
