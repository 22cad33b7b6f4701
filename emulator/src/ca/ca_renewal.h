// What the files of the CA renewal emulation share: ca_service.cc runs the steps, ca_policy.cc
// decides what makes a renewal fail, ca_builder.cc makes the certificate or request, ca_events.cc
// words what the CA logs.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certbed/emulator/ca/ca_service.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/crypto/ossl.h"
#include "certbed/emulator/keys/key_access.h"

namespace certbed::emulator::renewal {

// certbed's choice, not Windows': a renewed root's NotBefore is 365 days after the current
// certificate's (Windows uses the time of renewal, which would make output irreproducible).
inline constexpr std::int64_t kRenewalStep = std::int64_t{365} * 24 * 3600;

// A CA certificate of CACertHash with the key CryptAcquireCertificatePrivateKey opened for it.
struct LoadedCaCertificate {
  std::uint32_t index = 0;
  const StoredCertificate* stored = nullptr;
  repair::KeyProvInfo info;
  const KeyProvider* provider = nullptr;
  ossl::SharedPkey key;
};

// How CertSvc opens its CA keys. It runs as LocalSystem [doc "AD CS: the service account"], and
// [inferred] lets CryptAcquireCertificatePrivateKey use CNG first (CAs on Windows Server 2008
// and later keep keys in KSPs) or CryptoAPI, compares the public key, and shows no UI.
inline constexpr std::uint32_t kCertSvcAcquireFlags = CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG |
                                                      CRYPT_ACQUIRE_COMPARE_KEY_FLAG |
                                                      CRYPT_ACQUIRE_SILENT_FLAG;

// ---- What makes a renewal fail (ca_policy.cc).

// The configuration errors certbed cannot renew from (no CA, unknown CAType, empty or too long
// CACertHash, unknown hash algorithm); on success the OpenSSL digest name of the hash algorithm.
repair::Result<std::string> check_ca_configuration(const Machine& machine);

// Loads every certificate in CACertHash with its key, as CertSvc does when it starts. On failure
// records it in `out` (failure, failing indexes, events) and returns false.
bool load_ca_certificates(const Machine& machine, const CaConfiguration& config,
                          RenewalOutcome& out, std::vector<LoadedCaCertificate>& loaded);

// The configuration CertSvc reads at start-up against the current CA key: CSP\Provider and
// CSP\ProviderType must name the provider the key opened in. On a contradiction records it in
// `out` and returns false.
bool check_csp_configuration(const CaConfiguration& config, const LoadedCaCertificate& current,
                             RenewalOutcome& out);

// The reuse-key step of the emulated CertSvc, [inferred] (property-model.md 4.3, from the
// support article "CA certificate renewal fails when using a KSP provider"): renewal with the
// existing key pair opens each CA certificate's key as property 2 describes it, and KeySpec 1
// or 2 marks a CryptoAPI key, so it calls CryptAcquireContext; KeySpec 0 goes to CNG. The key
// access layer's result decides; the failed opens are returned with their results.
struct ReuseKeyFailure {
  const LoadedCaCertificate* ca = nullptr;
  KeyAccessResult result;
};
std::vector<ReuseKeyFailure> reuse_key_step(const Machine& machine,
                                            const std::vector<LoadedCaCertificate>& loaded);

// The name and status the demo and the events give this step.
inline constexpr std::string_view kReuseKeyStepName =
    "CertSvc reuse-key step [inferred from the support article \"CA certificate renewal fails "
    "when using a KSP provider\"; property-model.md 4.3]";

// New keys: certbed does not overwrite a key, so an existing container of that name fails.
bool new_key_container_exists(const Machine& machine, const std::string& provider_name,
                              const std::string& container);

// ---- The new certificate or request (ca_builder.cc).

// The next CA Version: the certificate index is the CACertHash count; the key index stays with
// reused keys and becomes the certificate index with new ones.
CaVersion next_ca_version(const CaConfiguration& config, const repair::CertFacts& current,
                          bool reuse_keys);

// "<CA name>(<key index>)", the container of a new key (the index table of "Certification
// Authority Renewal").
std::string new_key_container_name(const CaConfiguration& config, std::uint16_t key_index);

// The KeySpec of a new key in `provider`, from the current CA certificate's key provider.
std::uint32_t new_key_spec(const KeyProvider& provider, const LoadedCaCertificate& current);

// The key provider information of a renewal with the existing key pair.
repair::KeyProvInfo reused_key_prov_info(const LoadedCaCertificate& current);

std::optional<std::int64_t> seconds_of(const ASN1_TIME* time);

std::string derived_serial(const std::string& previous_serial, std::uint32_t cert_index);

repair::Result<ossl::SharedPkey> new_ca_key(const Machine& machine, KeyAlgorithm algorithm,
                                            bool deterministic);

repair::Result<std::string> request_pem(const X509_REQ* request);

repair::Result<ossl::X509ReqPtr> build_request(const X509* current, EVP_PKEY* key,
                                               CaVersion version, const std::string& previous_sha1,
                                               const EVP_MD* md);

repair::Result<ossl::X509Ptr> build_root_certificate(
    X509* current, EVP_PKEY* key, CaVersion version, const std::string& previous_sha1,
    const std::string& serial, std::int64_t not_before, std::int64_t not_after,
    const std::string& digest, bool deterministic);

// ---- What the CA logs (ca_events.cc), in the order a renewal logs it.

CaEvent stopped_event(const CaConfiguration& config, bool reuse_keys);
CaEvent restarted_event(const CaConfiguration& config, std::uint32_t index);

// load_ca_certificates: one event per CA certificate that does not load, then the summary.
CaEvent certificate_missing_event(std::uint32_t index, const std::string& sha1);
CaEvent key_prov_info_undecodable_event(std::uint32_t index, const repair::CertFacts& facts,
                                        const std::string& message);
CaEvent key_prov_info_missing_event(std::uint32_t index, const repair::CertFacts& facts);
// A key CryptAcquireCertificatePrivateKey could not open, with the call that failed and its
// HRESULT.
CaEvent key_open_failed_event(std::uint32_t index, const repair::CertFacts& facts,
                              const repair::KeyProvInfo& kpi, const KeyAccessResult& result);
CaEvent csp_configuration_event(const CaConfiguration& config, const LoadedCaCertificate& current);
CaEvent key_mismatch_event(std::uint32_t index, const repair::CertFacts& facts,
                           const repair::KeyProvInfo& kpi);
// `documented`: the failure is one KB 842210 describes (a CA certificate missing, or its keyset:
// NTE_BAD_KEYSET), so the event is Windows' own; otherwise certbed's, naming `hresult`.
CaEvent service_not_started_event(const CaConfiguration& config, bool documented,
                                  std::uint32_t hresult);
CaEvent not_renewed_event(const CaConfiguration& config);

// The reuse-key step's failed open: an error with reused keys, a warning with new ones (whose
// renewal does not take that step).
CaEvent key_spec_mismatch_event(const ReuseKeyFailure& failure);
CaEvent key_spec_mismatch_warning(const ReuseKeyFailure& failure);
CaEvent provider_missing_event(const std::string& provider_name);
CaEvent reuse_keys_failed_event(const CaConfiguration& config);
CaEvent key_spec_advice_event();

CaEvent container_exists_event(const std::string& container, const std::string& provider_name);
CaEvent container_created_event(const std::string& container, const std::string& provider_name,
                                KeyAlgorithm algorithm);
CaEvent request_created_event(const CaConfiguration& config, const std::string& file_name,
                              bool reuse_keys, CaVersion version, std::uint32_t current_index);
CaEvent renewed_event(const CaConfiguration& config, bool reuse_keys, CaVersion version,
                      const std::string& serial, const std::string& sha1);
CaEvent installed_event(const repair::KeyProvInfo& info, std::size_t ca_cert_hash_count);

}  // namespace certbed::emulator::renewal
