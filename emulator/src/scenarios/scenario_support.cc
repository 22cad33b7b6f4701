// What the scenario builders share (see scenario_support.h).
#include "scenario_support.h"

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

using repair::PropertyId;
using repair::Result;

Result<IssuedCertificate> make_root_ca(KeySource& keys, const std::string& serial,
                                       const DistinguishedName& subject) {
  auto key = keys.next(KeyAlgorithm::kRsa2048);
  if (!key) return key.error();
  CertificateSpec spec;
  spec.profile = CertificateProfile::kRootCa;
  spec.subject = subject;
  spec.serial_hex = serial;
  spec.not_before = kCaNotBefore;
  spec.not_after = kCaNotAfter;
  auto cert = issue_certificate(spec, key->get(), std::nullopt, keys.is_deterministic());
  if (!cert) return cert.error();
  return IssuedCertificate{std::move(*cert), *key};
}

repair::Bytes key_prov_info_bytes(const repair::KeyProvInfo& info) {
  // Names here are fixed ASCII, so encoding cannot fail.
  return repair::encode_key_prov_info(info).value();
}

repair::PropertyBag with_key_prov_info(const repair::KeyProvInfo& info) {
  repair::PropertyBag bag;
  bag.set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, key_prov_info_bytes(info));
  return bag;
}

repair::Status add_with_machine_key(Machine& machine, CertificateStore& store,
                                    const X509* certificate, std::string_view provider,
                                    const std::string& container, ContainerKey key, bool exportable,
                                    const std::string& linked_name) {
  const std::uint32_t key_spec = key.key_spec;
  auto created = machine.create_container(provider, container, {std::move(key)},
                                          repair::KeyScope::kMachine, exportable);
  if (!created) return created.error();
  const ProviderInfo& info = machine.provider(provider).info();
  auto added = store.add(certificate_der(certificate),
                         with_key_prov_info({linked_name.empty() ? container : linked_name,
                                             info.name,
                                             info.type,
                                             repair::wincrypt::CRYPT_MACHINE_KEYSET,
                                             key_spec,
                                             {}}));
  if (!added) return added.error();
  return {};
}

}  // namespace certbed::emulator
