// Whether a certificate is a CA's when its input does not show Basic Constraints: the evidence a
// dump does show decides, and the finding says what was taken as given.
#include "certbed/repair/model/bytes.h"
#include "rule_support.h"

namespace certbed::repair::rules {

namespace {

// "Contoso CA" of "CN=Contoso CA, DC=Contoso, DC=com"; empty when the first RDN is not a CN.
std::string subject_common_name(std::string_view subject) {
  if (subject.substr(0, 3) != "CN=") return "";
  subject.remove_prefix(3);
  return std::string(subject.substr(0, subject.find(", ")));
}

}  // namespace

std::string ca_evidence(const CertFacts& cert) {
  if (cert.is_ca) return "";
  if (cert.ca_version) return "it has the CA Version extension only CA certificates carry";
  const std::string tmpl = to_lower_ascii(cert.template_name);
  if (tmpl == "ca" || tmpl == "subca") {
    return "it was issued from the " + cert.template_name + " template";
  }
  auto info = cert.key_prov_info();
  if (info && info->has_value()) {
    const std::string cn = subject_common_name(cert.subject);
    if (!cn.empty() && to_lower_ascii((**info).container) == to_lower_ascii(cn)) {
      return "its key container is named after its subject (\"" + cn +
             "\"), as AD CS names a CA's key";
    }
  }
  return "";
}

std::string ca_status_note(const Context& ctx, const CertFacts& cert) {
  if (cert.is_ca || listed_in_ca_config(ctx, cert)) return "";
  const std::string why = ca_evidence(cert);
  if (!why.empty()) {
    return "the input does not show its Basic Constraints; taken as a CA certificate because " +
           why;
  }
  return "the input does not show its Basic Constraints and nothing else shows it to be a CA "
         "certificate; if it is one, this is an error";
}

}  // namespace certbed::repair::rules
