// The built-in scenarios: the seed case and its relatives, each deterministic.
#include "certbed/emulator/scenarios/scenarios.h"

#include <functional>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/scenarios/random_store.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "enterprise_scenarios.h"
#include "scenario_support.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;
using repair::Status;

namespace {

// A CA's software key is exportable, as `certutil -backupKey` needs and as real dumps/14 shows
// (its Software KSP CA key prints no "Private key is NOT exportable"); an HSM's is not
// (dumps/02). [inferred] Third-party KSPs are taken to be HSMs.
constexpr bool kSoftwareCaKeysExportable = true;
bool ca_key_exportable(const std::string& provider) { return is_microsoft_provider(provider); }

Status add_ca_to_machine(Machine& machine, const IssuedCertificate& ca,
                         const repair::KeyProvInfo& info,
                         const std::string& ca_name = "Contoso CA") {
  const repair::Bytes der = certificate_der(ca.certificate.get());
  auto my = machine.store(StoreLocation::kLocalMachine, "My").add(der, with_key_prov_info(info));
  if (!my) return my.error();
  auto root = machine.store(StoreLocation::kLocalMachine, "Root").add(der, {});
  if (!root) return root.error();
  CaConfiguration config;
  config.ca_name = ca_name;
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
                                            repair::KeyScope::kMachine, kSoftwareCaKeysExportable);
  if (!container) return container.error();
  repair::KeyProvInfo info{"Contoso CA",     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                           wc::PROV_CNG_KSP, wc::CRYPT_MACHINE_KEYSET,
                           key_spec,         {}};
  if (auto s = add_ca_to_machine(machine, *ca, info); !s) return s.error();
  return machine;
}

// The seed on another KSP and with other names: an HSM vendor's KSP, or names that must never
// reach a script unquoted.
Result<Machine> ksp_ca_named(std::uint32_t key_spec, const std::string& provider,
                             const std::string& container, const DistinguishedName& subject,
                             const std::string& serial) {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto ca = make_root_ca(keys, serial, subject);
  if (!ca) return ca.error();
  auto created = machine.create_container(provider, container, {ContainerKey{wc::AT_NONE, ca->key}},
                                          repair::KeyScope::kMachine, ca_key_exportable(provider));
  if (!created) return created.error();
  repair::KeyProvInfo info{container, provider, wc::PROV_CNG_KSP, wc::CRYPT_MACHINE_KEYSET,
                           key_spec,  {}};
  auto encoded = repair::encode_key_prov_info(info);
  if (!encoded) return encoded.error();
  if (auto s = add_ca_to_machine(machine, *ca, info, subject.attributes.front().value); !s) {
    return s.error();
  }
  return machine;
}

// A web farm's store: hundreds of healthy certificates and one with the seed's KeySpec 2.
Result<Machine> web_farm_one_wrong() {
  RandomStoreOptions options;
  options.certificates = 400;
  options.seed = 4242;
  options.odd_names = false;
  options.healthy = true;
  options.keyspec2_at = 287;
  return generate_random_machine(options);
}

// A root CA whose key is a legacy CSP AT_KEYEXCHANGE key: KeySpec 1 is correct here.
Result<Machine> csp_ca() {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto ca = make_root_ca(keys, "2b4d6f8091a3c5e7f9b1d3f5a7c9e1b3");
  if (!ca) return ca.error();
  auto container = machine.create_container(wc::MS_STRONG_PROV, "Contoso CA",
                                            {ContainerKey{wc::AT_KEYEXCHANGE, ca->key}},
                                            repair::KeyScope::kMachine, kSoftwareCaKeysExportable);
  if (!container) return container.error();
  repair::KeyProvInfo info{"Contoso CA",       std::string(wc::MS_STRONG_PROV),
                           wc::PROV_RSA_FULL,  wc::CRYPT_MACHINE_KEYSET,
                           wc::AT_KEYEXCHANGE, {}};
  if (auto s = add_ca_to_machine(machine, *ca, info); !s) return s.error();
  return machine;
}

