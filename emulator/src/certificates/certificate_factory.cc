// Issuing real X.509 v3 certificates with OpenSSL: roots, subordinate CAs, end entities.
#include "certbed/emulator/certificates/certificate_factory.h"

#include <openssl/objects.h>
#include <openssl/rand.h>

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::Result;

namespace {

// Sets the certificate's SubjectPublicKeyInfo. OpenSSL 3.0's X509_set_pubkey encodes the key
// through the provider encoders and decodes it back, which costs more than an RSA signature;
// stores are built from a small key pool, so each key's encoding is made once and copied. The
// cache holds a reference to each key, so a key's address cannot be reused while cached.
bool set_public_key(X509* cert, EVP_PKEY* key) {
  struct Cached {
    ossl::SharedPkey key;
    ossl::X509PubkeyPtr encoded;
  };
  static std::mutex mutex;
  static std::unordered_map<const EVP_PKEY*, Cached> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    X509_PUBKEY* encoded = nullptr;
    if (X509_PUBKEY_set(&encoded, key) != 1) return false;
    if (cache.size() >= 4096) cache.clear();  // bounded: pools are far smaller
    EVP_PKEY_up_ref(key);
    it = cache
             .emplace(key,
                      Cached{ossl::SharedPkey(key, EVP_PKEY_free), ossl::X509PubkeyPtr(encoded)})
             .first;
  }
  ASN1_OBJECT* algorithm = nullptr;
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(&algorithm, &bits, &bits_len, &algor, it->second.encoded.get()) != 1) {
    return false;
  }
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(nullptr, &param_type, &param, algor);
  // RSA keys carry a NULL parameter, EC keys their curve's OID; nothing else is emulated.
  void* param_copy = nullptr;
  if (param_type == V_ASN1_OBJECT) {
    param_copy = OBJ_dup(static_cast<const ASN1_OBJECT*>(param));
  } else if (param_type != V_ASN1_NULL && param_type != V_ASN1_UNDEF) {
    return X509_set_pubkey(cert, key) == 1;
  }
  auto* bits_copy =
      static_cast<unsigned char*>(OPENSSL_memdup(bits, static_cast<std::size_t>(bits_len)));
  ASN1_OBJECT* algorithm_copy = OBJ_dup(algorithm);
  if (bits_copy == nullptr || algorithm_copy == nullptr) return false;
  return X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), algorithm_copy, param_type, param_copy,
                                bits_copy, bits_len) == 1;
}

// Windows' attribute labels to OpenSSL's short names.
std::string openssl_attribute(const std::string& type) {
  if (type == "S") return "ST";
  if (type == "E") return "emailAddress";
  return type;
}

Result<ossl::X509NamePtr> encode_name(const DistinguishedName& dn) {
  ossl::X509NamePtr name(X509_NAME_new());
  for (auto it = dn.attributes.rbegin(); it != dn.attributes.rend(); ++it) {
    const std::string field = openssl_attribute(it->type);
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(it->value.data()),
                                   static_cast<int>(it->value.size()), -1, 0) != 1) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "cannot encode name attribute " + it->type + "=" + it->value + ": " + ossl::last_error());
    }
  }
  return name;
}

Result<ossl::X509ExtPtr> conf_extension(X509V3_CTX* ctx, int nid, const std::string& value) {
  ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) {
    return make_error(ErrorCode::kInvalidArgument, std::string("cannot build extension ") +
                                                       OBJ_nid2sn(nid) + "=" + value + ": " +
                                                       ossl::last_error());
  }
  return ext;
}

// A non-critical extension `oid` whose value is the DER that `encode` writes into `*der` (an
// i2d function's result); `what` names it in errors.
template <typename Encode>
Result<ossl::X509ExtPtr> der_extension(std::string_view oid_text, const char* what, Encode encode) {
  unsigned char* der = nullptr;
  const int len = encode(&der);
  if (len <= 0) return make_error(ErrorCode::kInternal, std::string("cannot encode ") + what);
  ossl::Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(octets.get(), der, len);
  OPENSSL_free(der);
  ossl::Asn1ObjectPtr oid(OBJ_txt2obj(std::string(oid_text).c_str(), 1));
  ossl::X509ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, octets.get()));
  if (!ext) return make_error(ErrorCode::kInternal, std::string("cannot build ") + what);
  return ext;
}

