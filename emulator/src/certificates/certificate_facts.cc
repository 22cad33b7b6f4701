// Facts and derived properties of a certificate, computed from its DER as Windows does.
#include "certbed/emulator/certificates/certificate_facts.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <ctime>
#include <utility>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;

namespace {

std::string windows_attribute(int nid) {
  switch (nid) {
    case NID_stateOrProvinceName:
      return "S";
    case NID_pkcs9_emailAddress:
      return "E";
    case NID_domainComponent:
      return "DC";
    default:
      break;
  }
  const char* sn = OBJ_nid2sn(nid);
  return sn != nullptr ? sn : "";
}

std::string display_name(const X509_NAME* name) {
  DistinguishedName dn;
  const int count = X509_NAME_entry_count(name);
  for (int i = count - 1; i >= 0; --i) {  // most specific (last encoded) first
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
    std::string type = windows_attribute(OBJ_obj2nid(obj));
    if (type.empty() || type == "UNDEF") {
      char oid[128] = {};
      OBJ_obj2txt(oid, sizeof(oid), obj, 1);
      type = oid;
    }
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    std::string value;
    if (len >= 0) value.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    dn.attributes.push_back({std::move(type), std::move(value)});
  }
  return dn.to_string();
}

std::string iso_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The serial as its DER content octets (a leading 00 kept when DER has one).
std::string serial_hex(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_INTEGER(serial, &der);
  std::string out;
  if (len > 2) {
    // Skip tag and (short or long form) length.
    std::size_t header = 2;
    if (der[1] & 0x80) header += der[1] & 0x7F;
    if (header < static_cast<std::size_t>(len)) {
      out = repair::to_hex(repair::ByteView(der + header, static_cast<std::size_t>(len) - header));
    }
  }
  OPENSSL_free(der);
  return out;
}

// Reads one DER header at `pos`; returns the header length and sets `content_len`.
std::size_t der_header(repair::ByteView der, std::size_t pos, std::size_t& content_len) {
  if (der.size() - pos < 2) return 0;
  const std::uint8_t first = der[pos + 1];
  if ((first & 0x80) == 0) {
    content_len = first;
    return 2;
  }
  const std::size_t n = first & 0x7F;
  if (n == 0 || n > 4 || der.size() - pos < 2 + n) return 0;
  content_len = 0;
  for (std::size_t i = 0; i < n; ++i) content_len = (content_len << 8) | der[pos + 2 + i];
  return 2 + n;
}

// The TBSCertificate exactly as encoded (the first element of the outer SEQUENCE).
Result<Bytes> tbs_der(repair::ByteView der) {
  std::size_t outer_len = 0;
  const std::size_t outer = der_header(der, 0, outer_len);
  std::size_t tbs_len = 0;
  const std::size_t tbs = outer == 0 ? 0 : der_header(der, outer, tbs_len);
  if (tbs == 0 || der.size() - outer - tbs < tbs_len) {
    return make_error(ErrorCode::kParse, "cannot locate TBSCertificate");
  }
  return Bytes(der.begin() + static_cast<std::ptrdiff_t>(outer),
               der.begin() + static_cast<std::ptrdiff_t>(outer + tbs + tbs_len));
}

const EVP_MD* signature_digest(const X509* cert) {
  int md_nid = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, nullptr) != 1 ||
      md_nid == NID_undef) {
    return EVP_sha1();
  }
  const EVP_MD* md = EVP_get_digestbynid(md_nid);
  if (md == nullptr) return EVP_sha1();
  if (is_prefetched_digest(md)) return md;
  // OpenSSL 3 knows digests no loaded provider implements (MD4, MD2, MDC2 live in the legacy
  // provider); hashing with one fails, so a certificate signed "md4WithRSAEncryption" is
  // treated like one with an unknown algorithm.
  EVP_MD* usable = EVP_MD_fetch(nullptr, EVP_MD_get0_name(md), nullptr);
  if (usable == nullptr) {
    ERR_clear_error();
    return EVP_sha1();
  }
  EVP_MD_free(usable);
  return md;
}

}  // namespace

Result<repair::CertFacts> decode_certificate_facts(repair::ByteView der) {
  auto parsed = certificate_from_der(der);
  if (!parsed) return parsed.error();
  return certificate_facts(parsed->get(), der);
}

