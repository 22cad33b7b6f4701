#include "certbed/emulator/scenarios.h"

#include <functional>

#include "certbed/emulator/certificate_factory.h"
#include "certbed/emulator/key_source.h"
#include "certbed/repair/key_prov_info.h"
#include "certbed/repair/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;
using repair::Status;

namespace {

const DistinguishedName kContosoCa{{{"CN", "Contoso CA"}, {"DC", "Contoso"}, {"DC", "com"}}};
const std::int64_t kCaNotBefore = utc_seconds(2024, 1, 15, 10, 0, 0);
const std::int64_t kCaNotAfter = utc_seconds(2034, 1, 15, 10, 10, 0);
const std::int64_t kLeafNotBefore = utc_seconds(2025, 3, 1, 9, 30, 0);
const std::int64_t kLeafNotAfter = utc_seconds(2027, 3, 1, 9, 40, 0);

struct IssuedCertificate {
  ossl::X509Ptr certificate;
  ossl::SharedPkey key;
};

Result<IssuedCertificate> make_root_ca(KeySource& keys, const std::string& serial) {
  auto key = keys.next(KeyAlgorithm::kRsa2048);
  if (!key) return key.error();
  CertificateSpec spec;
  spec.profile = CertificateProfile::kRootCa;
  spec.subject = kContosoCa;
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

Status add_ca_to_machine(Machine& machine, const IssuedCertificate& ca,
                         const repair::KeyProvInfo& info) {
  const repair::Bytes der = certificate_der(ca.certificate.get());
  auto my = machine.store(StoreLocation::kLocalMachine, "My").add(der, with_key_prov_info(info));
  if (!my) return my.error();
  auto root = machine.store(StoreLocation::kLocalMachine, "Root").add(der, {});
  if (!root) return root.error();
  CaConfiguration config;
  config.ca_name = "Contoso CA";
  config.provider = info.provider;
  config.provider_type = info.provider_type;
  config.ca_cert_hashes.push_back(
      machine.store(StoreLocation::kLocalMachine, "My").at(*my).facts.sha1);
  machine.ca_configuration() = std::move(config);
  return {};
}

// The seed: a root CA whose key is in the Microsoft Software KSP, with KeySpec `key_spec`.
Result<Machine> ksp_ca(std::uint32_t key_spec) {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto ca = make_root_ca(keys, "1f3a5c7e9b2d4f6081a3c5e7092b4d6f");
  if (!ca) return ca.error();
  auto container = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "Contoso CA",
                                            {ContainerKey{wc::AT_NONE, ca->key}},
                                            repair::KeyScope::kMachine, false);
  if (!container) return container.error();
  repair::KeyProvInfo info{"Contoso CA",     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                           wc::PROV_CNG_KSP, wc::CRYPT_MACHINE_KEYSET,
                           key_spec,         {}};
  if (auto s = add_ca_to_machine(machine, *ca, info); !s) return s.error();
  return machine;
}

// A root CA whose key is a legacy CSP AT_KEYEXCHANGE key: KeySpec 1 is correct here.
Result<Machine> csp_ca() {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto ca = make_root_ca(keys, "2b4d6f8091a3c5e7f9b1d3f5a7c9e1b3");
  if (!ca) return ca.error();
  auto container = machine.create_container(wc::MS_STRONG_PROV, "Contoso CA",
                                            {ContainerKey{wc::AT_KEYEXCHANGE, ca->key}},
                                            repair::KeyScope::kMachine, false);
  if (!container) return container.error();
  repair::KeyProvInfo info{"Contoso CA",       std::string(wc::MS_STRONG_PROV),
                           wc::PROV_RSA_FULL,  wc::CRYPT_MACHINE_KEYSET,
                           wc::AT_KEYEXCHANGE, {}};
  if (auto s = add_ca_to_machine(machine, *ca, info); !s) return s.error();
  return machine;
}

// A TLS server certificate issued by Contoso CA, its key in the Software KSP. `link` decides
// what property 2 says: the real container, a container that does not exist, or nothing.
enum class LeafLink { kCorrect, kMissingContainer, kNone };

Result<Machine> web_server(LeafLink link) {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto ca = make_root_ca(keys, "3c5e7092b4d6f8a1c3e5f7092b4d6f81");
  if (!ca) return ca.error();
  auto ca_container = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "Contoso CA",
                                               {ContainerKey{wc::AT_NONE, ca->key}},
                                               repair::KeyScope::kMachine, false);
  if (!ca_container) return ca_container.error();
  repair::KeyProvInfo ca_info{"Contoso CA",     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                              wc::PROV_CNG_KSP, wc::CRYPT_MACHINE_KEYSET,
                              wc::AT_NONE,      {}};
  if (auto s = add_ca_to_machine(machine, *ca, ca_info); !s) return s.error();

