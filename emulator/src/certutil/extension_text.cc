// certutil's text of enterprise CA extensions (see extension_text.h).
//
// Sources of the layouts:
// - [real certutil] fixtures/certutil/x509/25-essos-esc9-user-view.txt: CRL Distribution Points
//   and Authority Information Access with LDAP URLs, Certificate Template Information, Application
//   Policies, a user principal name and SMIME Capabilities, printed by certutil on Windows Server.
// - [CryptFormatObject] a public sample of X509Extension.Format(true), the formatter certutil
//   uses (its .source beside the fixture): Certificate Policies with a CPS qualifier, an AIA OCSP
//   entry, the "(escaped form)" after a URL holding %20, "Template=" with the bare OID when the
//   template's name is not resolved, and "DS Object Guid=".
#include "extension_text.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <memory>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certificate_fields.h"

namespace certbed::emulator::certutil {

namespace wc = repair::wincrypt;
using repair::ByteView;

namespace {

constexpr const char* kStep = "     ";  // each nesting level

std::string string_of(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

ByteView bytes_of(const ASN1_STRING* s) {
  return ByteView(ASN1_STRING_get0_data(s), static_cast<std::size_t>(ASN1_STRING_length(s)));
}

bool printable_ascii(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7F) return false;
  }
  return true;
}

// Space-separated lower-case hex ("02 02 00 80"), as certutil prints parameters.
std::string spaced_hex(ByteView bytes) {
  std::string out;
  for (std::uint8_t b : bytes) {
    if (!out.empty()) out += ' ';
    out += repair::to_hex(ByteView(&b, 1));
  }
  return out;
}

// [CryptFormatObject] a URL with %-escapes prints unescaped, then as stored in parentheses
// ("URL=http://host/Microsoft IT TLS CA 5.crt (http://host/Microsoft%20IT%20TLS%20CA%205.crt)").
// A URL whose unescaped form is not printable prints as stored only.
std::string url_text(const std::string& stored) {
  std::string plain;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] == '%' && i + 2 < stored.size() &&
        std::isxdigit(static_cast<unsigned char>(stored[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(stored[i + 2]))) {
      plain += static_cast<char>(std::stoi(stored.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      plain += stored[i];
    }
  }
  if (plain == stored || !printable_ascii(plain)) return "URL=" + stored;
  return "URL=" + plain + " (" + stored + ")";
}

// One general name as lines; false for a form no real output here shows.
bool general_name_lines(const GENERAL_NAME* name, const std::string& margin,
                        std::vector<std::string>& out) {
  switch (name->type) {
    case GEN_URI:
      out.push_back(margin + url_text(string_of(name->d.uniformResourceIdentifier)));
      return true;
    case GEN_DNS:
      out.push_back(margin + "DNS Name=" + string_of(name->d.dNSName));
      return true;
    case GEN_EMAIL:
      out.push_back(margin + "RFC822 Name=" + string_of(name->d.rfc822Name));
      return true;
    case GEN_OTHERNAME: {
      const OTHERNAME* other = name->d.otherName;
      const std::string oid = oid_text(other->type_id);
      out.push_back(margin + "Other Name:");
      if (oid == wc::szOID_NT_PRINCIPAL_NAME && other->value->type == V_ASN1_UTF8STRING) {
        // [real certutil] "Other Name:" / "     Principal Name=administrator".
        out.push_back(margin + kStep +
                      "Principal Name=" + string_of(other->value->value.utf8string));
        return true;
      }
      // [CryptFormatObject] "DS Object Guid=04 10 ..." (the value's DER); other forms print the
      // OID, as the 2001 sample of KB 291010 shows for the same value.
      unsigned char* der = nullptr;
      const int len = i2d_ASN1_TYPE(other->value, &der);
      if (len <= 0) return false;
      const std::string value = spaced_hex(ByteView(der, static_cast<std::size_t>(len)));
      OPENSSL_free(der);
      out.push_back(margin + kStep +
                    (oid == "1.3.6.1.4.1.311.25.1" ? std::string("DS Object Guid") : oid) + "=" +
                    value);
      return true;
    }
    default:
      return false;
  }
}

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
struct DistPointsFree {
  void operator()(CRL_DIST_POINTS* points) const { CRL_DIST_POINTS_free(points); }
};
struct InfoAccessFree {
  void operator()(AUTHORITY_INFO_ACCESS* access) const { AUTHORITY_INFO_ACCESS_free(access); }
};
struct PoliciesFree {
  void operator()(CERTIFICATEPOLICIES* policies) const { CERTIFICATEPOLICIES_free(policies); }
};
struct SequenceFree {
  void operator()(ASN1_SEQUENCE_ANY* seq) const { sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free); }
};
using SequencePtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SequenceFree>;

SequencePtr sequence_of(ByteView der) {
  const unsigned char* p = der.data();
  SequencePtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size())));
  if (seq && p != der.data() + der.size()) return nullptr;  // trailing bytes
  return seq;
}

