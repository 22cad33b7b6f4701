// The CA service (CertSvc) emulation: "Renew CA Certificate" with new or existing keys, which
// fails the way the real CA fails when its certificates or key provider metadata are wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

// CertSvc\Configuration\<CA>\CAType (certsrv.h ENUM_CATYPES).
inline constexpr std::uint32_t ENUM_ENTERPRISE_ROOTCA = 0;
inline constexpr std::uint32_t ENUM_ENTERPRISE_SUBCA = 1;
inline constexpr std::uint32_t ENUM_STANDALONE_ROOTCA = 3;
inline constexpr std::uint32_t ENUM_STANDALONE_SUBCA = 4;

struct RenewOptions {
  // certutil -renewCert ReuseKeys; in the MMC, "No" to "generate a new public and private key
  // pair". Without it a new key is made in a new container "<CA name>(<key index>)".
  bool reuse_keys = false;
  // Reproducible output: the serial is derived from the previous one and the index, new keys
  // come from the committed test-key pool (the first ones no container on the machine holds),
  // RSA signatures are PKCS#1 v1.5. Otherwise the serial is random and new keys are generated.
  // Dates never come from the wall clock (see renew_ca_certificate).
  bool deterministic = true;
};

// Why a renewal failed, for callers that act on it (tests, the CLI).
enum class RenewalFailure {
  kNone,
  kCertificateMissing,     // a CACertHash thumbprint is not in LocalMachine\My
  kKeyMissing,             // CryptAcquireCertificatePrivateKey could not open the key
  kKeyMismatch,            // it opened a key that is not the certificate's (NTE_BAD_PUBLIC_KEY)
  kConfigurationMismatch,  // CSP\Provider or CSP\ProviderType is not where the CA key is
  kKeySpecMismatch,        // reuse keys: the inferred reuse-key step could not open a CA key
  kContainerExists,        // new keys: the container "<CA name>(n)" already exists
  kProviderMissing,        // new keys: CSP\Provider names a provider that is not installed
};

struct CaEvent {
  enum class Level { kInformation, kWarning, kError };
  Level level = Level::kInformation;
  std::string text;
  // True when `text` is Windows' documented wording (event log or support article); false for
  // certbed's own description, which starts with "certbed: ".
  bool windows_text = false;

  bool operator==(const CaEvent&) const = default;
};

// "Information", "Warning", "Error", as the event log names the levels.
std::string_view event_level_name(CaEvent::Level level);

struct RenewalOutcome {
  bool succeeded = false;
  RenewalFailure failure = RenewalFailure::kNone;
  std::vector<std::uint32_t> failing_indexes;  // the CA certificate indexes that caused it
  std::vector<CaEvent> events;                 // in the order the CA would log them

  bool subordinate = false;
  // Of the certificate made (root) or requested (subordinate).
  CaVersion version;
  // Where that certificate's key lives, as property 2 says (KeySpec 0 for a KSP).
  repair::KeyProvInfo key;
  bool new_key = false;  // a new container was created (it stays, even for a subordinate)

  // Root CA: the renewed certificate, installed in LocalMachine\My and Root and appended to
  // CACertHash.
  repair::Bytes certificate_der;
  std::string certificate_sha1;
  // Subordinate CA: the PKCS#10 request for the parent CA (PEM, "NEW CERTIFICATE REQUEST"),
  // and the name Windows gives its file ("<CAServerName>_<CA name>(<cert index>).req").
  std::string request_pem;
  std::string request_file_name;
};

// Renews the machine's CA certificate the way CertSvc does.
//
// First, as the service does when it restarts (start_ca_service), every certificate in
// CACertHash (all indexes, not only the current one) must be in LocalMachine\My, and
// CryptAcquireCertificatePrivateKey (emulator/keys/key_access.h, as LocalSystem) must open the
// key its property 2 names; CSP\Provider and CSP\ProviderType must name the provider that
// holds the current key. With reuse_keys, the inferred reuse-key step then opens every CA key
// as a CryptoAPI key when its KeySpec is 1 or 2 (support article "CA certificate renewal fails
// when using a KSP provider": "all the CA certificates" need KeySpec 0); a KSP key fails there
// with NTE_BAD_PROV_TYPE. A failure is an outcome with succeeded == false and the machine left
// exactly as it was.
//
// On success the next certificate index is the CACertHash count; the key index stays with
// reused keys and becomes the certificate index with new ones. A root CA gets a self-signed
// certificate with the same subject (byte for byte), CA Version V<cert>.<key> and the Previous CA
// Certificate Hash extension, NotBefore 365 days after the current certificate's and the same
// lifetime (the real CA uses the current time and CAPolicy.inf; certbed derives dates so that
// output is reproducible). A subordinate CA gets a request; nothing is installed until the
// parent issues it, but a new key's container is created (the key must outlive the request).
//
// Errors (not outcomes) are inputs certbed cannot renew: no CA configuration, an unknown CAType
// or hash algorithm, an empty CACertHash, an exhausted test-key pool.
repair::Result<RenewalOutcome> renew_ca_certificate(Machine& machine,
                                                    const RenewOptions& options = {});

// CertSvc's start-up alone: the configuration read, every CA certificate's key opened, the
// configuration checked against the current key. `succeeded` says whether the service starts;
// the events say why not. Errors are configurations certbed cannot read (as for renewal).
repair::Result<RenewalOutcome> start_ca_service(const Machine& machine);

// The reuse-key step's name with its status, as the demo prints it.
std::string_view reuse_key_step_name();

bool is_subordinate_ca_type(std::uint32_t ca_type);
// "V1.0" as certutil renders the CA Version extension.
std::string ca_version_string(CaVersion version);
// The request file name: "<CAServerName>_<CA name>(<n>).req", "(n)" omitted for index 0.
std::string renewal_request_file_name(const CaConfiguration& config, std::uint16_t cert_index);

}  // namespace certbed::emulator
