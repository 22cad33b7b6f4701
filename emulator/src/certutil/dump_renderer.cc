#include "certbed/emulator/certutil/dump_renderer.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>

#include <sstream>
#include <unordered_map>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::Bytes;
using repair::ByteView;
using repair::PropertyId;

namespace {

// Collects lines and ends each with LF or CRLF.
class LineWriter {
 public:
  LineWriter(std::ostream& out, bool crlf) : out_(out), eol_(crlf ? "\r\n" : "\n") {}
  void line(std::string_view text) { out_ << text << eol_; }
  void blank() { out_ << eol_; }

 private:
  std::ostream& out_;
  const char* eol_;
};

std::string hex_dword(std::uint32_t v) {
  std::ostringstream s;
  s << std::hex << v;
  return s.str();
}

// certutil's generic number rendering: hex, plus " (decimal)" when the two differ.
std::string hex_with_decimal(std::uint32_t v) {
  return v >= 10 ? hex_dword(v) + " (" + std::to_string(v) + ")" : hex_dword(v);
}

// "    0000  30 82 01 0a ...  ..": offset, two groups of 8 bytes, no ASCII column.
void offset_dump(LineWriter& w, ByteView bytes, const std::string& indent) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    std::string line = indent;
    const std::string offset = hex_dword(static_cast<std::uint32_t>(at));
    line += std::string(4 - std::min<std::size_t>(4, offset.size()), '0') + offset + "  ";
    for (std::size_t i = at; i < std::min(bytes.size(), at + 16); ++i) {
      if (i != at) line += (i - at == 8) ? "  " : " ";
      line += kDigits[bytes[i] >> 4];
      line += kDigits[bytes[i] & 0x0F];
    }
    w.line(line);
  }
}

// Short binary values: 16 bytes a line in two groups of 8, then an ASCII column.
void ascii_dump(LineWriter& w, ByteView bytes, const std::string& indent) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    std::string hex;
    std::string ascii;
    for (std::size_t i = at; i < at + 16; ++i) {
      if (i != at) hex += (i - at == 8) ? "  " : " ";
      if (i < bytes.size()) {
        hex += kDigits[bytes[i] >> 4];
        hex += kDigits[bytes[i] & 0x0F];
        ascii += (bytes[i] >= 0x20 && bytes[i] < 0x7F) ? static_cast<char>(bytes[i]) : '.';
      } else {
        hex += "  ";
      }
    }
    w.line(indent + hex + "   " + ascii);
  }
}

Bytes der_of(int (*encode)(const void*, unsigned char**), const void* object) {
  unsigned char* der = nullptr;
  const int len = encode(object, &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

int encode_name(const void* name, unsigned char** out) {
  return i2d_X509_NAME(static_cast<const X509_NAME*>(name), out);
}

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128] = {};
  OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return buf;
}

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

