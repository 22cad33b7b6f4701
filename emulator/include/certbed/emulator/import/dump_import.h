// A customer's certutil dump becomes an emulated machine of the same shape, so a support case can
// be replayed, repaired and kept as a regression fixture: each certificate is re-created with
// OpenSSL from what the dump prints, each key line becomes a key container (or its absence), and
// what the dump cannot give (signatures, thumbprints, unprinted fields) is recorded in the
// machine's DumpImportRecord.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certbed/emulator/import/anonymize.h"
#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::emulator {

struct DumpImportOptions {
  repair::StoreHint hint;  // --store / --location: what the dump's text may not say
  // --anonymize: the machine holds no original value (see anonymize.h); the original-to-
  // replacement table, thumbprints included, is returned beside it instead of recorded in it.
  bool anonymize = false;
};

struct ImportedMachine {
  Machine machine;
  repair::StoreIdentity store;                // where the certificates went, with its evidence
  std::vector<repair::DumpWarning> warnings;  // the parser's, then the import's own (line 0)
  std::vector<Replacement> replacements;      // with anonymize only
  bool verbose = false;  // the dump was printed by certutil -v (a record shows it)
};

// Imports a whole dump (any encoding the dump parser reads). Deterministic: the same dump gives
// the same machine, byte for byte. An error (kParse, kInvalidArgument) when the input is not a
// store dump, shows no certificate, or does not say its store or location and the hint does not
// either; a record that cannot be re-created is left out with a warning and recorded.
repair::Result<ImportedMachine> import_store_dump(std::string_view bytes, const std::string& source,
                                                  const DumpImportOptions& options = {});

}  // namespace certbed::emulator
