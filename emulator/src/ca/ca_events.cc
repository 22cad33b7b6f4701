// What the CA renewal emulation logs: Windows' documented event text where there is one,
// certbed's own ("certbed: ...") everywhere else, and the names of the event levels.
#include <string>

#include "ca_renewal.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

std::string_view event_level_name(CaEvent::Level level) {
  switch (level) {
    case CaEvent::Level::kError:
      return "Error";
    case CaEvent::Level::kWarning:
      return "Warning";
    case CaEvent::Level::kInformation:
      break;
  }
  return "Information";
}

std::string ca_version_string(CaVersion version) {
  return "V" + std::to_string(version.cert_index) + "." + std::to_string(version.key_index);
}

}  // namespace certbed::emulator

namespace certbed::emulator::renewal {

namespace wc = repair::wincrypt;

namespace {

CaEvent information(std::string text) {
  return {CaEvent::Level::kInformation, std::move(text), false};
}
CaEvent warning(std::string text) { return {CaEvent::Level::kWarning, std::move(text), false}; }
CaEvent error(std::string text, bool windows_text = false) {
  return {CaEvent::Level::kError, std::move(text), windows_text};
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// "2 (AT_SIGNATURE)", as certbed store prints KeySpec.
std::string key_spec_display(std::uint32_t key_spec) {
  return std::to_string(key_spec) + " (" + std::string(wc::key_spec_name(key_spec)) + ")";
}

std::string mode_text(bool reuse_keys) {
  return reuse_keys ? "with the existing key pair" : "with a new key pair";
}

std::string certificate_label(std::uint32_t index, const repair::CertFacts& facts) {
  return "CA certificate index " + std::to_string(index) + " (serial " + facts.serial +
         ", thumbprint " + facts.sha1 + ")";
}

// The Application-log event KB 842210 ("Certificate Services doesn't start") quotes when a CA
// certificate listed in CACertHash or its key cannot be loaded; the double space is Windows'.
// Event 100 per a third-party event reference; the id is not part of the text.
std::string bad_keyset_event(const std::string& ca_name) {
  return "Active Directory Certificate Services did not start: Could not load or verify the "
         "current CA certificate.  " +
         ca_name + " Keyset does not exist 0x80090016 (-2146893802 NTE_BAD_KEYSET).";
}

}  // namespace

CaEvent stopped_event(const CaConfiguration& config, bool reuse_keys) {
  return information("certbed: Active Directory Certificate Services for " +
                     quoted(config.ca_name) + " stopped to renew the CA certificate " +
                     mode_text(reuse_keys) + ".");
}

CaEvent restarted_event(const CaConfiguration& config, std::uint32_t index) {
  return information("certbed: Active Directory Certificate Services for " +
                     quoted(config.ca_name) + " started again on CA certificate index " +
                     std::to_string(index) + ".");
}

CaEvent certificate_missing_event(std::uint32_t index, const std::string& sha1) {
  return error("certbed: CA certificate index " + std::to_string(index) + " (thumbprint " + sha1 +
               ") is listed in CACertHash but is not in LocalMachine\\My. Re-add it (certutil "
               "-addstore my <CertEnroll .crt>), then link its key (certutil -repairstore my "
               "<serial>).");
}

CaEvent key_prov_info_undecodable_event(std::uint32_t index, const repair::CertFacts& facts,
                                        const std::string& message) {
  return error("certbed: " + certificate_label(index, facts) +
               " has a CERT_KEY_PROV_INFO_PROP_ID(2) that does not " + "decode: " + message);
}

CaEvent key_prov_info_missing_event(std::uint32_t index, const repair::CertFacts& facts) {
  return error("certbed: " + certificate_label(index, facts) +
               " has no CERT_KEY_PROV_INFO_PROP_ID(2): the CA cannot find its key. certutil "
               "-repairstore my \"" +
               facts.serial + "\" links it to the container holding its key.");
}

// The call of the key access layer that failed, with the message and HRESULT Windows gives.
std::string failed_call(const KeyAccessResult& result) {
  std::string call =
      result.steps.empty() ? "CryptAcquireCertificatePrivateKey" : result.steps.back().call;
  for (const auto& step : result.steps) {
    if (step.hresult == result.hresult) {
      call = step.call;
      break;
    }
  }
  const auto message = hresult_message(result.hresult);
  return call + " failed: " + (message.empty() ? "" : std::string(message) + " ") +
         certutil_hresult(result.hresult);
}

CaEvent key_open_failed_event(std::uint32_t index, const repair::CertFacts& facts,
                              const repair::KeyProvInfo& kpi, const KeyAccessResult& result) {
  return error("certbed: " + certificate_label(index, facts) + " names key container " +
               quoted(kpi.container) + " in " + quoted(kpi.provider) +
               "; CryptAcquireCertificatePrivateKey could not open it: " + failed_call(result) +
               ".");
}

CaEvent csp_configuration_event(const CaConfiguration& config, const LoadedCaCertificate& current) {
  return error("certbed: CertSvc\\Configuration\\" + config.ca_name + "\\CSP names Provider " +
               quoted(config.provider) + " (ProviderType " + std::to_string(config.provider_type) +
               "), but the key of " + certificate_label(current.index, current.stored->facts) +
               " is in " + quoted(current.provider->info().name) + " (ProviderType " +
               std::to_string(current.provider->info().type) +
               ") [inferred: CertSvc opens its key through CSP\\Provider]. Set CSP\\Provider "
               "and CSP\\ProviderType to the provider that holds the key.");
}

CaEvent key_mismatch_event(std::uint32_t index, const repair::CertFacts& facts,
                           const repair::KeyProvInfo& kpi) {
  return error("certbed: the key in container " + quoted(kpi.container) + " (" + kpi.provider +
               ") is not the key of " + certificate_label(index, facts) + ".");
}

CaEvent service_not_started_event(const CaConfiguration& config, bool documented,
                                  std::uint32_t hresult) {
  if (documented) return error(bad_keyset_event(config.ca_name), /*windows_text=*/true);
  return error(
      "certbed: Active Directory Certificate Services did not start: the current CA "
      "certificate or its key could not be loaded" +
      (hresult == hresult::S_OK ? std::string(" with this configuration")
                                : " (" + certutil_hresult(hresult) + ")") +
      ".");
}

CaEvent not_renewed_event(const CaConfiguration& config) {
  return error("certbed: the CA certificate of " + quoted(config.ca_name) +
               " was not renewed; nothing on the machine was changed.");
}

namespace {

std::string key_spec_text(const ReuseKeyFailure& failure) {
  const LoadedCaCertificate& ca = *failure.ca;
  return std::string(kReuseKeyStepName) + ": " + certificate_label(ca.index, ca.stored->facts) +
         " has KeySpec " + key_spec_display(ca.info.key_spec) +
         ", which marks a CryptoAPI key, so its key is opened through CryptoAPI; " +
         failed_call(failure.result) + ". Its key is in " + quoted(ca.info.provider) +
         " (ProviderType " + std::to_string(ca.info.provider_type) +
         "), which CryptoAPI cannot open: a CNG key must have KeySpec 0.";
}

}  // namespace

CaEvent key_spec_mismatch_event(const ReuseKeyFailure& failure) {
  return error("certbed: " + key_spec_text(failure));
}

CaEvent key_spec_mismatch_warning(const ReuseKeyFailure& failure) {
  return warning("certbed: " + key_spec_text(failure) +
                 " Renewal with the existing key pair fails until it is 0.");
}

CaEvent provider_missing_event(const std::string& provider_name) {
  return error("certbed: CSP\\Provider names " + quoted(provider_name) +
               ", which is not installed on this machine, so no new key can be made there "
               "(NCryptOpenStorageProvider fails); nothing on the machine was changed.");
}

CaEvent reuse_keys_failed_event(const CaConfiguration& config) {
  return error("certbed: renewal of the CA certificate of " + quoted(config.ca_name) +
               " with the existing key pair failed: no request was created and nothing on the "
               "machine was changed.");
}

CaEvent key_spec_advice_event() {
  return information(
      "certbed: set KeySpec = 0 on every CA certificate listed above (certutil -repairstore my "
      "\"<serial>\" KeyProv.inf), then renew again.");
}

CaEvent container_exists_event(const std::string& container, const std::string& provider_name) {
  return error("certbed: the new key's container " + quoted(container) + " already exists in " +
               quoted(provider_name) +
               "; certbed does not overwrite a key. Nothing on the machine was changed.");
}

CaEvent container_created_event(const std::string& container, const std::string& provider_name,
                                KeyAlgorithm algorithm) {
  return information("certbed: created key container " + quoted(container) + " in " +
                     quoted(provider_name) + " (" + std::string(key_algorithm_name(algorithm)) +
                     ").");
}

CaEvent request_created_event(const CaConfiguration& config, const std::string& file_name,
                              bool reuse_keys, CaVersion version, std::uint32_t current_index) {
  return information(
      "certbed: created the renewal request " + file_name + " for " + quoted(config.ca_name) + " " +
      mode_text(reuse_keys) + " (CA Version " + ca_version_string(version) +
      "). Submit it to the parent CA and install the issued certificate; until then the CA "
      "keeps CA certificate index " +
      std::to_string(current_index) + ".");
}

CaEvent renewed_event(const CaConfiguration& config, bool reuse_keys, CaVersion version,
                      const std::string& serial, const std::string& sha1) {
  return information("certbed: renewed the CA certificate of " + quoted(config.ca_name) + " " +
                     mode_text(reuse_keys) + ": CA certificate index " +
                     std::to_string(version.cert_index) + ", CA Version " +
                     ca_version_string(version) + ", serial " + serial + ", thumbprint " + sha1 +
                     ".");
}

CaEvent installed_event(const repair::KeyProvInfo& info, std::size_t ca_cert_hash_count) {
  return information("certbed: installed it in LocalMachine\\My (key container " +
                     quoted(info.container) + " in " + quoted(info.provider) + ", KeySpec " +
                     key_spec_display(info.key_spec) +
                     ") and LocalMachine\\Root; CACertHash lists " +
                     std::to_string(ca_cert_hash_count) + " certificates.");
}

}  // namespace certbed::emulator::renewal
