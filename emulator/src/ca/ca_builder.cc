// What a successful CA renewal makes: the next CA Version, the new key and its container, and the
// new self-signed CA certificate (root) or the PKCS#10 request for the parent (subordinate).
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <set>

#include "ca_renewal.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace {

// [inferred] Windows sanitizes the CA name in these file names; certbed replaces only the
// characters a Windows file name cannot hold ("!" and four hex digits, the shape of sanitized
// names), which include both path separators.
std::string file_name_part(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || std::string_view("<>:\"/\\|?*").find(c) != std::string_view::npos) {
      static const char* const kHex = "0123456789abcdef";
      out += "!00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string renewal_request_file_name(const CaConfiguration& config, std::uint16_t cert_index) {
  // [inferred] The shape "<Server>_<CA>(n).req" is recalled, not documented; it follows the
  // CertEnroll "<Server>_<CA>(n).crt" names KB 842210 shows. Without CAServerName "<Server>_" is
  // left out. The server name comes from the snapshot too, so it is sanitized like the CA name:
  // the result is one file name, never a path.
  const std::string ca = file_name_part(config.ca_name);
  std::string name =
      config.server_name.empty() ? ca : file_name_part(config.server_name) + "_" + ca;
  if (cert_index != 0) name += "(" + std::to_string(cert_index) + ")";
  // A name starting with "." would be hidden on POSIX (and "..." reads like a parent folder).
  if (name.empty() || name.front() == '.') name.insert(0, "_");
  return name + ".req";
}

}  // namespace certbed::emulator

namespace certbed::emulator::renewal {

namespace wc = repair::wincrypt;
using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::Result;

CaVersion next_ca_version(const CaConfiguration& config, const repair::CertFacts& current,
                          bool reuse_keys) {
  const auto cert_index = static_cast<std::uint16_t>(config.ca_cert_hashes.size());
  const auto current_key_index = static_cast<std::uint16_t>(current.ca_version.value_or(0) >> 16);
  return CaVersion{cert_index, reuse_keys ? current_key_index : cert_index};
}

std::string new_key_container_name(const CaConfiguration& config, std::uint16_t key_index) {
  return config.ca_name + "(" + std::to_string(key_index) + ")";
}

std::uint32_t new_key_spec(const KeyProvider& provider, const LoadedCaCertificate& current) {
  // The new container's kind decides KeySpec: 0 in a KSP; in a CSP the current certificate's
  // CSP KeySpec, or AT_SIGNATURE when the CA moves from a KSP [inferred].
  const bool ksp = provider.info().kind == ProviderKind::kKsp;
  std::uint32_t key_spec = wc::AT_NONE;
  if (!ksp) {
    key_spec =
        current.provider->info().kind == ProviderKind::kCsp && current.info.key_spec != wc::AT_NONE
            ? current.info.key_spec
            : wc::AT_SIGNATURE;
  }
  return key_spec;
}

repair::KeyProvInfo reused_key_prov_info(const LoadedCaCertificate& current) {
  // A KSP ignores KeySpec; property 2 of the renewed certificate says 0 there.
  const bool ksp = current.provider->info().kind == ProviderKind::kKsp;
  return repair::KeyProvInfo{current.info.container,
                             current.info.provider,
                             current.provider->info().type,
                             current.info.flags,
                             ksp ? wc::AT_NONE : current.info.key_spec,
                             {}};
}

std::optional<std::int64_t> seconds_of(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return std::nullopt;
  return utc_seconds(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

namespace {

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

}  // namespace

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
    static_cast<void>(ext->release());  // the stack owns it now
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

}  // namespace certbed::emulator::renewal
