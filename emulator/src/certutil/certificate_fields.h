// The "X509 Certificate:" section of `certutil -v -store`: the certificate's fields, extensions
// and hashes as certutil decodes them.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "certbed/repair/model/cert_facts.h"
#include "dump_text.h"

namespace certbed::emulator::certutil {

// The dotted form of an OID.
std::string oid_text(const ASN1_OBJECT* obj);

// "Server Authentication (1.3.6.1.5.5.7.3.1)", or the bare OID when certutil has no name for it.
std::string eku_line(const std::string& oid);

void x509_section(LineWriter& w, X509* cert, const repair::CertFacts& facts);

}  // namespace certbed::emulator::certutil