Result<ossl::X509ExtPtr> ca_version_extension(CaVersion version) {
  // X509_INTEGER of a DWORD: low 16 bits certificate index, high 16 bits key index.
  ossl::Asn1IntegerPtr value(ASN1_INTEGER_new());
  const long dword = (static_cast<long>(version.key_index) << 16) | version.cert_index;
  ASN1_INTEGER_set(value.get(), dword);
  return der_extension(repair::wincrypt::szOID_CERTSRV_CA_VERSION, "the CA Version extension",
                       [&](unsigned char** der) { return i2d_ASN1_INTEGER(value.get(), der); });
}

// The v1 template extension: the name as a BMPString (UTF-16BE).
Result<ossl::X509ExtPtr> template_name_extension(const std::string& name) {
  auto utf16le = repair::utf8_to_utf16le(name);
  if (!utf16le) return make_error(ErrorCode::kInvalidArgument, "template name is not UTF-8");
  std::string utf16be;
  for (std::size_t i = 0; i + 1 < utf16le->size(); i += 2) {
    utf16be += static_cast<char>((*utf16le)[i + 1]);
    utf16be += static_cast<char>((*utf16le)[i]);
  }
  ossl::Asn1StringPtr bmp(ASN1_STRING_type_new(V_ASN1_BMPSTRING));
  ASN1_STRING_set(bmp.get(), utf16be.data(), static_cast<int>(utf16be.size()));
  return der_extension(repair::wincrypt::szOID_ENROLL_CERTTYPE_EXTENSION,
                       "the template name extension",
                       [&](unsigned char** der) { return i2d_ASN1_BMPSTRING(bmp.get(), der); });
}

bool is_dns_label_text(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '*';
    if (!ok) return false;
  }
  return true;
}

bool is_dotted_oid(const std::string& oid) {
  if (oid.empty() || oid.front() == '.' || oid.back() == '.') return false;
  for (char c : oid) {
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  }
  return oid.find("..") == std::string::npos;
}

}  // namespace

