// Issuing real X.509 v3 certificates with OpenSSL: roots, subordinate CAs, end entities.
#include "certbed/emulator/certificates/certificate_factory.h"

#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

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
using repair::Status;

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

// A DER TLV; `content` is already encoded.
Bytes der_tlv(std::uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    Bytes len;
    for (std::size_t v = n; v != 0; v >>= 8) len.insert(len.begin(), static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(0x80 | len.size()));
    out.insert(out.end(), len.begin(), len.end());
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Result<Bytes> der_oid(const std::string& oid) {
  if (!is_dotted_oid(oid)) {
    return make_error(ErrorCode::kInvalidArgument, "\"" + oid + "\" is not a dotted OID");
  }
  ossl::Asn1ObjectPtr object(OBJ_txt2obj(oid.c_str(), 1));
  if (!object) return make_error(ErrorCode::kInvalidArgument, "bad OID " + oid);
  return ossl::i2d_bytes(object.get(), i2d_ASN1_OBJECT);
}

Bytes der_integer(long value) {
  ossl::Asn1IntegerPtr integer(ASN1_INTEGER_new());
  ASN1_INTEGER_set(integer.get(), value);
  return ossl::i2d_bytes(integer.get(), i2d_ASN1_INTEGER);
}

Result<ossl::X509ExtPtr> bytes_extension(std::string_view oid, const char* what, const Bytes& der) {
  return der_extension(oid, what, [&](unsigned char** out) {
    *out = static_cast<unsigned char*>(OPENSSL_memdup(der.data(), der.size()));
    return *out ? static_cast<int>(der.size()) : -1;
  });
}

GENERAL_NAME* uri_name(const std::string& url) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  ASN1_STRING_set(text, url.data(), static_cast<int>(url.size()));
  GENERAL_NAME_set0_value(name, GEN_URI, text);
  return name;
}

bool is_url_text(const std::string& url) {
  if (url.empty()) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7F) return false;  // IA5, and spaces escaped as AD CS stores them
  }
  return true;
}

Result<ossl::X509ExtPtr> crl_distribution_points(const std::vector<std::string>& urls) {
  DIST_POINT* point = DIST_POINT_new();
  point->distpoint = DIST_POINT_NAME_new();
  point->distpoint->type = 0;  // fullName
  point->distpoint->name.fullname = GENERAL_NAMES_new();
  for (const auto& url : urls) sk_GENERAL_NAME_push(point->distpoint->name.fullname, uri_name(url));
  STACK_OF(DIST_POINT)* points = sk_DIST_POINT_new_null();
  sk_DIST_POINT_push(points, point);
  ossl::X509ExtPtr ext(X509V3_EXT_i2d(NID_crl_distribution_points, 0, points));
  sk_DIST_POINT_pop_free(points, DIST_POINT_free);
  if (!ext) return make_error(ErrorCode::kInternal, "cannot build CRL Distribution Points");
  return ext;
}

Result<ossl::X509ExtPtr> authority_info_access(const std::vector<std::string>& ca_issuers,
                                               const std::vector<std::string>& ocsp) {
  AUTHORITY_INFO_ACCESS* access = AUTHORITY_INFO_ACCESS_new();
  auto add = [&](int method, const std::string& url) {
    ACCESS_DESCRIPTION* description = ACCESS_DESCRIPTION_new();
    ASN1_OBJECT_free(description->method);
    description->method = OBJ_nid2obj(method);
    GENERAL_NAME_free(description->location);
    description->location = uri_name(url);
    sk_ACCESS_DESCRIPTION_push(access, description);
  };
  for (const auto& url : ca_issuers) add(NID_ad_ca_issuers, url);
  for (const auto& url : ocsp) add(NID_ad_OCSP, url);
  ossl::X509ExtPtr ext(X509V3_EXT_i2d(NID_info_access, 0, access));
  AUTHORITY_INFO_ACCESS_free(access);
  if (!ext) return make_error(ErrorCode::kInternal, "cannot build Authority Information Access");
  return ext;
}

// Certificate Policies and Application Policies share the PolicyInformation syntax.
Result<Bytes> policies_der(const std::vector<CertificateSpec::CertificatePolicy>& policies) {
  Bytes content;
  for (const auto& policy : policies) {
    auto oid = der_oid(policy.oid);
    if (!oid) return oid.error();
    Bytes info = *oid;
    if (!policy.cps_url.empty()) {
      Bytes url(policy.cps_url.begin(), policy.cps_url.end());
      auto cps = der_oid("1.3.6.1.5.5.7.2.1");  // id-qt-cps
      Bytes qualifier = *cps;
      const Bytes ia5 = der_tlv(0x16, url);
      qualifier.insert(qualifier.end(), ia5.begin(), ia5.end());
      const Bytes one = der_tlv(0x30, qualifier);
      const Bytes all = der_tlv(0x30, one);
      info.insert(info.end(), all.begin(), all.end());
    }
    const Bytes seq = der_tlv(0x30, info);
    content.insert(content.end(), seq.begin(), seq.end());
  }
  return der_tlv(0x30, content);
}