// A TLS server certificate issued by Contoso CA, its key in the Software KSP. `link` decides
// what property 2 says: the real container, a container that does not exist, or nothing;
// `read_access` is its key file's ACL (empty: Windows' default).
enum class LeafLink { kCorrect, kMissingContainer, kNone };

Result<Machine> web_server(LeafLink link, std::vector<std::string> read_access = {}) {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto ca = make_root_ca(keys, "3c5e7092b4d6f8a1c3e5f7092b4d6f81");
  if (!ca) return ca.error();
  auto ca_container = machine.create_container(
      wc::MS_KEY_STORAGE_PROVIDER, "Contoso CA", {ContainerKey{wc::AT_NONE, ca->key}},
      repair::KeyScope::kMachine, kSoftwareCaKeysExportable);
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
  auto container = machine.create_container(
      wc::MS_KEY_STORAGE_PROVIDER, container_name, {ContainerKey{wc::AT_NONE, *leaf_key}},
      repair::KeyScope::kMachine, true, std::move(read_access));
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

// Scenarios below are appended after the first six, whose bytes tests pin.

const DistinguishedName kContosoRootCa{
    {{"CN", "Contoso Root CA"}, {"DC", "Contoso"}, {"DC", "com"}}};
const DistinguishedName kContosoIssuingCa{
    {{"CN", "Contoso Issuing CA"}, {"DC", "Contoso"}, {"DC", "com"}}};

// An enterprise issuing CA "Contoso Issuing CA" on ca01.contoso.com, its key in the Software KSP
// with KeySpec `key_spec` (the support article's own example is such a subordinate). The offline
// root "Contoso Root CA" is trusted in Root; its key is not on this machine.
Result<Machine> ksp_subordinate_ca(std::uint32_t key_spec) {
  Machine machine;
  auto keys = KeySource::deterministic();
  auto root_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!root_key) return root_key.error();
  CertificateSpec root_spec;
  root_spec.profile = CertificateProfile::kRootCa;
  root_spec.subject = kContosoRootCa;
  root_spec.serial_hex = "4e6a8c0e2f4b6d8fa1c3e5072d4f6b81";
  root_spec.not_before = utc_seconds(2022, 6, 1, 8, 0, 0);
  root_spec.not_after = utc_seconds(2042, 6, 1, 8, 10, 0);
  auto root = issue_certificate(root_spec, root_key->get(), std::nullopt, true);
  if (!root) return root.error();

  auto ca_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!ca_key) return ca_key.error();
  CertificateSpec spec;
  spec.profile = CertificateProfile::kSubordinateCa;
  spec.subject = kContosoIssuingCa;
  spec.serial_hex = "1f0000000254c3a8e1b7d90f6a000000000002";
  spec.not_before = kCaNotBefore;
  spec.not_after = utc_seconds(2029, 1, 15, 10, 10, 0);
  auto ca = issue_certificate(spec, ca_key->get(), IssuerRef{root->get(), root_key->get()}, true);
  if (!ca) return ca.error();
  auto container = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "Contoso Issuing CA",
                                            {ContainerKey{wc::AT_NONE, *ca_key}},
                                            repair::KeyScope::kMachine, kSoftwareCaKeysExportable);
  if (!container) return container.error();
  repair::KeyProvInfo info{"Contoso Issuing CA",
                           std::string(wc::MS_KEY_STORAGE_PROVIDER),
                           wc::PROV_CNG_KSP,
                           wc::CRYPT_MACHINE_KEYSET,
                           key_spec,
                           {}};
  const repair::Bytes der = certificate_der(ca->get());
  auto my = machine.store(StoreLocation::kLocalMachine, "My").add(der, with_key_prov_info(info));
  if (!my) return my.error();
  if (auto r = machine.store(StoreLocation::kLocalMachine, "CA").add(der, {}); !r) return r.error();
  if (auto r =
          machine.store(StoreLocation::kLocalMachine, "Root").add(certificate_der(root->get()), {});
      !r) {
    return r.error();
  }
  CaConfiguration config;
  config.ca_name = "Contoso Issuing CA";
  config.provider = info.provider;
  config.provider_type = info.provider_type;
  config.ca_type = ENUM_ENTERPRISE_SUBCA;
  config.server_name = "ca01.contoso.com";
  config.ca_cert_hashes.push_back(
      machine.store(StoreLocation::kLocalMachine, "My").at(*my).facts.sha1);
  machine.ca_configuration() = std::move(config);
  return machine;
}

