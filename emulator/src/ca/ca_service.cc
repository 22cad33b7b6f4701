// "Renew CA Certificate" on an emulated machine: the checks CertSvc makes when it restarts for a
// renewal, then a new self-signed certificate (root) or a PKCS#10 request (subordinate).
#include "certbed/emulator/ca/ca_service.h"

#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;

namespace {

// certbed's choice, not Windows': a renewed root's NotBefore is 365 days after the current
// certificate's (Windows uses the time of renewal, which would make output irreproducible).
constexpr std::int64_t kRenewalStep = 365 * 24 * 3600;

struct LoadedCaCertificate {
  std::uint32_t index = 0;
  const StoredCertificate* stored = nullptr;
  repair::KeyProvInfo info;
  const KeyProvider* provider = nullptr;
  ossl::SharedPkey key;
};

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

// The Application-log event KB 842210 ("Certificate Services doesn't start") quotes when a CA
// certificate listed in CACertHash or its key cannot be loaded; the double space is Windows'.
// Event 100 per a third-party event reference; the id is not part of the text.
std::string bad_keyset_event(const std::string& ca_name) {
  return "Active Directory Certificate Services did not start: Could not load or verify the "
         "current CA certificate.  " +
         ca_name + " Keyset does not exist 0x80090016 (-2146893802 NTE_BAD_KEYSET).";
}

// Loads every certificate in CACertHash with its key, as CertSvc does when it starts ("it
// enumerates all the keys and certificates that have been issued to the CA", KB 842210). Every
// problem is reported, not only the first, so one run tells the whole repair.
bool load_ca_certificates(const Machine& machine, const CaConfiguration& config,
                          RenewalOutcome& out, std::vector<LoadedCaCertificate>& loaded) {
  const CertificateStore* my = machine.find_store(StoreLocation::kLocalMachine, "My");
  std::vector<CaEvent> details;
  bool documented = false;  // the failure is one KB 842210 describes (certificate or keyset)
  auto fail = [&](std::uint32_t index, RenewalFailure failure, std::string text) {
    if (out.failure == RenewalFailure::kNone) out.failure = failure;
    documented = documented || failure != RenewalFailure::kKeyMismatch;
    out.failing_indexes.push_back(index);
    details.push_back(error("certbed: " + std::move(text)));
  };
  for (std::size_t i = 0; i < config.ca_cert_hashes.size(); ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    const std::string& sha1 = config.ca_cert_hashes[i];
    const auto position = my != nullptr ? my->find_by_sha1(sha1) : std::nullopt;
    if (!position) {
      fail(index, RenewalFailure::kCertificateMissing,
           "CA certificate index " + std::to_string(index) + " (thumbprint " + sha1 +
               ") is listed in CACertHash but is not in LocalMachine\\My. Re-add it (certutil "
               "-addstore my <CertEnroll .crt>), then link its key (certutil -repairstore my "
               "<serial>).");
      continue;
    }
    const StoredCertificate& stored = my->at(*position);
    const repair::CertFacts& facts = stored.facts;
    auto info = facts.key_prov_info();
    if (!info) {
      fail(index, RenewalFailure::kKeyMissing,
           certificate_label(index, facts) + " has a CERT_KEY_PROV_INFO_PROP_ID(2) that does not " +
               "decode: " + info.error().message);
      continue;
    }
    if (!info->has_value()) {
      fail(index, RenewalFailure::kKeyMissing,
           certificate_label(index, facts) +
               " has no CERT_KEY_PROV_INFO_PROP_ID(2): the CA cannot find its key. certutil "
               "-repairstore my \"" +
               facts.serial + "\" links it to the container holding its key.");
      continue;
    }
    const repair::KeyProvInfo& kpi = **info;
    const KeyProvider* provider = machine.find_provider(kpi.provider);
    const KeyContainer* container =
        provider != nullptr ? provider->find_container(kpi.container) : nullptr;
    if (container == nullptr) {
      fail(index, RenewalFailure::kKeyMissing,
           certificate_label(index, facts) + " names key container " + quoted(kpi.container) +
               " in " + quoted(kpi.provider) + ", which " +
               (provider == nullptr ? "is not a provider on this machine" : "does not exist") +
               ".");
      continue;
    }
    // A KSP container holds one key and ignores KeySpec (so a KSP certificate with KeySpec 2
    // still loads: the CA runs; only renewal with the existing key fails).
    const std::uint32_t spec =
        provider->info().kind == ProviderKind::kKsp ? wc::AT_NONE : kpi.key_spec;
    const ContainerKey* key = container->find_key(spec);
    if (key == nullptr) {
      fail(index, RenewalFailure::kKeyMissing,
           certificate_label(index, facts) + ": key container " + quoted(kpi.container) + " in " +
               quoted(kpi.provider) + " holds no key with KeySpec " +
               key_spec_display(kpi.key_spec) + ".");
      continue;
    }
    if (public_key_id(key->key.get()) != facts.public_key_id) {
      fail(index, RenewalFailure::kKeyMismatch,
           "the key in container " + quoted(kpi.container) + " (" + kpi.provider +
               ") is not the key of " + certificate_label(index, facts) + ".");
      continue;
    }
    loaded.push_back(LoadedCaCertificate{index, &stored, kpi, provider, key->key});
  }
  if (out.failing_indexes.empty()) return true;
  if (documented) {
    out.events.push_back(error(bad_keyset_event(config.ca_name), /*windows_text=*/true));
  } else {
    out.events.push_back(
        error("certbed: Active Directory Certificate Services did not start: a CA certificate "
              "does not match its key."));
  }
  for (auto& d : details) out.events.push_back(std::move(d));
  out.events.push_back(error("certbed: the CA certificate of " + quoted(config.ca_name) +
                             " was not renewed; nothing on the machine was changed."));
  return false;
}

std::optional<std::int64_t> seconds_of(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return std::nullopt;
  return utc_seconds(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

// DER INTEGER of a non-negative value (minimal, with a leading 00 when the top bit is set).
Bytes der_integer(std::uint32_t value) {
  Bytes content;
  do {
    content.insert(content.begin(), static_cast<std::uint8_t>(value & 0xFF));
    value >>= 8;
  } while (value != 0);
  if ((content.front() & 0x80) != 0) content.insert(content.begin(), 0x00);
  Bytes out;
  out.reserve(2 + content.size());
  out.push_back(0x02);
  out.push_back(static_cast<std::uint8_t>(content.size()));
  for (std::uint8_t b : content) out.push_back(b);
  return out;
}

// DER OCTET STRING of at most 127 bytes (hashes and key identifiers).
Bytes der_octet_string(repair::ByteView content) {
  Bytes out;
  out.reserve(2 + content.size());
  out.push_back(0x04);
  out.push_back(static_cast<std::uint8_t>(content.size()));
  for (std::uint8_t b : content) out.push_back(b);
  return out;
}

Result<ossl::X509ExtPtr> raw_extension(std::string_view oid, bool critical,
                                       repair::ByteView value) {
  ossl::Asn1ObjectPtr object(OBJ_txt2obj(std::string(oid).c_str(), 1));
  ossl::Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
  if (!object || !octets ||
      ASN1_OCTET_STRING_set(octets.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return make_error(ErrorCode::kInternal, "cannot build extension " + std::string(oid));
  }
  ossl::X509ExtPtr ext(
      X509_EXTENSION_create_by_OBJ(nullptr, object.get(), critical ? 1 : 0, octets.get()));
  if (!ext) return make_error(ErrorCode::kInternal, "cannot build extension " + std::string(oid));
  return ext;
}

// CA Version (1.3.6.1.4.1.311.21.1): X509_INTEGER of a DWORD, key index in the high 16 bits.
Result<ossl::X509ExtPtr> ca_version_extension(CaVersion version) {
  const std::uint32_t dword =
      (static_cast<std::uint32_t>(version.key_index) << 16) | version.cert_index;
  return raw_extension(wc::szOID_CERTSRV_CA_VERSION, false, der_integer(dword));
}

// Previous CA Certificate Hash (1.3.6.1.4.1.311.21.2): an OCTET STRING holding the SHA-1 of the
// CA certificate being renewed. [inferred] certutil shows this extension with "Length = 16"
// (hex 22 bytes = 04 14 + 20 bytes); no specification of the encoding was found.
Result<ossl::X509ExtPtr> previous_hash_extension(const std::string& previous_sha1) {
  auto hash = repair::parse_hex(previous_sha1);
  if (!hash || hash->size() != 20) {
    return make_error(ErrorCode::kInternal, "\"" + previous_sha1 + "\" is not a SHA-1 hash");
  }
  return raw_extension(wc::szOID_CERTSRV_PREVIOUS_CERT_HASH, false, der_octet_string(*hash));
}

// The serial of the renewed root in deterministic mode: 16 bytes of SHA-256 over the previous
// serial and the new index, positive and never zero (certbed's derivation; Windows' are random).
std::string derived_serial(const std::string& previous_serial, std::uint32_t cert_index) {
  const std::string seed =
      "certbed CA renewal\n" + previous_serial + "\n" + std::to_string(cert_index);
  Bytes digest_bytes = sha256(repair::to_bytes(seed));
  digest_bytes.resize(16);
  digest_bytes[0] = static_cast<std::uint8_t>((digest_bytes[0] & 0x7F) | 0x01);
  return repair::to_hex(digest_bytes);
}

// A new key of `algorithm`: in deterministic mode the first committed pool key that no container
// on the machine holds yet, so successive renewals get distinct keys.
Result<ossl::SharedPkey> new_ca_key(const Machine& machine, KeyAlgorithm algorithm,
                                    bool deterministic) {
  if (!deterministic) {
    auto key = generate_key(algorithm);
    if (!key) return key.error();
    return ossl::share(std::move(*key));
  }
  std::set<std::string> used;
  for (const auto& [name, provider] : machine.providers()) {
    for (const auto& container : provider.containers()) {
      for (const auto& key : container.keys) used.insert(public_key_id(key.key.get()));
    }
  }
  auto pool = KeySource::deterministic();
  for (std::size_t i = 0; i < KeySource::pool_size(algorithm); ++i) {
    auto key = pool.next(algorithm);
    if (!key) return key.error();
    if (used.count(public_key_id(key->get())) == 0) return *key;
  }
  return make_error(ErrorCode::kUnsupported,
                    "every committed " + std::string(key_algorithm_name(algorithm)) +
                        " test key (fixtures/keys/) is already used on this machine; renew with "
                        "the existing key pair or without deterministic mode");
}

Result<std::string> request_pem(const X509_REQ* request) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  // "NEW CERTIFICATE REQUEST" is the header CryptBinaryToString (CRYPT_STRING_BASE64REQUESTHEADER)
  // and certreq write.
  if (!bio || PEM_write_bio_X509_REQ_NEW(bio.get(), const_cast<X509_REQ*>(request)) != 1) {
    return make_error(ErrorCode::kInternal,
                      "cannot write the request as PEM: " + ossl::last_error());
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// The subordinate's renewal request: subject and key of the CA, with the extensions the parent
// copies into the certificate. [inferred] Windows' request also carries attributes (OS version,
// CSP information, the SubCA template) that certbed leaves out.
Result<ossl::X509ReqPtr> build_request(const X509* current, EVP_PKEY* key, CaVersion version,
                                       const std::string& previous_sha1, const EVP_MD* md) {
  ossl::X509ReqPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), 0) != 1 ||
      X509_REQ_set_subject_name(request.get(), X509_get_subject_name(current)) != 1 ||
      X509_REQ_set_pubkey(request.get(), key) != 1) {
    return make_error(ErrorCode::kInternal, "cannot build the request: " + ossl::last_error());
  }
  ossl::X509ExtStackPtr extensions(sk_X509_EXTENSION_new_null());
  if (!extensions) return make_error(ErrorCode::kInternal, "out of memory");
  auto push = [&](Result<ossl::X509ExtPtr> ext) -> repair::Status {
    if (!ext) return ext.error();
    if (sk_X509_EXTENSION_push(extensions.get(), ext->get()) <= 0) {
      return make_error(ErrorCode::kInternal, "out of memory");
    }
    ext->release();  // the stack owns it now
    return {};
  };
  auto conf = [](int nid, const char* value) -> Result<ossl::X509ExtPtr> {
    ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, nullptr, nid, value));
    if (!ext)
      return make_error(ErrorCode::kInternal, "cannot build extension " + ossl::last_error());
    return ext;
  };
  auto key_id = repair::parse_hex(public_key_id(key));
  if (!key_id) return make_error(ErrorCode::kInternal, "cannot compute the key identifier");
  if (auto s = push(conf(NID_basic_constraints, "critical,CA:TRUE")); !s) return s.error();
  if (auto s = push(conf(NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign")); !s) {
    return s.error();
  }
  if (auto s = push(raw_extension("2.5.29.14", false, der_octet_string(*key_id))); !s) {
    return s.error();
  }
  if (auto s = push(ca_version_extension(version)); !s) return s.error();
  // The parent's policy module copies this one from the request (it cannot know the hash itself;
  // policy\DisableExtensionList can suppress it there).
  if (auto s = push(previous_hash_extension(previous_sha1)); !s) return s.error();
  if (X509_REQ_add_extensions(request.get(), extensions.get()) != 1 ||
      X509_REQ_sign(request.get(), key, md) <= 0) {
    return make_error(ErrorCode::kInternal, "cannot sign the request: " + ossl::last_error());
  }
  return request;
}

// The renewed root: the factory's CA profile, then the exact previous subject (the factory
// encodes names from display form; a renewed CA must keep its name byte for byte) and the
// Previous CA Certificate Hash, signed again with the CA key.
Result<ossl::X509Ptr> build_root_certificate(X509* current, EVP_PKEY* key, CaVersion version,
                                             const std::string& previous_sha1,
                                             const std::string& serial, std::int64_t not_before,
                                             std::int64_t not_after, const std::string& digest,
                                             bool deterministic) {
  CertificateSpec spec;
  spec.profile = CertificateProfile::kRootCa;
  spec.subject = DistinguishedName{{{"CN", "certbed renewal placeholder"}}};
  spec.serial_hex = serial;
  spec.not_before = not_before;
  spec.not_after = not_after;
  if (const long path_length = X509_get_pathlen(current); path_length >= 0) {
    spec.path_length = static_cast<int>(path_length);
  }
  spec.ca_version = version;
  spec.digest = digest;
  // OpenSSL's ECDSA signatures are randomized; such a CA still renews, only not reproducibly.
  const bool rsa = EVP_PKEY_is_a(key, "RSA") == 1;
  auto cert = issue_certificate(spec, key, std::nullopt, deterministic && rsa);
  if (!cert) return cert.error();
  const X509_NAME* name = X509_get_subject_name(current);
  auto previous = previous_hash_extension(previous_sha1);
  if (!previous) return previous.error();
  if (X509_set_subject_name(cert->get(), name) != 1 ||
      X509_set_issuer_name(cert->get(), name) != 1 ||
      X509_add_ext(cert->get(), previous->get(), -1) != 1 ||
      X509_sign(cert->get(), key, EVP_get_digestbyname(digest.c_str())) <= 0) {
    return make_error(ErrorCode::kInternal,
                      "cannot sign the renewed CA certificate: " + ossl::last_error());
  }
  return cert;
}

}  // namespace

bool is_subordinate_ca_type(std::uint32_t ca_type) {
  return ca_type == ENUM_ENTERPRISE_SUBCA || ca_type == ENUM_STANDALONE_SUBCA;
}

std::string ca_version_string(CaVersion version) {
  return "V" + std::to_string(version.cert_index) + "." + std::to_string(version.key_index);
}

std::string renewal_request_file_name(const CaConfiguration& config, std::uint16_t cert_index) {
  // [inferred] The shape "<Server>_<CA>(n).req" is recalled, not documented; it follows the
  // CertEnroll "<Server>_<CA>(n).crt" names KB 842210 shows. Windows uses the sanitized CA name
  // there; certbed replaces only the characters a Windows file name cannot hold ("!" and four hex
  // digits, the shape of sanitized names) and, without CAServerName, leaves out "<Server>_".
  std::string ca;
  for (char c : config.ca_name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || std::string_view("<>:\"/\\|?*").find(c) != std::string_view::npos) {
      static const char* const kHex = "0123456789abcdef";
      ca += "!00";
      ca += kHex[u >> 4];
      ca += kHex[u & 0xF];
    } else {
      ca += c;
    }
  }
  std::string name = config.server_name.empty() ? ca : config.server_name + "_" + ca;
  if (cert_index != 0) name += "(" + std::to_string(cert_index) + ")";
  return name + ".req";
}