// [real certutil] "[1]CRL Distribution Point" / "     Distribution Point Name:" /
// "          Full Name:" / "               URL=...".
std::optional<std::vector<std::string>> crl_distribution_points(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<CRL_DIST_POINTS, DistPointsFree> points(
      d2i_CRL_DIST_POINTS(nullptr, &p, static_cast<long>(der.size())));
  if (!points) return std::nullopt;
  std::vector<std::string> out;
  for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    // Reasons, a CRL issuer or a relative name: no real output shows their layout.
    if (point->reasons || point->CRLissuer || !point->distpoint || point->distpoint->type != 0) {
      return std::nullopt;
    }
    out.push_back("[" + std::to_string(i + 1) + "]CRL Distribution Point");
    out.push_back(std::string(kStep) + "Distribution Point Name:");
    out.push_back(std::string(kStep) + kStep + "Full Name:");
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      if (!general_name_lines(sk_GENERAL_NAME_value(names, j), std::string(kStep) + kStep + kStep,
                              out)) {
        return std::nullopt;
      }
    }
  }
  return out;
}

// [real certutil] "[1]Authority Info Access" / "     Access Method=Certification Authority
// Issuer (1.3.6.1.5.5.7.48.2)" / "     Alternative Name:" / "          URL=...".
std::optional<std::vector<std::string>> authority_info_access(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<AUTHORITY_INFO_ACCESS, InfoAccessFree> access(
      d2i_AUTHORITY_INFO_ACCESS(nullptr, &p, static_cast<long>(der.size())));
  if (!access) return std::nullopt;
  std::vector<std::string> out;
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(access.get()); ++i) {
    const ACCESS_DESCRIPTION* d = sk_ACCESS_DESCRIPTION_value(access.get(), i);
    const std::string oid = oid_text(d->method);
    std::string method = oid;
    if (OBJ_obj2nid(d->method) == NID_ad_ca_issuers) {
      method = "Certification Authority Issuer (" + oid + ")";
    } else if (OBJ_obj2nid(d->method) == NID_ad_OCSP) {
      method = "On-line Certificate Status Protocol (" + oid + ")";  // [CryptFormatObject]
    }
    out.push_back("[" + std::to_string(i + 1) + "]Authority Info Access");
    out.push_back(std::string(kStep) + "Access Method=" + method);
    out.push_back(std::string(kStep) + "Alternative Name:");
    if (!general_name_lines(d->location, std::string(kStep) + kStep, out)) return std::nullopt;
  }
  return out;
}

