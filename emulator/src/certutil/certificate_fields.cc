// The "X509 Certificate:" section of `certutil -v -store` (see certificate_fields.h).
#include "certificate_fields.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <vector>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "extension_text.h"

namespace certbed::emulator::certutil {

namespace wc = repair::wincrypt;
using repair::Bytes;
using repair::ByteView;

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128] = {};
  OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return buf;
}

namespace {

// certutil's algorithm names ("sha256RSA", "RSA", "ECC", "sha256ECDSA").
std::string algorithm_label(const ASN1_OBJECT* obj) {
  switch (OBJ_obj2nid(obj)) {
    case NID_sha1WithRSAEncryption:
      return "sha1RSA";
    case NID_sha256WithRSAEncryption:
      return "sha256RSA";
    case NID_sha384WithRSAEncryption:
      return "sha384RSA";
    case NID_sha512WithRSAEncryption:
      return "sha512RSA";
    case NID_ecdsa_with_SHA256:
      return "sha256ECDSA";
    case NID_ecdsa_with_SHA384:
      return "sha384ECDSA";
    case NID_rsaEncryption:
      return "RSA";
    case NID_X9_62_id_ecPublicKey:
      return "ECC";
    default:
      return OBJ_nid2sn(OBJ_obj2nid(obj));
  }
}

void algorithm_block(LineWriter& w, const X509_ALGOR* alg) {
  const ASN1_OBJECT* obj = nullptr;
  int param_type = 0;
  const void* param = nullptr;
  X509_ALGOR_get0(&obj, &param_type, &param, alg);
  w.line("    Algorithm ObjectId: " + oid_text(obj) + " " + algorithm_label(obj));
  w.line("    Algorithm Parameters:");
  if (param_type == V_ASN1_UNDEF) {
    w.line("    NULL");  // absent parameters (ECDSA signatures) [unverified rendering]
    return;
  }
  ASN1_TYPE* type = ASN1_TYPE_new();
  ASN1_TYPE_set1(type, param_type, param);
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_TYPE(type, &der);
  ASN1_TYPE_free(type);
  std::string hex;
  for (int i = 0; i < len; ++i) {
    if (i) hex += ' ';
    hex += repair::to_hex(Bytes{der[i]});
  }
  OPENSSL_free(der);
  w.line("    " + hex);
}

std::vector<std::string> name_lines(const std::string& display) {
  // display is "A=x, B=y" with quoted values when they hold separators; split outside quotes.
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 0; i < display.size(); ++i) {
    const char c = display[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && c == ',' && i + 1 < display.size() && display[i + 1] == ' ') {
      out.push_back(current);
      current.clear();
      ++i;
      continue;
    }
    current += c;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

void name_block(LineWriter& w, const char* label, const std::string& display, const X509_NAME* name,
                const std::string& when_empty = "EMPTY") {
  w.line(label);
  const auto rdns = name_lines(display);
  if (rdns.empty()) w.line("    " + when_empty);
  for (const auto& rdn : rdns) w.line("    " + rdn);
  const Bytes der = ossl::i2d_bytes(name, i2d_X509_NAME);
  w.line("  Name Hash(sha1): " + repair::to_hex(sha1(der)));
  w.line("  Name Hash(md5): " + repair::to_hex(md5(der)));
}

std::string key_usage_text(const ASN1_BIT_STRING* usage) {
  static const std::pair<int, const char*> kBits[] = {
      {0, "Digital Signature"}, {1, "Non-Repudiation"}, {2, "Key Encipherment"},
      {3, "Data Encipherment"}, {4, "Key Agreement"},   {5, "Certificate Signing"},
  };
  std::string text;
  for (const auto& [bit, name] : kBits) {
    if (ASN1_BIT_STRING_get_bit(usage, bit)) text += (text.empty() ? "" : ", ") + std::string(name);
  }
  if (ASN1_BIT_STRING_get_bit(usage, 6)) {
    text += (text.empty() ? "" : ", ") + std::string("Off-line CRL Signing, CRL Signing");
  }
  const std::uint8_t first = ASN1_STRING_length(usage) > 0 ? ASN1_STRING_get0_data(usage)[0] : 0;
  return text + " (" + repair::to_hex(Bytes{first}) + ")";
}

}  // namespace

std::string eku_line(const std::string& oid) {
  const auto name = usage_name(oid);
  return name.empty() ? oid : name + " (" + oid + ")";
}

namespace {

void extension_block(LineWriter& w, X509_EXTENSION* ext) {
  const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const int nid = OBJ_obj2nid(obj);
  const std::string oid = oid_text(obj);
  w.line("    " + oid + ": Flags = " + (X509_EXTENSION_get_critical(ext) ? "1(Critical)" : "0") +
         ", Length = " + hex_dword(static_cast<std::uint32_t>(ASN1_STRING_length(data))));
  const std::string deep = "        ";
  if (auto text = enterprise_extension_text(ext)) {
    w.line("    " + text->name);
    for (const auto& line : text->lines) w.line(deep + line);
    w.blank();
    return;
  }
  const ByteView value(ASN1_STRING_get0_data(data),
                       static_cast<std::size_t>(ASN1_STRING_length(data)));
  void* decoded = X509V3_EXT_d2i(ext);
  const bool decoded_by_openssl = nid == NID_key_usage || nid == NID_basic_constraints ||
                                  nid == NID_subject_key_identifier ||
                                  nid == NID_authority_key_identifier || nid == NID_ext_key_usage;
  if (decoded_by_openssl && decoded == nullptr) {
    // A value that does not decode prints as an extension certutil does not know: OID and hex.
    w.line("    " + oid);
    ascii_dump(w, value, deep);
    w.blank();
    return;
  }
  switch (nid) {
    case NID_key_usage: {
      auto* usage = static_cast<ASN1_BIT_STRING*>(decoded);
      w.line("    Key Usage");
      w.line(deep + key_usage_text(usage));
      ASN1_BIT_STRING_free(usage);
      break;
    }
    case NID_basic_constraints: {
      ossl::BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(decoded));
      w.line("    Basic Constraints");
      w.line(deep + "Subject Type=" + (bc && bc->ca ? "CA" : "End Entity"));
      std::string path = "None";
      if (bc && bc->pathlen) path = std::to_string(ASN1_INTEGER_get(bc->pathlen));
      w.line(deep + "Path Length Constraint=" + path);
      break;
    }
    case NID_subject_key_identifier: {
      auto* ski = static_cast<ASN1_OCTET_STRING*>(decoded);
      w.line("    Subject Key Identifier");
      w.line(deep + repair::to_hex(ByteView(ASN1_STRING_get0_data(ski),
                                            static_cast<std::size_t>(ASN1_STRING_length(ski)))));
      ASN1_OCTET_STRING_free(ski);
      break;
    }
    case NID_authority_key_identifier: {
      auto* aki = static_cast<AUTHORITY_KEYID*>(decoded);
      w.line("    Authority Key Identifier");
      if (aki && aki->keyid) {
        w.line(deep + "KeyID=" +
               repair::to_hex(ByteView(ASN1_STRING_get0_data(aki->keyid),
                                       static_cast<std::size_t>(ASN1_STRING_length(aki->keyid)))));
      }
      AUTHORITY_KEYID_free(aki);
      break;
    }
    case NID_ext_key_usage: {
      ossl::ExtKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(decoded));
      w.line("    Enhanced Key Usage");
      for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        w.line(deep + eku_line(oid_text(sk_ASN1_OBJECT_value(eku.get(), i))));
      }
      break;
    }
    default: {
      if (oid == wc::szOID_CERTSRV_CA_VERSION) {
        const unsigned char* p = value.data();
        ossl::Asn1IntegerPtr v(d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(value.size())));
        const long dword = v ? ASN1_INTEGER_get(v.get()) : 0;
        w.line("    CA Version");
        w.line(deep + "V" + std::to_string(dword & 0xFFFF) + "." + std::to_string(dword >> 16));
      } else if (oid == wc::szOID_ENROLL_CERTTYPE_EXTENSION) {
        // [inferred] The extension's name and its value one level deeper, as certutil lays out
        // the extensions it decodes; the name is the one the non-verbose line shows (dumps/07).
        const unsigned char* p = value.data();
        ossl::Asn1StringPtr bmp(d2i_ASN1_BMPSTRING(nullptr, &p, static_cast<long>(value.size())));
        unsigned char* utf8 = nullptr;
        const int len = bmp ? ASN1_STRING_to_UTF8(&utf8, bmp.get()) : -1;
        w.line("    Certificate Template Name (Certificate Type)");
        if (len >= 0) {
          w.line(deep +
                 std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len)));
        }
        OPENSSL_free(utf8);
      } else {
        w.line("    " + oid);
        ascii_dump(w, value, deep);
      }
      if (decoded != nullptr) {
        // Only the cases above decode to known types; release anything else generically.
        const X509V3_EXT_METHOD* method = X509V3_EXT_get(ext);
        if (method && method->it)
          ASN1_item_free(static_cast<ASN1_VALUE*>(decoded), ASN1_ITEM_ptr(method->it));
      }
      break;
    }
  }
  w.blank();
}