Result<RenewalOutcome> renew_ca_certificate(Machine& machine, const RenewOptions& options) {
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
  auto digest = digest_for(config.hash_algorithm);
  if (!digest) return digest.error();

  RenewalOutcome out;
  out.subordinate = subordinate;
  out.events.push_back(
      information("certbed: Active Directory Certificate Services for " + quoted(config.ca_name) +
                  " stopped to renew the CA certificate " + mode_text(options.reuse_keys) + "."));

  std::vector<LoadedCaCertificate> loaded;
  if (!load_ca_certificates(machine, config, out, loaded)) return out;
  const LoadedCaCertificate& current = loaded.back();
  const std::uint32_t current_index = current.index;
  auto restarted = [&](std::uint32_t index) {
    return information("certbed: Active Directory Certificate Services for " +
                       quoted(config.ca_name) + " started again on CA certificate index " +
                       std::to_string(index) + ".");
  };

  // Support article "CA certificate renewal fails when using a KSP provider": with the existing
  // key pair and a KSP, every CA certificate needs KeySpec 0, or no request is offered, the
  // service restarts and renewal fails. The article gives no error text, so these are certbed's.
  std::vector<const LoadedCaCertificate*> bad_key_spec;
  for (const auto& ca : loaded) {
    if (ca.info.provider_type == wc::PROV_CNG_KSP && ca.info.key_spec != wc::AT_NONE) {
      bad_key_spec.push_back(&ca);
    }
  }
  auto key_spec_text = [](const LoadedCaCertificate& ca) {
    return certificate_label(ca.index, ca.stored->facts) + " has its key in " +
           quoted(ca.info.provider) + " (ProviderType 0, a CNG Key Storage Provider) but KeySpec " +
           key_spec_display(ca.info.key_spec) + "; a CNG key must have KeySpec 0.";
  };
  if (options.reuse_keys && !bad_key_spec.empty()) {
    out.failure = RenewalFailure::kKeySpecMismatch;
    for (const auto* ca : bad_key_spec) {
      out.failing_indexes.push_back(ca->index);
      out.events.push_back(error("certbed: " + key_spec_text(*ca)));
    }
    out.events.push_back(
        error("certbed: renewal of the CA certificate of " + quoted(config.ca_name) +
              " with the existing key pair failed: no request was created and nothing on the "
              "machine was changed."));
    out.events.push_back(restarted(current_index));
    out.events.push_back(information(
        "certbed: set KeySpec = 0 on every CA certificate listed above (certutil -repairstore my "
        "\"<serial>\" KeyProv.inf), then renew again."));
    return out;
  }
  // [unknown] Whether a new-key renewal trips over KeySpec 2 on older certificates is not
  // documented; the new key does not go through their key provider info, so it proceeds here.
  for (const auto* ca : bad_key_spec) {
    out.events.push_back(warning("certbed: " + key_spec_text(*ca) +
                                 " Renewal with the existing key pair fails until it is 0."));
  }

  const repair::CertFacts& current_facts = current.stored->facts;
  const auto cert_index = static_cast<std::uint16_t>(config.ca_cert_hashes.size());
  const auto current_key_index =
      static_cast<std::uint16_t>(current_facts.ca_version.value_or(0) >> 16);
  out.version = CaVersion{cert_index, options.reuse_keys ? current_key_index : cert_index};

  // Where the certificate's key lives: the current container, or "<CA name>(<key index>)" in
  // CSP\Provider (the index table of "Certification Authority Renewal").
  Machine staged = machine;  // all changes go to a copy, swapped in only on success
  ossl::SharedPkey key;
  repair::KeyProvInfo& info = out.key;
  if (options.reuse_keys) {
    key = current.key;
    const bool ksp = current.provider->info().kind == ProviderKind::kKsp;
    info = repair::KeyProvInfo{current.info.container,
                               current.info.provider,
                               current.provider->info().type,
                               current.info.flags,
                               ksp ? wc::AT_NONE : current.info.key_spec,
                               {}};
  } else {
    const std::string provider_name =
        config.provider.empty() ? current.info.provider : config.provider;
    const std::string container =
        config.ca_name + "(" + std::to_string(out.version.key_index) + ")";
    if (const auto* p = machine.find_provider(provider_name);
        p != nullptr && p->find_container(container) != nullptr) {
      out.failure = RenewalFailure::kContainerExists;
      out.events.push_back(
          error("certbed: the new key's container " + quoted(container) + " already exists in " +
                quoted(provider_name) +
                "; certbed does not overwrite a key. Nothing on the machine was changed."));
      out.events.push_back(restarted(current_index));
      return out;
    }
    auto algorithm = key_algorithm_of(current.key.get());
    if (!algorithm) return algorithm.error();
    auto made = new_ca_key(machine, *algorithm, options.deterministic);
    if (!made) return made.error();
    key = *made;
    // The new container's kind decides KeySpec: 0 in a KSP; in a CSP the current certificate's
    // CSP KeySpec, or AT_SIGNATURE when the CA moves from a KSP [inferred].
    const KeyProvider& provider = staged.provider(provider_name);
    const bool ksp = provider.info().kind == ProviderKind::kKsp;
    std::uint32_t key_spec = wc::AT_NONE;
    if (!ksp) {
      key_spec = current.provider->info().kind == ProviderKind::kCsp && current.info.key_spec != 0
                     ? current.info.key_spec
                     : wc::AT_SIGNATURE;
    }
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
    out.events.push_back(information("certbed: created key container " + quoted(container) +
                                     " in " + quoted(provider.info().name) + " (" +
                                     std::string(key_algorithm_name(*algorithm)) + ")."));
  }

  auto current_cert = certificate_from_der(current.stored->der);
  if (!current_cert) return current_cert.error();
  const std::string& previous_sha1 = config.ca_cert_hashes.back();

  if (subordinate) {
    auto request = build_request(current_cert->get(), key.get(), out.version, previous_sha1,
                                 EVP_get_digestbyname(digest->c_str()));
    if (!request) return request.error();
    auto pem = request_pem(request->get());
    if (!pem) return pem.error();
    out.request_pem = std::move(*pem);
    out.request_file_name = renewal_request_file_name(config, cert_index);
    out.events.push_back(information(
        "certbed: created the renewal request " + out.request_file_name + " for " +
        quoted(config.ca_name) + " " + mode_text(options.reuse_keys) + " (CA Version " +
        ca_version_string(out.version) +
        "). Submit it to the parent CA and install the issued certificate; until then the CA "
        "keeps CA certificate index " +
        std::to_string(current_index) + "."));
    out.events.push_back(restarted(current_index));
    out.succeeded = true;
    machine = std::move(staged);  // only a new key's container, if any
    return out;
  }

  const auto not_before = seconds_of(X509_get0_notBefore(current_cert->get()));
  const auto not_after = seconds_of(X509_get0_notAfter(current_cert->get()));
  if (!not_before || !not_after) {
    return make_error(ErrorCode::kParse, "the current CA certificate has an unreadable validity");
  }
  const std::string serial =
      options.deterministic ? derived_serial(current_facts.serial, cert_index) : std::string();
  auto renewed = build_root_certificate(current_cert->get(), key.get(), out.version, previous_sha1,
                                        serial, *not_before + kRenewalStep,
                                        *not_before + kRenewalStep + (*not_after - *not_before),
                                        *digest, options.deterministic);
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

  out.events.push_back(information(
      "certbed: renewed the CA certificate of " + quoted(config.ca_name) + " " +
      mode_text(options.reuse_keys) + ": CA certificate index " + std::to_string(cert_index) +
      ", CA Version " + ca_version_string(out.version) + ", serial " + my.at(*added).facts.serial +
      ", thumbprint " + out.certificate_sha1 + "."));
  out.events.push_back(information(
      "certbed: installed it in LocalMachine\\My (key container " + quoted(info.container) +
      " in " + quoted(info.provider) + ", KeySpec " + key_spec_display(info.key_spec) +
      ") and LocalMachine\\Root; CACertHash lists " +
      std::to_string(staged.ca_configuration()->ca_cert_hashes.size()) + " certificates."));
  out.events.push_back(restarted(cert_index));
  out.succeeded = true;
  machine = std::move(staged);
  return out;
}

}  // namespace certbed::emulator
