// Enterprise PKI scenarios (see enterprise_scenarios.h).
#include "enterprise_scenarios.h"

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "scenario_support.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::Result;

EnterpriseUrls enterprise_urls(const std::string& ca_name, const std::string& host,
                               const std::string& domain_dn, const std::string& host_fqdn) {
  auto escaped = [](std::string text) {
    for (std::size_t at = text.find(' '); at != std::string::npos; at = text.find(' ', at)) {
      text.replace(at, 1, "%20");
    }
    return text;
  };
  const std::string services =
      "CN=Public%20Key%20Services,CN=Services,CN=Configuration," + domain_dn;
  const std::string ca = escaped(ca_name);
  return EnterpriseUrls{{"ldap:///CN=" + ca + ",CN=" + host + ",CN=CDP," + services +
                             "?certificateRevocationList?base?objectClass=cRLDistributionPoint",
                         "http://" + host_fqdn + "/CertEnroll/" + ca + ".crl"},
                        {"ldap:///CN=" + ca + ",CN=AIA," + services +
                             "?cACertificate?base?objectClass=certificationAuthority",
                         "http://" + host_fqdn + "/CertEnroll/" + host_fqdn + "_" + ca + ".crt"}};
}

// A member server of an enterprise PKI: an offline root, the enterprise issuing CA it certified
// (SubCA template) in the CA store, and a WebServer-template certificate that CA issued in My,
// each issued certificate with its CRL Distribution Points and AIA.
Result<Machine> enterprise_issued() {
  Machine machine;
  auto keys = KeySource::deterministic();
  const DistinguishedName root_name{{{"CN", "Contoso Root CA"}, {"O", "Contoso"}}};
  auto root = make_root_ca(keys, "1a6f0c3e5b7d9f1a2c4e6081a3c5e7f9", root_name);
  if (!root) return root.error();
  if (auto a = machine.store(StoreLocation::kLocalMachine, "Root")
                   .add(certificate_der(root->certificate.get()), {});
      !a) {
    return a.error();
  }

  auto sub_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!sub_key) return sub_key.error();
  CertificateSpec sub;
  sub.profile = CertificateProfile::kSubordinateCa;
  sub.subject =
      DistinguishedName{{{"CN", "Contoso Issuing CA 1"}, {"DC", "contoso"}, {"DC", "com"}}};
  sub.serial_hex = "6100000002d4a1f7c3b9e05a12000000000002";
  sub.not_before = kCaNotBefore;
  sub.not_after = kCaNotAfter;
  sub.template_name = "SubCA";
  // An offline root publishes over HTTP only: it has no directory to write to.
  sub.crl_urls = {"http://pki.contoso.com/CertEnroll/Contoso%20Root%20CA.crl"};
  sub.ca_issuer_urls = {"http://pki.contoso.com/CertEnroll/ROOT01_Contoso%20Root%20CA.crt"};
  auto sub_ca = issue_certificate(sub, sub_key->get(),
                                  IssuerRef{root->certificate.get(), root->key.get()}, true);
  if (!sub_ca) return sub_ca.error();
  if (auto a =
          machine.store(StoreLocation::kLocalMachine, "CA").add(certificate_der(sub_ca->get()), {});
      !a) {
    return a.error();
  }

  auto web_key = keys.next(KeyAlgorithm::kRsa2048);
  if (!web_key) return web_key.error();
  CertificateSpec web;
  web.subject = DistinguishedName{{{"CN", "intranet.contoso.com"}}};
  web.serial_hex = "1300000019a3e2c4d5b6f70819000000000019";
  web.not_before = kLeafNotBefore;
  web.not_after = kLeafNotAfter;
  web.ekus = {std::string(wc::szOID_PKIX_KP_SERVER_AUTH)};
  web.dns_names = {"intranet.contoso.com"};
  web.template_name = "WebServer";
  const auto urls =
      enterprise_urls("Contoso Issuing CA 1", "PKI01", "DC=contoso,DC=com", "PKI01.contoso.com");
  web.crl_urls = urls.crl;
  web.ca_issuer_urls = urls.ca_issuers;
  auto leaf =
      issue_certificate(web, web_key->get(), IssuerRef{sub_ca->get(), sub_key->get()}, true);
  if (!leaf) return leaf.error();
  const std::string container = "te-WebServer-3f9a1c7e-52d8-4b06-9e3a-7c1d5f20b8e4";
  if (auto s = add_with_machine_key(machine, machine.store(StoreLocation::kLocalMachine, "My"),
                                    leaf->get(), wc::MS_KEY_STORAGE_PROVIDER, container,
                                    ContainerKey{wc::AT_NONE, *web_key}, false);
      !s) {
    return s.error();
  }
  return machine;
}

}  // namespace certbed::emulator