std::string base64(ByteView bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

void x509_section(LineWriter& w, X509* cert, const repair::CertFacts& facts) {
  w.line("X509 Certificate:");
  w.line("Version: " + std::to_string(X509_get_version(cert) + 1));
  w.line("Serial Number: " + facts.serial);
  const ASN1_BIT_STRING* signature = nullptr;
  const X509_ALGOR* sig_alg = nullptr;
  X509_get0_signature(&signature, &sig_alg, cert);
  w.line("Signature Algorithm:");
  algorithm_block(w, X509_get0_tbs_sigalg(cert));
  name_block(w, "Issuer:", facts.issuer, X509_get_issuer_name(cert));
  w.blank();
  w.line(" NotBefore: " + certutil_date(facts.not_before));
  w.line(" NotAfter: " + certutil_date(facts.not_after));
  w.blank();
  name_block(w, "Subject:", facts.subject, X509_get_subject_name(cert), empty_subject_text(cert));
  w.blank();

  X509_PUBKEY* pub = X509_get_X509_PUBKEY(cert);
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* key_alg = nullptr;
  X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, &key_alg, pub);
  w.line("Public Key Algorithm:");
  algorithm_block(w, key_alg);
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  w.line("Public Key Length: " + std::to_string(EVP_PKEY_get_bits(key)) + " bits");
  w.line("Public Key: UnusedBits = 0");
  const ByteView key_bits(bits, static_cast<std::size_t>(bits_len));
  offset_dump(w, key_bits, "    ");

  const int count = X509_get_ext_count(cert);
  w.line("Certificate Extensions: " + std::to_string(count));
  for (int i = 0; i < count; ++i) extension_block(w, X509_get_ext(cert, i));

  w.line("Signature Algorithm:");
  algorithm_block(w, sig_alg);
  w.line("Signature: UnusedBits=0");
  // crypt32 decodes a certificate's signature byte-reversed (little-endian, CryptoAPI's order)
  // unless told not to [doc CryptDecodeObjectEx, CRYPT_DECODE_NO_SIGNATURE_BYTE_REVERSAL_FLAG],
  // and certutil prints it so (fixtures/certutil/x509/25 against its PEM).
  const ByteView signature_der(ASN1_STRING_get0_data(signature),
                               static_cast<std::size_t>(ASN1_STRING_length(signature)));
  const Bytes reversed(signature_der.rbegin(), signature_der.rend());
  offset_dump(w, reversed, "    ");
  if (facts.subject == facts.issuer) {
    w.line("Signature matches Public Key");
    w.line("Root Certificate: Subject matches Issuer");
  } else {
    w.line("Non-root Certificate");
  }
  // The certificate's own SubjectPublicKeyInfo, re-encoded from its parsed structure (cheap)
  // rather than from the key object (OpenSSL 3.0's provider encoders are not).
  Bytes spki;
  unsigned char* spki_der = nullptr;
  if (const int len = i2d_X509_PUBKEY(pub, &spki_der); len > 0) {
    spki.assign(spki_der, spki_der + len);
    OPENSSL_free(spki_der);
  }
  const Bytes bcrypt = bcrypt_public_key_blob(key);
  w.line("Key Id Hash(rfc-sha1): " + repair::to_hex(sha1(key_bits)));
  w.line("Key Id Hash(sha1): " + repair::to_hex(sha1(spki)));
  if (!bcrypt.empty()) {
    w.line("Key Id Hash(bcrypt-sha1): " + repair::to_hex(sha1(bcrypt)));
    w.line("Key Id Hash(bcrypt-sha256): " + repair::to_hex(sha256(bcrypt)));
  }
  w.line("Key Id Hash(md5): " + repair::to_hex(md5(key_bits)));
  w.line("Key Id Hash(sha256): " + repair::to_hex(sha256(key_bits)));
  w.line("Key Id Hash(pin-sha256): " + base64(sha256(spki)));
  w.line("Key Id Hash(pin-sha256-hex): " + repair::to_hex(sha256(spki)));
  w.line("Cert Hash(md5): " + facts.md5);
  w.line("Cert Hash(sha1): " + facts.sha1);
  w.line("Cert Hash(sha256): " + facts.sha256);
  w.line("Signature Hash: " + facts.signature_hash);
  w.blank();
}

}  // namespace certbed::emulator::certutil
