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
// issued to the CA", KB 842210). Every problem is reported, not only the first, so one run tells
// the whole repair.
bool load_ca_certificates(const Machine& machine, const CaConfiguration& config,
                          RenewalOutcome& out, std::vector<LoadedCaCertificate>& loaded) {
  const CertificateStore* my = machine.find_store(StoreLocation::kLocalMachine, "My");
  std::vector<CaEvent> details;
  bool documented = false;  // the failure is one KB 842210 describes (certificate or keyset)
  auto fail = [&](std::uint32_t index, RenewalFailure failure, CaEvent event) {
    if (out.failure == RenewalFailure::kNone) out.failure = failure;
    documented = documented || failure != RenewalFailure::kKeyMismatch;
    out.failing_indexes.push_back(index);
    details.push_back(std::move(event));
  };
  for (std::size_t i = 0; i < config.ca_cert_hashes.size(); ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    const std::string& sha1 = config.ca_cert_hashes[i];
    const auto position = my != nullptr ? my->find_by_sha1(sha1) : std::nullopt;
    if (!position) {
      fail(index, RenewalFailure::kCertificateMissing, certificate_missing_event(index, sha1));
      continue;
    }
    const StoredCertificate& stored = my->at(*position);
    const repair::CertFacts& facts = stored.facts;
    auto info = facts.key_prov_info();
    if (!info) {
      fail(index, RenewalFailure::kKeyMissing,
           key_prov_info_undecodable_event(index, facts, info.error().message));
      continue;
    }
    if (!info->has_value()) {
      fail(index, RenewalFailure::kKeyMissing, key_prov_info_missing_event(index, facts));
      continue;
    }
    const repair::KeyProvInfo& kpi = **info;
    const KeyProvider* provider = machine.find_provider(kpi.provider);
    const KeyContainer* container =
        provider != nullptr ? provider->find_container(kpi.container) : nullptr;
    if (container == nullptr) {
      fail(index, RenewalFailure::kKeyMissing,
           container_missing_event(index, facts, kpi, provider != nullptr));
      continue;
    }
    // A KSP container holds one key and ignores KeySpec (so a KSP certificate with KeySpec 2
    // still loads: the CA runs; only renewal with the existing key fails).
    const std::uint32_t spec =
        provider->info().kind == ProviderKind::kKsp ? wc::AT_NONE : kpi.key_spec;
    const ContainerKey* key = container->find_key(spec);
    if (key == nullptr) {
      fail(index, RenewalFailure::kKeyMissing, key_spec_key_missing_event(index, facts, kpi));
      continue;
    }
    if (public_key_id(key->key.get()) != facts.public_key_id) {
      fail(index, RenewalFailure::kKeyMismatch, key_mismatch_event(index, facts, kpi));
      continue;
    }
    loaded.push_back(LoadedCaCertificate{index, &stored, kpi, provider, key->key});
  }
  if (out.failing_indexes.empty()) return true;
  out.events.push_back(service_not_started_event(config, documented));
  for (auto& d : details) out.events.push_back(std::move(d));
  out.events.push_back(not_renewed_event(config));
  return false;
}

// Support article "CA certificate renewal fails when using a KSP provider": with the existing
// key pair and a KSP, every CA certificate needs KeySpec 0, or no request is offered, the
// service restarts and renewal fails.
std::vector<const LoadedCaCertificate*> ksp_key_spec_mismatches(
    const std::vector<LoadedCaCertificate>& loaded) {
  std::vector<const LoadedCaCertificate*> bad_key_spec;
  for (const auto& ca : loaded) {
    if (ca.info.provider_type == wc::PROV_CNG_KSP && ca.info.key_spec != wc::AT_NONE) {
      bad_key_spec.push_back(&ca);
    }
  }
  return bad_key_spec;
}

bool new_key_container_exists(const Machine& machine, const std::string& provider_name,
                              const std::string& container) {
  const auto* p = machine.find_provider(provider_name);
  return p != nullptr && p->find_container(container) != nullptr;
}

}  // namespace certbed::emulator::renewal