void name_block(LineWriter& w, const char* label, const std::string& display,
                const X509_NAME* name) {
  w.line(label);
  for (const auto& rdn : name_lines(display)) w.line("    " + rdn);
  const Bytes der = der_of(encode_name, name);
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

std::string eku_name(const std::string& oid) {
  if (oid == "1.3.6.1.5.5.7.3.1") return "Server Authentication";
  if (oid == "1.3.6.1.5.5.7.3.2") return "Client Authentication";
  if (oid == "1.3.6.1.5.5.7.3.3") return "Code Signing";
  if (oid == "1.3.6.1.5.5.7.3.4") return "Secure Email";
  if (oid == "1.3.6.1.4.1.311.20.2.2") return "Smart Card Logon";
  return "";
}

std::string eku_line(const std::string& oid) {
  const auto name = eku_name(oid);
  return name.empty() ? oid : name + " (" + oid + ")";
}

void extension_block(LineWriter& w, X509_EXTENSION* ext) {
  const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const int nid = OBJ_obj2nid(obj);
  const std::string oid = oid_text(obj);
  w.line("    " + oid + ": Flags = " + (X509_EXTENSION_get_critical(ext) ? "1(Critical)" : "0") +
         ", Length = " + hex_dword(static_cast<std::uint32_t>(ASN1_STRING_length(data))));
  const std::string deep = "        ";
  const ByteView value(ASN1_STRING_get0_data(data),
                       static_cast<std::size_t>(ASN1_STRING_length(data)));
  void* decoded = X509V3_EXT_d2i(ext);
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
    case NID_subject_alt_name: {
      auto* names = static_cast<GENERAL_NAMES*>(decoded);
      w.line("    Subject Alternative Name");
      for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_DNS) {
          w.line(deep + "DNS Name=" +
                 std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                             static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName))));
        }
      }
      GENERAL_NAMES_free(names);
      break;
    }
    default: {
      if (oid == wc::szOID_CERTSRV_CA_VERSION) {
        const unsigned char* p = value.data();
        ossl::Asn1IntegerPtr v(d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(value.size())));
        const long dword = v ? ASN1_INTEGER_get(v.get()) : 0;
        w.line("    CA Version");
        w.line(deep + "V" + std::to_string(dword & 0xFFFF) + "." + std::to_string(dword >> 16));
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

struct KeyLookup {
  const KeyProvider* provider = nullptr;
  const KeyContainer* container = nullptr;
  const ContainerKey* key = nullptr;
};

// The key a certificate's property 2 points at, or (without property 2) the key certutil would
// find by searching every provider for the certificate's public key.
KeyLookup find_linked_key(const Machine& machine, const repair::KeyProvInfo& info) {
  KeyLookup found;
  found.provider = machine.find_provider(info.provider);
  if (!found.provider) return found;
  found.container = found.provider->find_container(info.container);
  if (!found.container) return found;
  const std::uint32_t spec = found.provider->info().kind == ProviderKind::kKsp ? 0 : info.key_spec;
  found.key = found.container->find_key(spec);
  if (!found.key && found.container->keys.size() == 1) found.key = &found.container->keys[0];
  return found;
}

// certutil's search of every provider for a certificate's public key. The index (first key in
// provider, container and slot order wins, as a scan would find it) is built on the first
// search, so a dump pays for one pass over the containers, not one per unlinked certificate.
class KeySearch {
 public:
  explicit KeySearch(const Machine& machine) : machine_(machine) {}

  KeyLookup find(const std::string& public_key_id) {
    if (!built_) {
      for (const auto& [name, provider] : machine_.providers()) {
        for (const auto& container : provider.containers()) {
          for (const auto& key : container.keys) {
            index_.emplace(emulator::public_key_id(key.key.get()),
                           KeyLookup{&provider, &container, &key});
          }
        }
      }
      built_ = true;
    }
    auto it = index_.find(public_key_id);
    return it == index_.end() ? KeyLookup{} : it->second;
  }

 private:
  const Machine& machine_;
  bool built_ = false;
  std::unordered_map<std::string, KeyLookup> index_;
};

std::vector<std::string> key_status_lines(const KeyLookup& found, const repair::CertFacts& facts) {
  std::vector<std::string> out;
  if (!found.key) {
    out.emplace_back("Missing stored keyset");
    return out;
  }
  if (emulator::public_key_id(found.key->key.get()) != facts.public_key_id) {
    out.emplace_back("ERROR: Could not verify certificate public key against private key");
    return out;
  }
  if (!found.container->exportable) out.emplace_back("Private key is NOT exportable");
  // certutil runs the encryption test for key-exchange keys and the signature test otherwise.
  const bool rsa = EVP_PKEY_is_a(found.key->key.get(), "RSA");
  const bool encryption = found.provider->info().kind == ProviderKind::kCsp
                              ? found.key->key_spec == wc::AT_KEYEXCHANGE
                              : rsa && !facts.is_ca;
  out.emplace_back(encryption ? "Encryption test passed" : "Signature test passed");
  return out;
}

void key_provider_verbose(LineWriter& w, const repair::KeyProvInfo& info, const KeyLookup& found) {
  w.line("    Key Container = " + info.container);
  if (found.container) w.line("  Unique container name: " + found.container->unique_name);
  w.line("    Provider = " + info.provider);
  w.line("    ProviderType = " + hex_with_decimal(info.provider_type));
  w.line("  Flags = " + hex_with_decimal(info.flags));
  static const std::pair<std::uint32_t, const char*> kFlags[] = {
      {wc::CRYPT_MACHINE_KEYSET, "CRYPT_MACHINE_KEYSET"}, {wc::CRYPT_SILENT, "CRYPT_SILENT"}};
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((info.flags & bit) == 0) continue;
    std::string name;
    for (const auto& [value, flag_name] : kFlags) {
      if (value == bit) name = flag_name;
    }
    w.line(name.empty() ? "    0x" + hex_dword(bit) + " (" + std::to_string(bit) + ")"
                        : "    " + name + " -- " + hex_with_decimal(bit));
  }
  const auto spec_name = wc::key_spec_name(info.key_spec);
  w.line("    KeySpec = " + std::to_string(info.key_spec) +
         (spec_name == "unknown" ? "" : " -- " + std::string(spec_name)));
}

