// Enterprise PKI scenarios: the certificate locations an AD CS enterprise CA writes, and a member
// server whose certificates carry them.
#pragma once

#include <string>
#include <vector>

#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

// The CRL and AIA locations an enterprise CA writes by default: the LDAP objects under the
// forest's Public Key Services, then the CA host's CertEnroll folder over HTTP (KB 291010's
// sample certificate; fixtures/certutil/x509/25). Spaces are stored as %20, as AD CS stores them.
struct EnterpriseUrls {
  std::vector<std::string> crl;
  std::vector<std::string> ca_issuers;
};

EnterpriseUrls enterprise_urls(const std::string& ca_name, const std::string& host,
                               const std::string& domain_dn, const std::string& host_fqdn);

// The "enterprise-issued" scenario (see scenarios.cc for its description).
repair::Result<Machine> enterprise_issued();

}  // namespace certbed::emulator