std::string DistinguishedName::to_string() const {
  std::string out;
  for (const auto& a : attributes) {
    if (!out.empty()) out += ", ";
    out += a.type + "=";
    // CertNameToStr quotes values holding separators or edge spaces, doubling inner quotes.
    const bool quote = a.value.find_first_of(",+=\"\n<>#;") != std::string::npos ||
                       (!a.value.empty() && (a.value.front() == ' ' || a.value.back() == ' '));
    if (!quote) {
      out += a.value;
      continue;
    }
    out += '"';
    for (char c : a.value) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

std::int64_t utc_seconds(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  const sys_days date =
      year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  return duration_cast<seconds>(date.time_since_epoch()).count() + std::int64_t{hour} * 3600 +
         std::int64_t{minute} * 60 + second;
}

Result<ossl::X509Ptr> issue_certificate(const CertificateSpec& spec, const EVP_PKEY* subject_key,
                                        std::optional<IssuerRef> issuer, bool deterministic) {
  if (subject_key == nullptr) return make_error(ErrorCode::kInvalidArgument, "no subject key");
  if (spec.subject.attributes.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a certificate needs a subject name");
  }
  if (spec.not_after <= spec.not_before) {
    return make_error(ErrorCode::kInvalidArgument, "NotAfter must be later than NotBefore");
  }
  if (issuer && (issuer->certificate == nullptr || issuer->key == nullptr)) {
    return make_error(ErrorCode::kInvalidArgument, "an issuer needs its certificate and key");
  }
  const EVP_PKEY* signing_key = issuer ? issuer->key : subject_key;
  if (deterministic && !EVP_PKEY_is_a(signing_key, "RSA")) {
    return make_error(ErrorCode::kUnsupported,
                      "deterministic mode signs with RSA keys only: OpenSSL 3.0 ECDSA signatures "
                      "are randomized, so the certificate would change between runs");
  }
  const EVP_MD* md = EVP_get_digestbyname(spec.digest.c_str());
  if (md == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "unknown digest \"" + spec.digest + "\"");
  }

  ossl::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);

  Bytes serial;
  if (spec.serial_hex.empty()) {
    if (deterministic) {
      return make_error(ErrorCode::kInvalidArgument, "deterministic mode needs a fixed serial");
    }
    serial.resize(16);
    if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) {
      return make_error(ErrorCode::kInternal, "no randomness for the serial number");
    }
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7F) | 0x01);  // positive, 16 bytes
  } else {
    auto parsed = repair::parse_hex(spec.serial_hex);
    if (!parsed || parsed->empty() || parsed->size() > 20 || (*parsed)[0] >= 0x80) {
      return make_error(ErrorCode::kInvalidArgument,
                        "serial \"" + spec.serial_hex +
                            "\" must be 1..20 bytes of hex with the first byte below 0x80");
    }
    serial = std::move(*parsed);
  }
  ossl::BignumPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  ossl::Asn1IntegerPtr serial_int(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  X509_set_serialNumber(cert.get(), serial_int.get());

  auto subject = encode_name(spec.subject);
  if (!subject) return subject.error();
  X509_set_subject_name(cert.get(), subject->get());
  X509_set_issuer_name(cert.get(),
                       issuer ? X509_get_subject_name(issuer->certificate) : subject->get());

  ossl::Asn1TimePtr not_before(ASN1_TIME_set(nullptr, static_cast<time_t>(spec.not_before)));
  ossl::Asn1TimePtr not_after(ASN1_TIME_set(nullptr, static_cast<time_t>(spec.not_after)));
  if (!not_before || !not_after) return make_error(ErrorCode::kInvalidArgument, "bad validity");
  X509_set1_notBefore(cert.get(), not_before.get());
  X509_set1_notAfter(cert.get(), not_after.get());
  if (!set_public_key(cert.get(), const_cast<EVP_PKEY*>(subject_key))) {
    return make_error(ErrorCode::kInternal, "cannot set the public key: " + ossl::last_error());
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? const_cast<X509*>(issuer->certificate) : cert.get(), cert.get(),
                 nullptr, nullptr, 0);

  const bool is_ca = spec.profile != CertificateProfile::kEndEntity;
  std::vector<std::pair<int, std::string>> conf;
  std::string basic = is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (is_ca && spec.path_length) basic += ",pathlen:" + std::to_string(*spec.path_length);
  conf.emplace_back(NID_basic_constraints, basic);
  std::string usage;
  if (spec.key_usage.empty()) {
    usage = is_ca ? "critical,digitalSignature,keyCertSign,cRLSign"
                  : "critical,digitalSignature,keyEncipherment";
  } else {
    usage = "critical";
    for (const auto& u : spec.key_usage) usage += "," + u;
  }
  conf.emplace_back(NID_key_usage, usage);
  if (!spec.ekus.empty()) {
    std::string ekus;
    for (const auto& oid : spec.ekus) {
      if (!is_dotted_oid(oid)) {
        return make_error(ErrorCode::kInvalidArgument, "EKU \"" + oid + "\" is not a dotted OID");
      }
      ekus += (ekus.empty() ? "" : ",") + oid;
    }
    conf.emplace_back(NID_ext_key_usage, ekus);
  }
  if (!spec.dns_names.empty()) {
    std::string san;
    for (const auto& dns : spec.dns_names) {
      if (!is_dns_label_text(dns)) {
        return make_error(ErrorCode::kInvalidArgument, "\"" + dns + "\" is not a DNS name");
      }
      san += (san.empty() ? "DNS:" : ",DNS:") + dns;
    }
    conf.emplace_back(NID_subject_alt_name, san);
  }
  conf.emplace_back(NID_subject_key_identifier, "hash");
  if (issuer) conf.emplace_back(NID_authority_key_identifier, "keyid:always");
  for (const auto& [nid, value] : conf) {
    auto ext = conf_extension(&ctx, nid, value);
    if (!ext) return ext.error();
    X509_add_ext(cert.get(), ext->get(), -1);
  }
  if (!spec.template_name.empty()) {
    auto ext = template_name_extension(spec.template_name);
    if (!ext) return ext.error();
    X509_add_ext(cert.get(), ext->get(), -1);
  }
  if (is_ca) {
    auto ext = ca_version_extension(spec.ca_version.value_or(CaVersion{}));
    if (!ext) return ext.error();
    X509_add_ext(cert.get(), ext->get(), -1);
  }

  if (X509_sign(cert.get(), const_cast<EVP_PKEY*>(signing_key), md) <= 0) {
    return make_error(ErrorCode::kInternal, "signing failed: " + ossl::last_error());
  }
  return cert;
}

Bytes certificate_der(const X509* certificate) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(certificate, &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<ossl::X509Ptr> certificate_from_der(repair::ByteView der) {
  const unsigned char* p = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    return make_error(ErrorCode::kParse, "not a DER X.509 certificate: " + ossl::last_error());
  }
  if (p != der.data() + der.size()) {
    return make_error(ErrorCode::kParse, "trailing bytes after the DER certificate");
  }
  return cert;
}

}  // namespace certbed::emulator