Result<ossl::X509ExtPtr> template_info_extension(const CertificateSpec::TemplateInfo& info) {
  auto oid = der_oid(info.oid);
  if (!oid) return oid.error();
  Bytes content = *oid;
  for (long v : {info.major_version, info.minor_version}) {
    const Bytes n = der_integer(v);
    content.insert(content.end(), n.begin(), n.end());
  }
  return bytes_extension(repair::wincrypt::szOID_CERTIFICATE_TEMPLATE, "the v2 template extension",
                         der_tlv(0x30, content));
}

Result<ossl::X509ExtPtr> smime_capabilities_extension() {
  // SEQUENCE OF SMIMECapability {capabilityID, parameters}: RC2 and RC4 with a 128-bit key length
  // parameter, then DES-CBC and 3DES-CBC without one.
  const std::pair<const char*, long> kCapabilities[] = {{"1.2.840.113549.3.2", 128},
                                                        {"1.2.840.113549.3.4", 128},
                                                        {"1.3.14.3.2.7", 0},
                                                        {"1.2.840.113549.3.7", 0}};
  Bytes content;
  for (const auto& [oid, bits] : kCapabilities) {
    Bytes capability = *der_oid(oid);
    if (bits != 0) {
      const Bytes n = der_integer(bits);
      capability.insert(capability.end(), n.begin(), n.end());
    }
    const Bytes seq = der_tlv(0x30, capability);
    content.insert(content.end(), seq.begin(), seq.end());
  }
  return bytes_extension("1.2.840.113549.1.9.15", "SMIME Capabilities", der_tlv(0x30, content));
}

// The extensions an enterprise CA adds (see CertificateSpec), in the order they are listed there.
Status add_enterprise_extensions(X509* cert, const CertificateSpec& spec) {
  std::vector<ossl::X509ExtPtr> extensions;
  auto push = [&](Result<ossl::X509ExtPtr> ext) -> Status {
    if (!ext) return ext.error();
    extensions.push_back(std::move(*ext));
    return {};
  };
  for (const auto* urls : {&spec.crl_urls, &spec.ca_issuer_urls, &spec.ocsp_urls}) {
    for (const auto& url : *urls) {
      if (!is_url_text(url)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "URL \"" + url + "\" must be printable ASCII without spaces");
      }
    }
  }
  if (!spec.crl_urls.empty()) {
    if (auto s = push(crl_distribution_points(spec.crl_urls)); !s) return s;
  }
  if (!spec.ca_issuer_urls.empty() || !spec.ocsp_urls.empty()) {
    if (auto s = push(authority_info_access(spec.ca_issuer_urls, spec.ocsp_urls)); !s) return s;
  }
  if (spec.template_info) {
    if (auto s = push(template_info_extension(*spec.template_info)); !s) return s;
  }
  if (!spec.application_policies.empty()) {
    std::vector<CertificateSpec::CertificatePolicy> policies;
    for (const auto& oid : spec.application_policies) policies.push_back({oid, ""});
    auto der = policies_der(policies);
    if (!der) return der.error();
    if (auto s = push(bytes_extension(repair::wincrypt::szOID_APPLICATION_CERT_POLICIES,
                                      "Application Policies", *der));
        !s)
      return s;
  }
  if (!spec.certificate_policies.empty()) {
    auto der = policies_der(spec.certificate_policies);
    if (!der) return der.error();
    if (auto s = push(bytes_extension("2.5.29.32", "Certificate Policies", *der)); !s) return s;
  }
  if (spec.smime_capabilities) {
    if (auto s = push(smime_capabilities_extension()); !s) return s;
  }
  for (const auto& ext : extensions) X509_add_ext(cert, ext.get(), -1);
  return {};
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
  if (!spec.dns_names.empty() || !spec.user_principal_name.empty()) {
    std::string san;
    if (!spec.user_principal_name.empty()) {
      // OpenSSL's configuration syntax separates names with commas.
      if (spec.user_principal_name.find_first_of(",\n") != std::string::npos) {
        return make_error(ErrorCode::kInvalidArgument, "user principal name \"" +
                                                           spec.user_principal_name +
                                                           "\" holds a comma or a line break");
      }
      san = "otherName:" + std::string(repair::wincrypt::szOID_NT_PRINCIPAL_NAME) +
            ";UTF8:" + spec.user_principal_name;
    }
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
  if (is_ca && !spec.without_ca_version) {
    auto ext = ca_version_extension(spec.ca_version.value_or(CaVersion{}));
    if (!ext) return ext.error();
    X509_add_ext(cert.get(), ext->get(), -1);
  }
  if (auto s = add_enterprise_extensions(cert.get(), spec); !s) return s.error();

  if (X509_sign(cert.get(), const_cast<EVP_PKEY*>(signing_key), md) <= 0) {
    return make_error(ErrorCode::kInternal, "signing failed: " + ossl::last_error());
  }
  return cert;
}

Bytes certificate_der(const X509* certificate) { return ossl::i2d_bytes(certificate, i2d_X509); }

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