// The seed CA renewed twice, following the index table of "Certification Authority Renewal":
// installed 0/0, renewed with a new key (V1.1, container "Contoso CA(1)"), then with that key
// again (V2.1). Then KeySpec 2 reached certificates 0 and 1 (say, restored from a PFX imported
// AT_SIGNATURE) and only the current one, 2, was repaired: renewal with the existing key still
// fails, because every CA certificate must have KeySpec 0.
Result<Machine> renewed_ksp_ca() {
  auto machine = ksp_ca(wc::AT_NONE);
  if (!machine) return machine.error();
  for (const bool reuse : {false, true}) {
    RenewOptions options;
    options.reuse_keys = reuse;
    auto renewed = renew_ca_certificate(*machine, options);
    if (!renewed) return renewed.error();
    if (!renewed->succeeded) {
      return make_error(ErrorCode::kInternal,
                        "building the renewed CA failed: " + renewed->events.back().text);
    }
  }
  auto& my = machine->store(StoreLocation::kLocalMachine, "My");
  const auto hashes = machine->ca_configuration()->ca_cert_hashes;
  for (std::size_t index : {0u, 1u}) {
    const auto position = my.find_by_sha1(hashes[index]);
    if (!position) return make_error(ErrorCode::kInternal, "renewed CA certificate missing");
    auto info = my.at(*position).facts.key_prov_info();
    if (!info || !info->has_value()) {
      return make_error(ErrorCode::kInternal, "renewed CA certificate has no key provider info");
    }
    repair::KeyProvInfo changed = **info;
    changed.key_spec = wc::AT_SIGNATURE;
    my.properties(*position).set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                 key_prov_info_bytes(changed));
  }
  return machine;
}