// Certificate Policies ([CryptFormatObject] "[1]Certificate Policy:" / "     Policy
// Identifier=..." / "     [1,1]Policy Qualifier Info:" / "          Policy Qualifier Id=CPS" /
// "          Qualifier:" / "               http://...") and Application Policies ([real
// certutil] "[1]Application Certificate Policy:" / "     Policy Identifier=Client
// Authentication", the usage's name where certutil has one).
std::optional<std::vector<std::string>> policies(ByteView der, bool application) {
  const unsigned char* p = der.data();
  std::unique_ptr<CERTIFICATEPOLICIES, PoliciesFree> list(
      d2i_CERTIFICATEPOLICIES(nullptr, &p, static_cast<long>(der.size())));
  if (!list) return std::nullopt;
  std::vector<std::string> out;
  for (int i = 0; i < sk_POLICYINFO_num(list.get()); ++i) {
    const POLICYINFO* info = sk_POLICYINFO_value(list.get(), i);
    const std::string oid = oid_text(info->policyid);
    const std::string index = std::to_string(i + 1);
    std::string shown = oid;
    if (application && !usage_name(oid).empty()) shown = usage_name(oid);
    out.push_back("[" + index +
                  (application ? "]Application Certificate Policy:" : "]Certificate Policy:"));
    out.push_back(std::string(kStep) + "Policy Identifier=" + shown);
    for (int j = 0; j < sk_POLICYQUALINFO_num(info->qualifiers); ++j) {
      const POLICYQUALINFO* q = sk_POLICYQUALINFO_value(info->qualifiers, j);
      // Only the CPS pointer has a layout in real output; a user notice does not.
      if (application || OBJ_obj2nid(q->pqualid) != NID_id_qt_cps) return std::nullopt;
      const std::string uri = string_of(q->d.cpsuri);
      if (!printable_ascii(uri)) return std::nullopt;
      out.push_back(std::string(kStep) + "[" + index + "," + std::to_string(j + 1) +
                    "]Policy Qualifier Info:");
      out.push_back(std::string(kStep) + kStep + "Policy Qualifier Id=CPS");
      out.push_back(std::string(kStep) + kStep + "Qualifier:");
      out.push_back(std::string(kStep) + kStep + kStep + uri);
    }
  }
  return out;
}

// [real certutil] "Template=ESC9(1.3.6.1.4.1.311.21.8....)" / "Major Version Number=100" /
// "Minor Version Number=4". certutil names the template from Active Directory, which the emulator
// does not have, so it prints the OID alone, as [CryptFormatObject] does unresolved.
std::optional<std::vector<std::string>> template_information(ByteView der) {
  auto seq = sequence_of(der);
  if (!seq || sk_ASN1_TYPE_num(seq.get()) < 2 || sk_ASN1_TYPE_num(seq.get()) > 3) {
    return std::nullopt;
  }
  const ASN1_TYPE* oid = sk_ASN1_TYPE_value(seq.get(), 0);
  if (oid->type != V_ASN1_OBJECT) return std::nullopt;
  std::vector<std::string> out{"Template=" + oid_text(oid->value.object)};
  const char* labels[] = {"Major Version Number=", "Minor Version Number="};
  for (int i = 1; i < sk_ASN1_TYPE_num(seq.get()); ++i) {
    const ASN1_TYPE* n = sk_ASN1_TYPE_value(seq.get(), i);
    if (n->type != V_ASN1_INTEGER) return std::nullopt;
    out.push_back(std::string(labels[i - 1]) + std::to_string(ASN1_INTEGER_get(n->value.integer)));
  }
  return out;
}

// [real certutil] "[1]SMIME Capability" / "     Object ID=1.2.840.113549.3.2" /
// "     Parameters=02 02 00 80".
std::optional<std::vector<std::string>> smime_capabilities(ByteView der) {
  auto seq = sequence_of(der);
  if (!seq) return std::nullopt;
  std::vector<std::string> out;
  for (int i = 0; i < sk_ASN1_TYPE_num(seq.get()); ++i) {
    const ASN1_TYPE* item = sk_ASN1_TYPE_value(seq.get(), i);
    if (item->type != V_ASN1_SEQUENCE) return std::nullopt;
    const ByteView inner_der = bytes_of(item->value.sequence);
    auto inner = sequence_of(inner_der);
    if (!inner || sk_ASN1_TYPE_num(inner.get()) < 1 || sk_ASN1_TYPE_num(inner.get()) > 2) {
      return std::nullopt;
    }
    const ASN1_TYPE* oid = sk_ASN1_TYPE_value(inner.get(), 0);
    if (oid->type != V_ASN1_OBJECT) return std::nullopt;
    out.push_back("[" + std::to_string(i + 1) + "]SMIME Capability");
    out.push_back(std::string(kStep) + "Object ID=" + oid_text(oid->value.object));
    if (sk_ASN1_TYPE_num(inner.get()) == 2) {
      unsigned char* param = nullptr;
      const int len = i2d_ASN1_TYPE(sk_ASN1_TYPE_value(inner.get(), 1), &param);
      if (len <= 0) return std::nullopt;
      out.push_back(std::string(kStep) +
                    "Parameters=" + spaced_hex(ByteView(param, static_cast<std::size_t>(len))));
      OPENSSL_free(param);
    }
  }
  return out;
}

