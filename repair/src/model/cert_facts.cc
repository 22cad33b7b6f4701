// CertFacts: property 2 decoded on demand, and a printable form for test failures.
#include "certbed/repair/model/cert_facts.h"

namespace certbed::repair {

Result<std::optional<KeyProvInfo>> CertFacts::key_prov_info() const {
  const Bytes* value = properties.find(PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  if (value == nullptr) return std::optional<KeyProvInfo>();
  auto decoded = decode_key_prov_info(*value);
  if (!decoded) return decoded.error();
  return std::optional<KeyProvInfo>(std::move(*decoded));
}

std::string CertFacts::to_string() const {
  std::string out = "CertFacts{";
  if (index) out += "index=" + std::to_string(*index) + ", ";
  out += "serial=" + serial + ", subject=\"" + subject + "\", sha1=" + sha1 +
         ", properties=" + std::to_string(properties.size()) + "}";
  return out;
}

}  // namespace certbed::repair
