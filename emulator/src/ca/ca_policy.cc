// What makes a CA renewal fail before anything is built: a CA configuration certbed cannot renew
// from, CA certificates or keys CertSvc cannot load, and KSP certificates with KeySpec != 0.
#include <string>

#include "ca_renewal.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

bool is_subordinate_ca_type(std::uint32_t ca_type) {
  return ca_type == ENUM_ENTERPRISE_SUBCA || ca_type == ENUM_STANDALONE_SUBCA;
}

}  // namespace certbed::emulator

namespace certbed::emulator::renewal {

namespace wc = repair::wincrypt;
using repair::ErrorCode;
using repair::make_error;
using repair::Result;

namespace {

// CSP\CNGHashAlgorithm to an OpenSSL digest name.
Result<std::string> digest_for(const std::string& hash_algorithm) {
  std::string upper;
  for (char c : hash_algorithm) {
    if (c != '-') upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  if (upper == "SHA1") return std::string("sha1");
  if (upper == "SHA256") return std::string("sha256");
  if (upper == "SHA384") return std::string("sha384");
  if (upper == "SHA512") return std::string("sha512");
  return make_error(ErrorCode::kUnsupported,
                    "CA configuration: hash algorithm \"" + hash_algorithm +
                        "\" is not one certbed renews with (SHA1, SHA256, SHA384, SHA512)");
}

}  // namespace

Result<std::string> check_ca_configuration(const Machine& machine) {
  if (!machine.ca_configuration()) {
    return make_error(ErrorCode::kNotFound,
                      "this machine hosts no CA (no CertSvc configuration): nothing to renew");
  }
  const CaConfiguration& config = *machine.ca_configuration();
  const bool subordinate = is_subordinate_ca_type(config.ca_type);
  if (!subordinate && config.ca_type != ENUM_ENTERPRISE_ROOTCA &&
      config.ca_type != ENUM_STANDALONE_ROOTCA) {
    return make_error(ErrorCode::kUnsupported,
                      "CA configuration: CAType " + std::to_string(config.ca_type) +
                          " is not a root (0, 3) or subordinate (1, 4) CA type");
  }
  if (config.ca_cert_hashes.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "CA configuration: CACertHash is empty, so there is no CA certificate to "
                      "renew");
  }
  if (config.ca_cert_hashes.size() > 0xFFFF) {
    return make_error(ErrorCode::kUnsupported, "the CA certificate index would exceed 65535");
  }
  return digest_for(config.hash_algorithm);
}

// As CertSvc does when it starts ("it enumerates all the keys and certificates that have been
// issued to the CA", KB 842210): each CA certificate's key is opened through the key access
// layer as CertSvc opens it (kCertSvcAcquireFlags, as LocalSystem). Every problem is reported,
// not only the first, so one run tells the whole repair.
bool load_ca_certificates(const Machine& machine, const CaConfiguration& config,
                          RenewalOutcome& out, std::vector<LoadedCaCertificate>& loaded) {
  const CertificateStore* my = machine.find_store(StoreLocation::kLocalMachine, "My");
  const KeyAccess access(machine, Caller::system());
  std::vector<CaEvent> details;
  // The failure KB 842210 describes (a CA certificate or its keyset missing) makes the event
  // Windows' own; the first other HRESULT is named in certbed's.
  bool documented = false;
  std::uint32_t first_hresult = hresult::S_OK;
  auto fail = [&](std::uint32_t index, RenewalFailure failure, std::uint32_t code, CaEvent event) {
    if (out.failure == RenewalFailure::kNone) out.failure = failure;
    documented = documented || failure == RenewalFailure::kCertificateMissing ||
                 code == hresult::NTE_BAD_KEYSET;
    if (first_hresult == hresult::S_OK) first_hresult = code;
    out.failing_indexes.push_back(index);
    details.push_back(std::move(event));
  };
  for (std::size_t i = 0; i < config.ca_cert_hashes.size(); ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    const std::string& sha1 = config.ca_cert_hashes[i];
    const auto position = my != nullptr ? my->find_by_sha1(sha1) : std::nullopt;
    if (!position) {
      fail(index, RenewalFailure::kCertificateMissing, hresult::NTE_BAD_KEYSET,
           certificate_missing_event(index, sha1));
      continue;
    }
    const StoredCertificate& stored = my->at(*position);
    const repair::CertFacts& facts = stored.facts;
    auto info = facts.key_prov_info();
    if (!info) {
      fail(index, RenewalFailure::kKeyMissing, hresult::CRYPT_E_NO_KEY_PROPERTY,
           key_prov_info_undecodable_event(index, facts, info.error().message));
      continue;
    }
    const auto opened = access.acquire_certificate_private_key(facts, kCertSvcAcquireFlags);
    if (!opened.ok()) {
      if (opened.hresult == hresult::CRYPT_E_NO_KEY_PROPERTY) {
        fail(index, RenewalFailure::kKeyMissing, opened.hresult,
             key_prov_info_missing_event(index, facts));
      } else if (opened.hresult == hresult::NTE_BAD_PUBLIC_KEY) {
        fail(index, RenewalFailure::kKeyMismatch, opened.hresult,
             key_mismatch_event(index, facts, **info));
      } else {
        fail(index, RenewalFailure::kKeyMissing, opened.hresult,
             key_open_failed_event(index, facts, **info, opened));
      }
      continue;
    }
    loaded.push_back(
        LoadedCaCertificate{index, &stored, **info, opened.key->provider, opened.key->key->key});
  }
  if (out.failing_indexes.empty()) return true;
  out.events.push_back(service_not_started_event(config, documented, first_hresult));
  for (auto& d : details) out.events.push_back(std::move(d));
  out.events.push_back(not_renewed_event(config));
  return false;
}

bool check_csp_configuration(const CaConfiguration& config, const LoadedCaCertificate& current,
                             RenewalOutcome& out) {
  // [inferred] CertSvc opens its signing key with the provider CSP\Provider names (Microsoft's
  // CSP-to-KSP migration steps rewrite CSP\Provider and CSP\ProviderType together with the
  // key; property-model.md 4.2), so a configuration that names another provider than the one
  // holding the current CA key does not start. An empty value is not checked.
  const bool provider_differs =
      !config.provider.empty() &&
      to_lower_ascii(config.provider) != to_lower_ascii(current.provider->info().name);
  if (!provider_differs && config.provider_type == current.provider->info().type) return true;
  out.failure = RenewalFailure::kConfigurationMismatch;
  out.failing_indexes.push_back(current.index);
  out.events.push_back(csp_configuration_event(config, current));
  return false;
}

std::vector<ReuseKeyFailure> reuse_key_step(const Machine& machine,
                                            const std::vector<LoadedCaCertificate>& loaded) {
  const KeyAccess access(machine, Caller::system());
  std::vector<ReuseKeyFailure> failures;
  for (const auto& ca : loaded) {
    const bool machine_keyset = (ca.info.flags & wc::CRYPT_MACHINE_KEYSET) != 0;
    KeyAccessResult opened =
        ca.info.key_spec == wc::AT_NONE
            ? access.ncrypt_open_key(ca.info.provider, ca.info.container, wc::AT_NONE,
                                     machine_keyset ? NCRYPT_MACHINE_KEY_FLAG : 0u)
            : access.crypt_acquire_context(
                  ca.info.container, ca.info.provider, ca.info.provider_type,
                  machine_keyset ? wc::CRYPT_MACHINE_KEYSET : 0u, ca.info.key_spec);
    if (!opened.ok()) failures.push_back(ReuseKeyFailure{&ca, std::move(opened)});
  }
  return failures;
}

bool new_key_container_exists(const Machine& machine, const std::string& provider_name,
                              const std::string& container) {
  const auto* p = machine.find_provider(provider_name);
  return p != nullptr && p->find_container(container) != nullptr;
}

}  // namespace certbed::emulator::renewal
