// A store's certificates as the registry holds them, in a .reg file: one key per certificate,
// HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SystemCertificates\<store>\Certificates\<SHA-1>, whose
// REG_BINARY value Blob is the certificate serialized with its properties.
#pragma once

#include <string>
#include <vector>

#include "certbed/emulator/machine/machine.h"
#include "certbed/emulator/serialized/serialized_certificates.h"
#include "certbed/repair/formats/registry/reg_file.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

// The key holding a store's certificates, as Microsoft's store migration page names them:
// HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SystemCertificates\My\Certificates for LocalMachine\My,
// HKEY_CURRENT_USER for CurrentUser, and EnterpriseCertificates for LocalMachineEnterprise.
std::string certificates_key(StoreLocation location, std::string_view store_name);

// What `reg export <certificates_key>` writes for the store: the Certificates key, then one key
// per certificate in the registry's order (by thumbprint), each with its Blob.
repair::RegFile registry_export(const CertificateStore& store, StoreLocation location);

struct RegistryStore {
  StoreLocation location = StoreLocation::kLocalMachine;
  std::string name;
  SerializedCertificates certificates;
};

// The certificates of each store a .reg file holds, in file order. Keys without values (the
// store, its Certificates, CRLs and CTLs keys) are skipped. Errors name `source` and the line:
// a value outside a certificate key, a CRL or CTL Blob (certbed keeps certificates only), a
// certificate key without a Blob or with another value, a Blob that is not one serialized
// certificate, and a key whose name is not the SHA-1 of its certificate (crypt32 ignores
// such a key; certbed refuses rather than drop it).
repair::Result<std::vector<RegistryStore>> decode_registry_certificates(const repair::RegFile& file,
                                                                        const std::string& source);

}  // namespace certbed::emulator