// A domain controller's LocalMachine\My shaped like real dumps/07 (a Windows Server 2019 DC
// that also hosts an enterprise CA): an archived root CA certificate of an earlier CA, the DC's
// certificate from the DomainController template with its key in the RSA SChannel CSP under a
// unique-name container, and the enterprise root CA's certificate from the CA template.
Result<Machine> domain_controller() {
  Machine machine;
  auto keys = KeySource::deterministic();
  const DistinguishedName old_ca{{{"CN", "contoso-DC01-CA"}, {"DC", "contoso"}, {"DC", "com"}}};
  const DistinguishedName ltd_ca{{{"CN", "Contoso-LTD-CA"}, {"DC", "contoso"}, {"DC", "com"}}};
  auto& my = machine.store(StoreLocation::kLocalMachine, "My");

  auto archived = make_root_ca(keys, "472cb6148184a9894f6d4d2587b1b165", old_ca);
  if (!archived) return archived.error();
  if (auto c = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "contoso-DC01-CA",
                                        {ContainerKey{wc::AT_NONE, archived->key}},
                                        repair::KeyScope::kMachine, true);
      !c) {
    return c.error();
  }
  repair::PropertyBag archived_bag = with_key_prov_info({"contoso-DC01-CA",
                                                         std::string(wc::MS_KEY_STORAGE_PROVIDER),
                                                         wc::PROV_CNG_KSP,
                                                         wc::CRYPT_MACHINE_KEYSET,
                                                         wc::AT_NONE,
                                                         {}});
  archived_bag.set(PropertyId::CERT_ARCHIVED_PROP_ID, {});
  if (auto a = my.add(certificate_der(archived->certificate.get()), std::move(archived_bag)); !a) {
    return a.error();
  }

  auto ca_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!ca_key) return ca_key.error();
  CertificateSpec ca_spec;
  ca_spec.profile = CertificateProfile::kRootCa;
  ca_spec.subject = ltd_ca;
  ca_spec.serial_hex = "75b2f4bbf31f108945147b466131bdca";
  ca_spec.not_before = kCaNotBefore;
  ca_spec.not_after = kCaNotAfter;
  ca_spec.template_name = "CA";
  auto ca = issue_certificate(ca_spec, ca_key->get(), std::nullopt, true);
  if (!ca) return ca.error();

  auto dc_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!dc_key) return dc_key.error();
  CertificateSpec dc_spec;
  dc_spec.profile = CertificateProfile::kEndEntity;
  dc_spec.subject = DistinguishedName{{{"CN", "DC01.contoso.com"}}};
  dc_spec.serial_hex = "5800000002ca70ea4e42f218a6000000000002";
  dc_spec.not_before = kLeafNotBefore;
  dc_spec.not_after = kLeafNotAfter;
  dc_spec.ekus = {std::string(wc::szOID_PKIX_KP_CLIENT_AUTH),
                  std::string(wc::szOID_PKIX_KP_SERVER_AUTH)};
  dc_spec.dns_names = {"DC01.contoso.com"};
  dc_spec.template_name = "DomainController";
  const auto dc_urls =
      enterprise_urls("Contoso-LTD-CA", "DC01", "DC=contoso,DC=com", "DC01.contoso.com");
  dc_spec.crl_urls = dc_urls.crl;
  dc_spec.ca_issuer_urls = dc_urls.ca_issuers;
  auto dc = issue_certificate(dc_spec, dc_key->get(), IssuerRef{ca->get(), ca_key->get()}, true);
  if (!dc) return dc.error();
  // Property 2 of a CryptoAPI enrollment key names the container by its unique name (dumps/07,
  // dumps/08); the simple name is the enrollment's "te-<template>-<GUID>".
  const std::string dc_simple_name = "te-DomainController-5e0c9b2a-7d41-4f86-a3b9-0c2e6f1d8a47";
  const std::string dc_container = unique_container_name(dc_simple_name, machine.machine_guid());
  if (auto s =
          add_with_machine_key(machine, my, dc->get(), wc::MS_DEF_RSA_SCHANNEL_PROV, dc_simple_name,
                               ContainerKey{wc::AT_KEYEXCHANGE, *dc_key}, false, dc_container);
      !s) {
    return s.error();
  }

  if (auto c = machine.create_container(wc::MS_KEY_STORAGE_PROVIDER, "Contoso-LTD-CA",
                                        {ContainerKey{wc::AT_NONE, *ca_key}},
                                        repair::KeyScope::kMachine, true);
      !c) {
    return c.error();
  }
  IssuedCertificate issued{std::move(*ca), *ca_key};
  if (auto s = add_ca_to_machine(machine, issued,
                                 {"Contoso-LTD-CA",
                                  std::string(wc::MS_KEY_STORAGE_PROVIDER),
                                  wc::PROV_CNG_KSP,
                                  wc::CRYPT_MACHINE_KEYSET,
                                  wc::AT_NONE,
                                  {}},
                                 "Contoso-LTD-CA");
      !s) {
    return s.error();
  }
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
      {{"ca-csp-provider-mismatch",
        "The healthy KSP CA whose CertSvc configuration says CSP\\Provider \"Microsoft Strong "
        "Cryptographic Provider\" (ProviderType 1), contradicting where its key is: the service "
        "does not start and renewal with the existing key pair fails"},
       []() -> Result<Machine> {
         auto machine = ksp_ca(wc::AT_NONE);
         if (!machine) return machine;
         machine->ca_configuration()->provider = std::string(wc::MS_STRONG_PROV);
         machine->ca_configuration()->provider_type = wc::PROV_RSA_FULL;
         return machine;
       }},
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
      {{"subca-ksp-keyspec2",
        "Enterprise issuing CA \"Contoso Issuing CA\" (under the offline \"Contoso Root CA\"), "
        "its key in the Software KSP but KeySpec 2: renewal with the existing key fails and no "
        "request is made"},
       [] { return ksp_subordinate_ca(wc::AT_SIGNATURE); }},
      {{"subca-ksp-healthy", "The same issuing CA with KeySpec 0: renewal makes a request"},
       [] { return ksp_subordinate_ca(wc::AT_NONE); }},
      {{"ca-ksp-keyspec2-renewed",
        "\"Contoso CA\" renewed twice (new key, then reused: V1.1, V2.1); CA certificates 0 and 1 "
        "still have KeySpec 2, only the current one 0: renewal with the existing key fails"},
       [] { return renewed_ksp_ca(); }},
      {{"ca-hsm-ksp-keyspec2",
        "Root CA \"Fabrikam HSM CA\" whose key is in a third-party HSM KSP (SafeNet Key Storage "
        "Provider) with KeySpec 2"},
       [] {
         return ksp_ca_named(wc::AT_SIGNATURE, "SafeNet Key Storage Provider", "Fabrikam HSM CA",
                             DistinguishedName{{{"CN", "Fabrikam HSM CA"}, {"O", "Fabrikam"}}},
                             "4a6c8e0f1b3d5f7091b3d5f7193b5d7f");
       }},
      {{"ca-ksp-keyspec2-hostile-names",
        "The seed with a container and CA name full of characters that scripts and INF files "
        "must never take literally: & \" % ^ ' and Unicode"},
       [] {
         return ksp_ca_named(
             wc::AT_SIGNATURE, std::string(wc::MS_KEY_STORAGE_PROVIDER),
             "R&D \"Root\" 100% ^ O'Brien \xE6\x9C\xAC \xF0\x9F\x94\x91",
             DistinguishedName{{{"CN", "R&D \"Root\" 100% ^ CA \xE6\x9C\xAC"}, {"O", "Contoso"}}},
             "5b7d9f1a2c4e6081a2c4e6081a2c4e60");
       }},
      {{"web-farm-400-one-keyspec2",
        "400 healthy certificates across KSPs and CSPs, one of which (index 287) has a KSP key "
        "with KeySpec 2"},
       [] { return web_farm_one_wrong(); }},
      {{"dc-enterprise-my",
        "A domain controller hosting an enterprise root CA, shaped like a real Windows Server 2019 "
        "DC: an archived earlier CA certificate, the DomainController-template certificate with "
        "its key in the RSA SChannel CSP, and the CA-template root; certbed dump --as "
        "standard-user shows Missing stored keyset for each, as that real dump does"},
       [] { return domain_controller(); }},
      {{"enterprise-issued",
        "A member server of an enterprise PKI: the offline Contoso Root CA in Root, the "
        "SubCA-template issuing CA it certified in CA, and a WebServer-template TLS certificate "
        "with its KSP key in My; the issued certificates carry CRL Distribution Points and AIA "
        "(LDAP and HTTP, as AD CS writes them)"},
       [] { return enterprise_issued(); }},
      {{"web-key-acl-denied",
        "TLS server certificate correctly linked to its KSP key, whose key file grants Read to "
        "SYSTEM and Administrators only (KB 238187's default): a service running as NETWORK "
        "SERVICE gets NTE_BAD_KEYSET"},
       [] {
         return web_server(LeafLink::kCorrect, {"NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators"});
       }},
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
