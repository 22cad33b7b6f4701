// "Renew CA Certificate" on an emulated machine: the checks CertSvc makes when it restarts for a
// renewal, then a new self-signed certificate (root) or a PKCS#10 request (subordinate). The
// checks, the building and the event text live beside this file (ca_renewal.h).
#include "certbed/emulator/ca/ca_service.h"

#include <utility>

#include "ca_renewal.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;

Result<RenewalOutcome> renew_ca_certificate(Machine& machine, const RenewOptions& options) {
  auto digest = renewal::check_ca_configuration(machine);
  if (!digest) return digest.error();
  const CaConfiguration& config = *machine.ca_configuration();
  const bool subordinate = is_subordinate_ca_type(config.ca_type);

  RenewalOutcome out;
  out.subordinate = subordinate;
  out.events.push_back(renewal::stopped_event(config, options.reuse_keys));

  std::vector<renewal::LoadedCaCertificate> loaded;
  if (!renewal::load_ca_certificates(machine, config, out, loaded)) return out;
  const renewal::LoadedCaCertificate& current = loaded.back();
  const std::uint32_t current_index = current.index;

  // With the existing key pair and a KSP, every CA certificate needs KeySpec 0. The support
  // article gives no error text, so these events are certbed's.
  const std::vector<const renewal::LoadedCaCertificate*> bad_key_spec =
      renewal::ksp_key_spec_mismatches(loaded);
  if (options.reuse_keys && !bad_key_spec.empty()) {
    out.failure = RenewalFailure::kKeySpecMismatch;
    for (const auto* ca : bad_key_spec) {
      out.failing_indexes.push_back(ca->index);
      out.events.push_back(renewal::key_spec_mismatch_event(*ca));
    }
    out.events.push_back(renewal::reuse_keys_failed_event(config));
    out.events.push_back(renewal::restarted_event(config, current_index));
    out.events.push_back(renewal::key_spec_advice_event());
    return out;
  }
  // [unknown] Whether a new-key renewal trips over KeySpec 2 on older certificates is not
  // documented; the new key does not go through their key provider info, so it proceeds here.
  for (const auto* ca : bad_key_spec) out.events.push_back(renewal::key_spec_mismatch_warning(*ca));

  const repair::CertFacts& current_facts = current.stored->facts;
  out.version = renewal::next_ca_version(config, current_facts, options.reuse_keys);
  const std::uint16_t cert_index = out.version.cert_index;

  // Where the certificate's key lives: the current container, or "<CA name>(<key index>)" in
  // CSP\Provider (the index table of "Certification Authority Renewal").
  Machine staged = machine;  // all changes go to a copy, swapped in only on success
  ossl::SharedPkey key;
  repair::KeyProvInfo& info = out.key;
  if (options.reuse_keys) {
    key = current.key;
    info = renewal::reused_key_prov_info(current);
  } else {
    const std::string provider_name =
        config.provider.empty() ? current.info.provider : config.provider;
    const std::string container = renewal::new_key_container_name(config, out.version.key_index);
    if (renewal::new_key_container_exists(machine, provider_name, container)) {
      out.failure = RenewalFailure::kContainerExists;
      out.events.push_back(renewal::container_exists_event(container, provider_name));
      out.events.push_back(renewal::restarted_event(config, current_index));
      return out;
    }
    auto algorithm = key_algorithm_of(current.key.get());
    if (!algorithm) return algorithm.error();
    auto made = renewal::new_ca_key(machine, *algorithm, options.deterministic);
    if (!made) return made.error();
    key = *made;
    const KeyProvider& provider = staged.provider(provider_name);
    const std::uint32_t key_spec = renewal::new_key_spec(provider, current);
    auto created = staged.create_container(
        provider_name, container, {ContainerKey{key_spec, key}},
        config.machine_keyset ? repair::KeyScope::kMachine : repair::KeyScope::kUser, false);
    if (!created) return created.error();
    info = repair::KeyProvInfo{container,
                               provider.info().name,
                               provider.info().type,
                               config.machine_keyset ? wc::CRYPT_MACHINE_KEYSET : 0u,
                               key_spec,
                               {}};
    out.new_key = true;
    out.events.push_back(
        renewal::container_created_event(container, provider.info().name, *algorithm));
  }

  auto current_cert = certificate_from_der(current.stored->der);
  if (!current_cert) return current_cert.error();
  const std::string& previous_sha1 = config.ca_cert_hashes.back();

  if (subordinate) {
    auto request = renewal::build_request(current_cert->get(), key.get(), out.version,
                                          previous_sha1, EVP_get_digestbyname(digest->c_str()));
    if (!request) return request.error();
    auto pem = renewal::request_pem(request->get());
    if (!pem) return pem.error();
    out.request_pem = std::move(*pem);
    out.request_file_name = renewal_request_file_name(config, cert_index);
    out.events.push_back(renewal::request_created_event(
        config, out.request_file_name, options.reuse_keys, out.version, current_index));
    out.events.push_back(renewal::restarted_event(config, current_index));
    out.succeeded = true;
    machine = std::move(staged);  // only a new key's container, if any
    return out;
  }

  const auto not_before = renewal::seconds_of(X509_get0_notBefore(current_cert->get()));
  const auto not_after = renewal::seconds_of(X509_get0_notAfter(current_cert->get()));
  if (!not_before || !not_after) {
    return make_error(ErrorCode::kParse, "the current CA certificate has an unreadable validity");
  }
  const std::string serial = options.deterministic
                                 ? renewal::derived_serial(current_facts.serial, cert_index)
                                 : std::string();
  auto renewed = renewal::build_root_certificate(
      current_cert->get(), key.get(), out.version, previous_sha1, serial,
      *not_before + renewal::kRenewalStep,
      *not_before + renewal::kRenewalStep + (*not_after - *not_before), *digest,
      options.deterministic);
  if (!renewed) return renewed.error();
  out.certificate_der = certificate_der(renewed->get());

  auto encoded = repair::encode_key_prov_info(info);
  if (!encoded) return encoded.error();
  repair::PropertyBag bag;
  bag.set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, std::move(*encoded));
  CertificateStore& my = staged.store(StoreLocation::kLocalMachine, "My");
  auto added = my.add(out.certificate_der, std::move(bag));
  if (!added) return added.error();
  out.certificate_sha1 = my.at(*added).facts.sha1;
  if (auto root = staged.store(StoreLocation::kLocalMachine, "Root").add(out.certificate_der, {});
      !root) {
    return root.error();
  }
  staged.ca_configuration()->ca_cert_hashes.push_back(out.certificate_sha1);

  out.events.push_back(renewal::renewed_event(config, options.reuse_keys, out.version,
                                              my.at(*added).facts.serial, out.certificate_sha1));
  out.events.push_back(
      renewal::installed_event(info, staged.ca_configuration()->ca_cert_hashes.size()));
  out.events.push_back(renewal::restarted_event(config, cert_index));
  out.succeeded = true;
  machine = std::move(staged);
  return out;
}

}  // namespace certbed::emulator
