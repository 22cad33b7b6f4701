// What the importer decides for one dump record before it issues anything: the certificate's
// fields, the container its key line becomes (or none), and what cannot be reproduced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/import/dump_values.h"
#include "certbed/emulator/keys/key_provider.h"
#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::emulator::import {

// The container one record's key line stands for.
struct PlannedContainer {
  ProviderInfo provider;
  std::string name;         // the name NCryptOpenKey / CryptAcquireContext takes
  std::string unique_name;  // empty: the emulator's <hash>_<GUID> shape
  repair::KeyScope scope = repair::KeyScope::kMachine;
  std::uint32_t key_spec = 0;
  bool exportable = true;
  // false when certutil printed that the container's key is not the certificate's.
  bool holds_certificate_key = true;
  // "Missing stored keyset": the key may exist and deny the dump's caller; the importer settles
  // it across the whole dump (settle_missing_keysets in dump_import.cc).
  bool denies_caller = false;
};

struct PlannedCertificate {
  const repair::DumpCertificate* record = nullptr;
  std::string label;  // "certificate 3" (the dump's number, else its position)
  CertificateSpec spec;
  bool is_ca = false;        // printed, or inferred (noted in not_reproduced)
  ImportedKeyAlgorithm key;  // see dump_values.h (filled by plan_certificate)
  std::optional<PlannedContainer> container;
  std::vector<std::string> not_reproduced;  // each "certificate N: ..."
  std::vector<std::string> key_choices;
};

using repair::Result;

// The certificate's fields from what the record prints (`position`: its place in the dump, for
// records without a number). An error when its subject does not read as a name.
Result<PlannedCertificate> plan_certificate(const repair::DumpCertificate& record,
                                            std::size_t position);
// The container the record's key lines stand for, in a store at `location`: certutil opened it
// (a test passed, or it printed the unique or simple container name), printed that its key does
// not match, or found it by searching. "Missing stored keyset" is planned with denies_caller set
// and settled across the whole dump by the importer.
void plan_container(PlannedCertificate& planned, repair::StoreLocation location);

}  // namespace certbed::emulator::import