  auto leaf_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!leaf_key) return leaf_key.error();
  CertificateSpec spec;
  spec.profile = CertificateProfile::kEndEntity;
  spec.subject = DistinguishedName{{{"CN", "web01.contoso.com"}, {"O", "Contoso"}}};
  spec.serial_hex = "610000000a1b2c3d4e5f60718293a4b5c6000a";
  spec.not_before = kLeafNotBefore;
  spec.not_after = kLeafNotAfter;
  spec.ekus = {std::string(wc::szOID_PKIX_KP_SERVER_AUTH)};
  spec.dns_names = {"web01.contoso.com"};
  auto leaf = issue_certificate(spec, leaf_key->get(),
                                IssuerRef{ca->certificate.get(), ca->key.get()}, true);
  if (!leaf) return leaf.error();
  const std::string container_name = "te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59";
  auto container = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, container_name,
                                            {ContainerKey{wc::AT_NONE, *leaf_key}},
                                            repair::KeyScope::kMachine, true);
  if (!container) return container.error();
  repair::PropertyBag bag;
  if (link != LeafLink::kNone) {
    repair::KeyProvInfo info{
        link == LeafLink::kCorrect ? container_name : "te-WebServer-0d9e8f7a-restored-from-backup",
        std::string(wc::MS_KEY_STORAGE_PROVIDER),
        wc::PROV_CNG_KSP,
        wc::CRYPT_MACHINE_KEYSET,
        wc::AT_NONE,
        {}};
    bag = with_key_prov_info(info);
  }
  auto added = machine.store(StoreLocation::kLocalMachine, "My")
                   .add(certificate_der(leaf->get()), std::move(bag));
  if (!added) return added.error();
  return machine;
}

struct ScenarioEntry {
  ScenarioInfo info;
  std::function<Result<Machine>()> build;
};

const std::vector<ScenarioEntry>& entries() {
  static const std::vector<ScenarioEntry> all = {
      {{"ca-ksp-keyspec2",
        "Root CA \"Contoso CA\" with its key in the Microsoft Software Key Storage Provider "
        "but KeySpec 2 (AT_SIGNATURE) in its key provider info: renewal with the existing key "
        "fails"},
       [] { return ksp_ca(wc::AT_SIGNATURE); }},
      {{"ca-ksp-healthy", "The same CA with KeySpec 0, as a CNG key must have"},
       [] { return ksp_ca(wc::AT_NONE); }},
      {{"ca-csp-keyspec1",
        "Root CA with a legacy CSP key (Microsoft Strong Cryptographic Provider, "
        "AT_KEYEXCHANGE): KeySpec 1 is correct"},
       [] { return csp_ca(); }},
      {{"web-lost-key-association",
        "TLS server certificate without CERT_KEY_PROV_INFO_PROP_ID although its key is in the "
        "Software KSP"},
       [] { return web_server(LeafLink::kNone); }},
      {{"web-missing-keyset",
        "TLS server certificate whose key provider info names a container that does not exist"},
       [] { return web_server(LeafLink::kMissingContainer); }},
      {{"web-healthy", "TLS server certificate correctly linked to its KSP key"},
       [] { return web_server(LeafLink::kCorrect); }},
  };
  return all;
}

}  // namespace

const std::vector<ScenarioInfo>& list_scenarios() {
  static const std::vector<ScenarioInfo> infos = [] {
    std::vector<ScenarioInfo> out;
    for (const auto& e : entries()) out.push_back(e.info);
    return out;
  }();
  return infos;
}

Result<Machine> build_scenario(std::string_view name) {
  for (const auto& e : entries()) {
    if (e.info.name == name) return e.build();
  }
  std::string names;
  for (const auto& e : entries()) names += (names.empty() ? "" : ", ") + e.info.name;
  return make_error(ErrorCode::kNotFound,
                    "unknown scenario \"" + std::string(name) + "\" (known: " + names + ")");
}

}  // namespace certbed::emulator
