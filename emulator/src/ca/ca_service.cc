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

std::string_view reuse_key_step_name() { return renewal::kReuseKeyStepName; }

namespace {

// Start-up: the CA certificates and keys, then (with `check_configuration`) the configuration
// against the current key. [inferred] A renewal with a new key pair makes the key in
// CSP\Provider, so there the configuration says where the next key goes, not where the
// current one is, and is not held against it.
bool start(const Machine& machine, RenewalOutcome& out,
           std::vector<renewal::LoadedCaCertificate>& loaded, bool check_configuration) {
  const CaConfiguration& config = *machine.ca_configuration();
  if (!renewal::load_ca_certificates(machine, config, out, loaded)) return false;
  if (check_configuration && !renewal::check_csp_configuration(config, loaded.back(), out)) {
    out.events.insert(out.events.end() - 1,
                      renewal::service_not_started_event(config, false, hresult::S_OK));
    out.events.push_back(renewal::not_renewed_event(config));
    return false;
  }
  return true;
}

}  // namespace

Result<RenewalOutcome> start_ca_service(const Machine& machine) {
  if (auto digest = renewal::check_ca_configuration(machine); !digest) return digest.error();
  RenewalOutcome out;
  out.subordinate = is_subordinate_ca_type(machine.ca_configuration()->ca_type);
  std::vector<renewal::LoadedCaCertificate> loaded;
  out.succeeded = start(machine, out, loaded, /*check_configuration=*/true);
  if (!out.succeeded) out.events.pop_back();  // not_renewed_event: nothing was being renewed
  return out;
}

Result<RenewalOutcome> renew_ca_certificate(Machine& machine, const RenewOptions& options) {
  auto digest = renewal::check_ca_configuration(machine);
  if (!digest) return digest.error();
  const CaConfiguration& config = *machine.ca_configuration();
  const bool subordinate = is_subordinate_ca_type(config.ca_type);

  RenewalOutcome out;
  out.subordinate = subordinate;
  out.events.push_back(renewal::stopped_event(config, options.reuse_keys));

  std::vector<renewal::LoadedCaCertificate> loaded;
  if (!start(machine, out, loaded, /*check_configuration=*/options.reuse_keys)) return out;
  const renewal::LoadedCaCertificate& current = loaded.back();
  const std::uint32_t current_index = current.index;

  // The inferred reuse-key step: with the existing key pair, every CA key is opened as its
  // property 2 describes it. The support article gives no error text, so these events are
  // certbed's; each names the step, its status and the HRESULT the key access layer returned.
  const std::vector<renewal::ReuseKeyFailure> reuse_failures =
      renewal::reuse_key_step(machine, loaded);
  if (options.reuse_keys && !reuse_failures.empty()) {
    out.failure = RenewalFailure::kKeySpecMismatch;
    for (const auto& f : reuse_failures) {
      out.failing_indexes.push_back(f.ca->index);
      out.events.push_back(renewal::key_spec_mismatch_event(f));
    }
    out.events.push_back(renewal::reuse_keys_failed_event(config));
    out.events.push_back(renewal::restarted_event(config, current_index));
    out.events.push_back(renewal::key_spec_advice_event());
    return out;
  }
  // [unknown] Whether a new-key renewal trips over KeySpec 2 on older certificates is not
  // documented; the new key does not go through their key provider info, so it proceeds here.
  for (const auto& f : reuse_failures) out.events.push_back(renewal::key_spec_mismatch_warning(f));

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
    // A provider that is not installed cannot make the key: no KSP or CSP by that name is on
    // the machine, and it is not one of the Microsoft providers every Windows has.
    if (machine.find_provider(provider_name) == nullptr && !find_known_provider(provider_name)) {
      out.failure = RenewalFailure::kProviderMissing;
      out.events.push_back(renewal::provider_missing_event(provider_name));
      out.events.push_back(renewal::restarted_event(config, current_index));
      return out;
    }
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
        config.machine_keyset ? repair::KeyScope::kMachine : repair::KeyScope::kUser,
        // A software CA key is exportable (certutil -backupKey; real dumps/14); an HSM's is not.
        is_microsoft_provider(provider.info().name));
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