Result<repair::CertFacts> certificate_facts(X509* cert, repair::ByteView der) {
  repair::CertFacts facts;
  facts.serial = serial_hex(cert);
  facts.subject = display_name(X509_get_subject_name(cert));
  facts.issuer = display_name(X509_get_issuer_name(cert));
  facts.not_before = iso_time(X509_get0_notBefore(cert));
  facts.not_after = iso_time(X509_get0_notAfter(cert));
  facts.sha1 = repair::to_hex(sha1(der));
  facts.md5 = repair::to_hex(md5(der));
  facts.sha256 = repair::to_hex(sha256(der));
  auto tbs = tbs_der(der);
  if (!tbs) return tbs.error();
  facts.signature_hash = repair::to_hex(digest(signature_digest(cert), *tbs));
  if (const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert)) {
    facts.public_key_id = repair::to_hex(sha1(repair::ByteView(
        ASN1_STRING_get0_data(bits), static_cast<std::size_t>(ASN1_STRING_length(bits)))));
  }
  facts.is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;

  ossl::ExtKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  if (eku) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
      char oid[128] = {};
      OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku.get(), i), 1);
      facts.ekus.emplace_back(oid);
    }
  }

  ossl::Asn1ObjectPtr ca_version_oid(
      OBJ_txt2obj(std::string(repair::wincrypt::szOID_CERTSRV_CA_VERSION).c_str(), 1));
  const int at = X509_get_ext_by_OBJ(cert, ca_version_oid.get(), -1);
  if (at >= 0) {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(cert, at));
    const unsigned char* p = ASN1_STRING_get0_data(value);
    ossl::Asn1IntegerPtr version(d2i_ASN1_INTEGER(nullptr, &p, ASN1_STRING_length(value)));
    std::uint64_t v = 0;
    if (version && ASN1_INTEGER_get_uint64(&v, version.get()) == 1 && v <= 0xFFFFFFFFu) {
      facts.ca_version = static_cast<std::uint32_t>(v);
    }
  }

  ossl::Asn1ObjectPtr template_oid(
      OBJ_txt2obj(std::string(repair::wincrypt::szOID_ENROLL_CERTTYPE_EXTENSION).c_str(), 1));
  if (const int t = X509_get_ext_by_OBJ(cert, template_oid.get(), -1); t >= 0) {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(cert, t));
    const unsigned char* p = ASN1_STRING_get0_data(value);
    ossl::Asn1StringPtr bmp(d2i_ASN1_BMPSTRING(nullptr, &p, ASN1_STRING_length(value)));
    unsigned char* utf8 = nullptr;
    const int len = bmp ? ASN1_STRING_to_UTF8(&utf8, bmp.get()) : -1;
    if (len >= 0)
      facts.template_name.assign(reinterpret_cast<const char*>(utf8),
                                 static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
  }
  return facts;
}

Result<std::vector<repair::PropertyEntry>> derived_properties(repair::ByteView der) {
  auto parsed = certificate_from_der(der);
  if (!parsed) return parsed.error();
  return derived_properties(parsed->get(), der);
}

Result<std::vector<repair::PropertyEntry>> derived_properties(X509* cert, repair::ByteView der) {
  std::vector<repair::PropertyEntry> out;
  out.push_back({PropertyId::CERT_SHA1_HASH_PROP_ID, sha1(der)});

  // Windows takes the key identifier from the Subject Key Identifier extension when there is
  // one, else hashes the public key.
  Bytes key_id;
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert)) {
    key_id.assign(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
  } else if (const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert)) {
    key_id = sha1(repair::ByteView(ASN1_STRING_get0_data(bits),
                                   static_cast<std::size_t>(ASN1_STRING_length(bits))));
  }
  out.push_back({PropertyId::CERT_KEY_IDENTIFIER_PROP_ID, std::move(key_id)});

  // Real dumps show a 32-byte signature hash for sha256RSA certificates: the TBSCertificate
  // hashed with the signature's digest [inferred from dumps/03].
  auto tbs = tbs_der(der);
  if (!tbs) return tbs.error();
  out.push_back({PropertyId::CERT_SIGNATURE_HASH_PROP_ID, digest(signature_digest(cert), *tbs)});
  out.push_back({PropertyId::CERT_MD5_HASH_PROP_ID, md5(der)});
  return out;
}

bool stored_hash_disagrees(const repair::PropertyEntry& entry, const repair::CertFacts& facts) {
  // Each stored hash property beside the CertFacts field computed from the DER.
  static constexpr std::pair<PropertyId, std::string repair::CertFacts::*> kHashes[] = {
      {PropertyId::CERT_SHA1_HASH_PROP_ID, &repair::CertFacts::sha1},
      {PropertyId::CERT_MD5_HASH_PROP_ID, &repair::CertFacts::md5},
      {PropertyId::CERT_SIGNATURE_HASH_PROP_ID, &repair::CertFacts::signature_hash},
      {PropertyId::CERT_SHA256_HASH_PROP_ID, &repair::CertFacts::sha256},
  };
  for (const auto& [id, field] : kHashes) {
    if (entry.id == id) return repair::to_hex(entry.value) != facts.*field;
  }
  return false;
}

}  // namespace certbed::emulator