// [inferred] The hash on the line after the name, as a public script reading certutil -dump
// output expects ("Previous CA Certificate Hash\r\n\s*(.*)\r\n"), in the contiguous hex certutil
// prints a Subject Key Identifier in.
std::optional<std::vector<std::string>> previous_ca_hash(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<ASN1_OCTET_STRING, decltype(&ASN1_OCTET_STRING_free)> hash(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(der.size())), ASN1_OCTET_STRING_free);
  if (!hash || p != der.data() + der.size()) return std::nullopt;
  return std::vector<std::string>{repair::to_hex(bytes_of(hash.get()))};
}

// [real certutil] "Other Name:" / "     Principal Name=..." and "DNS Name=..." (dumps/07 too).
std::optional<std::vector<std::string>> subject_alt_name(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      d2i_GENERAL_NAMES(nullptr, &p, static_cast<long>(der.size())));
  if (!names) return std::nullopt;
  std::vector<std::string> out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    if (!general_name_lines(sk_GENERAL_NAME_value(names.get(), i), "", out)) return std::nullopt;
  }
  return out;
}

}  // namespace

std::string usage_name(const std::string& oid) {
  if (oid == "1.3.6.1.5.5.7.3.1") return "Server Authentication";
  if (oid == "1.3.6.1.5.5.7.3.2") return "Client Authentication";
  if (oid == "1.3.6.1.5.5.7.3.3") return "Code Signing";
  if (oid == "1.3.6.1.5.5.7.3.4") return "Secure Email";
  if (oid == "1.3.6.1.4.1.311.20.2.2") return "Smart Card Logon";
  if (oid == "1.3.6.1.4.1.311.10.3.4") return "Encrypting File System";  // [real certutil]
  return "";
}

// [real certutil] "EMPTY (Other Name:Principal Name=administrator)": a general name's lines joined
// without their margins. [inferred] Several names are separated by ", ", as CryptFormatObject's
// one-line form separates them.
std::string empty_subject_text(X509* certificate) {
  const int at = X509_get_ext_by_NID(certificate, NID_subject_alt_name, -1);
  if (at < 0) return "EMPTY";
  const auto der = bytes_of(X509_EXTENSION_get_data(X509_get_ext(certificate, at)));
  const unsigned char* p = der.data();
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      d2i_GENERAL_NAMES(nullptr, &p, static_cast<long>(der.size())));
  if (!names) return "EMPTY";
  std::string summary;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    std::vector<std::string> lines;
    if (!general_name_lines(sk_GENERAL_NAME_value(names.get(), i), "", lines)) return "EMPTY";
    if (!summary.empty()) summary += ", ";
    for (const auto& line : lines) summary += line.substr(line.find_first_not_of(' '));
  }
  return summary.empty() ? "EMPTY" : "EMPTY (" + summary + ")";
}

std::optional<ExtensionText> enterprise_extension_text(X509_EXTENSION* extension) {
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(extension);
  const ByteView der = bytes_of(data);
  const std::string oid = oid_text(X509_EXTENSION_get_object(extension));
  auto text = [](const char* name, std::optional<std::vector<std::string>> lines) {
    return lines ? std::optional<ExtensionText>(ExtensionText{name, std::move(*lines)})
                 : std::nullopt;
  };
  if (oid == "2.5.29.31") return text("CRL Distribution Points", crl_distribution_points(der));
  if (oid == "1.3.6.1.5.5.7.1.1") {
    return text("Authority Information Access", authority_info_access(der));
  }
  if (oid == "2.5.29.32") return text("Certificate Policies", policies(der, false));
  if (oid == wc::szOID_APPLICATION_CERT_POLICIES) {
    return text("Application Policies", policies(der, true));
  }
  if (oid == wc::szOID_CERTIFICATE_TEMPLATE) {
    return text("Certificate Template Information", template_information(der));
  }
  if (oid == "1.2.840.113549.1.9.15") return text("SMIME Capabilities", smime_capabilities(der));
  if (oid == wc::szOID_CERTSRV_PREVIOUS_CERT_HASH) {
    return text("Previous CA Certificate Hash", previous_ca_hash(der));
  }
  if (oid == "2.5.29.17") return text("Subject Alternative Name", subject_alt_name(der));
  return std::nullopt;
}

}  // namespace certbed::emulator::certutil