void property_block(LineWriter& w, const repair::PropertyEntry& entry, const Machine& machine) {
  w.line("  " + repair::property_label(entry.id) + ":");
  const ByteView value(entry.value);
  switch (entry.id) {
    case PropertyId::CERT_KEY_PROV_INFO_PROP_ID: {
      auto info = repair::decode_key_prov_info(value);
      if (info) {
        key_provider_verbose(w, *info, find_linked_key(machine, *info));
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
    }
    case PropertyId::CERT_SHA1_HASH_PROP_ID:
    case PropertyId::CERT_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SIGNATURE_HASH_PROP_ID:
    case PropertyId::CERT_KEY_IDENTIFIER_PROP_ID:
    case PropertyId::CERT_SUBJECT_PUBLIC_KEY_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SUBJECT_NAME_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SHA256_HASH_PROP_ID:
      w.line("    " + repair::to_hex(value));
      break;
    case PropertyId::CERT_FRIENDLY_NAME_PROP_ID:
    case PropertyId::CERT_DESCRIPTION_PROP_ID:
    case PropertyId::CERT_REQUEST_ORIGINATOR_PROP_ID: {
      ByteView text = value;
      if (text.size() >= 2 && text[text.size() - 1] == 0 && text[text.size() - 2] == 0) {
        text = text.first(text.size() - 2);
      }
      auto utf8 = repair::utf16le_to_utf8(text);
      if (utf8) {
        w.line("    " + *utf8);
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
    }
    case PropertyId::CERT_ENHKEY_USAGE_PROP_ID: {
      const unsigned char* p = value.data();
      ossl::ExtKeyUsagePtr eku(
          d2i_EXTENDED_KEY_USAGE(nullptr, &p, static_cast<long>(value.size())));
      if (!eku) {
        ascii_dump(w, value, "    ");
        break;
      }
      for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        w.line("    " + eku_line(oid_text(sk_ASN1_OBJECT_value(eku.get(), i))));
      }
      break;
    }
    case PropertyId::CERT_ACCESS_STATE_PROP_ID:
    case PropertyId::CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID: {
      if (value.size() == 4) {
        const std::uint32_t v = value[0] | (value[1] << 8) | (value[2] << 16) |
                                (static_cast<std::uint32_t>(value[3]) << 24);
        if (entry.id == PropertyId::CERT_ACCESS_STATE_PROP_ID) {
          w.line("  AccessState = " + hex_with_decimal(v));
        } else {
          std::string padded = hex_dword(v);
          w.line("    0x" + std::string(8 - padded.size(), '0') + padded + " (" +
                 std::to_string(v) + ")");
        }
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
    }
    default:
      if (value.size() > 64) {
        offset_dump(w, value, "    ");
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
  }
  w.blank();
}

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
  name_block(w, "Subject:", facts.subject, X509_get_subject_name(cert));
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
  offset_dump(w,
              ByteView(ASN1_STRING_get0_data(signature),
                       static_cast<std::size_t>(ASN1_STRING_length(signature))),
              "    ");
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

std::string friendly_store_name(const std::string& name) {
  const std::string lower = to_lower_ascii(name);
  if (lower == "my") return "Personal";
  if (lower == "root") return "Trusted Root Certification Authorities";
  if (lower == "ca") return "Intermediate Certification Authorities";
  if (lower == "request") return "Certificate Enrollment Requests";
  if (lower == "trustedpeople") return "Trusted People";
  if (lower == "disallowed") return "Untrusted Certificates";
  return "";
}

void certificate_block(LineWriter& w, const Machine& machine, KeySearch& search,
                       const StoredCertificate& stored, std::size_t index, bool verbose) {
  const auto& facts = stored.facts;
  w.line("================ Certificate " + std::to_string(index) + " ================");
  auto info = facts.key_prov_info();
  KeyLookup found;
  bool has_info = info.ok() && info->has_value();
  if (has_info) found = find_linked_key(machine, **info);

  if (verbose) {
    auto cert = certificate_from_der(stored.der);
    if (cert) x509_section(w, cert->get(), facts);
    for (const auto& entry : facts.properties.entries()) property_block(w, entry, machine);
  } else {
    if (facts.properties.contains(PropertyId::CERT_ARCHIVED_PROP_ID)) w.line("Archived!");
    w.line("Serial Number: " + facts.serial);
    w.line("Issuer: " + facts.issuer);
    w.line(" NotBefore: " + certutil_date(facts.not_before));
    w.line(" NotAfter: " + certutil_date(facts.not_after));
    w.line("Subject: " + facts.subject);
    if (facts.ca_version) {
      w.line("CA Version: V" + std::to_string(*facts.ca_version & 0xFFFF) + "." +
             std::to_string(*facts.ca_version >> 16));
    }
    if (facts.subject == facts.issuer) {
      w.line("Signature matches Public Key");
      w.line("Root Certificate: Subject matches Issuer");
    } else {
      w.line("Non-root Certificate");
    }
    w.line("Cert Hash(sha1): " + facts.sha1);
    if (has_info) {
      w.line("  Key Container = " + (*info)->container);
      if (found.container) w.line("  Unique container name: " + found.container->unique_name);
      w.line("  Provider = " + (*info)->provider);
    }
  }

  if (has_info) {
    for (const auto& status : key_status_lines(found, facts)) w.line(status);
    return;
  }
  w.line("No key provider information");
  const KeyLookup searched = search.find(facts.public_key_id);
  if (!searched.key) {
    w.line("Cannot find the certificate and private key for decryption.");
    return;
  }
  w.line("  Provider = " + searched.provider->info().name);
  w.line("  Simple container name: " + searched.container->name);
  w.line("  Unique container name: " + searched.container->unique_name);
  w.line("  ERROR: missing key association property: CERT_KEY_IDENTIFIER_PROP_ID");
  for (const auto& status : key_status_lines(searched, facts)) w.line(status);
}

}  // namespace

std::string certutil_date(const std::string& iso_utc) {
  // "2024-01-15T10:00:00Z" -> "1/15/2024 10:00 AM"
  if (iso_utc.size() < 16) return iso_utc;
  const int year = std::atoi(iso_utc.substr(0, 4).c_str());
  const int month = std::atoi(iso_utc.substr(5, 2).c_str());
  const int day = std::atoi(iso_utc.substr(8, 2).c_str());
  const int hour = std::atoi(iso_utc.substr(11, 2).c_str());
  const std::string minute = iso_utc.substr(14, 2);
  const int hour12 = hour % 12 == 0 ? 12 : hour % 12;
  return std::to_string(month) + "/" + std::to_string(day) + "/" + std::to_string(year) + " " +
         std::to_string(hour12) + ":" + minute + (hour < 12 ? " AM" : " PM");
}

void render_store_dump(const Machine& machine, const CertificateStore& store,
                       const DumpOptions& options, std::ostream& out) {
  LineWriter w(out, options.crlf);
  const std::string typed =
      options.typed_store_name.empty() ? store.name() : options.typed_store_name;
  const std::string friendly = friendly_store_name(store.name());
  w.line(friendly.empty() ? typed : typed + " \"" + friendly + "\"");
  KeySearch search(machine);
  for (std::size_t i = 0; i < store.size(); ++i) {
    if (i != 0) w.blank();
    certificate_block(w, machine, search, store.at(i), i, options.verbose);
  }
  w.line("CertUtil: -store command completed successfully.");
}

std::string render_store_dump(const Machine& machine, const CertificateStore& store,
                              const DumpOptions& options) {
  std::ostringstream out;
  render_store_dump(machine, store, options, out);
  return out.str();
}

}  // namespace certbed::emulator
