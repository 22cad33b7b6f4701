// Emulates certutil: prints an emulated store as `certutil -store` / `certutil -v -store` do.
#pragma once

#include <ostream>
#include <string>

#include "certbed/emulator/keys/key_access.h"
#include "certbed/emulator/machine/machine.h"

namespace certbed::emulator {

struct DumpOptions {
  bool verbose = false;  // -v
  bool crlf = false;     // Windows line endings, as cmd.exe's redirection writes them
  // The store name as the user typed it; certutil echoes it in the header line.
  std::string typed_store_name;
  // Who runs certutil: an elevated administrator by default. A standard user cannot read machine
  // keys, so their certificates show "Missing stored keyset".
  Caller caller = Caller::administrator();
};

// Writes the whole dump (header, one block per certificate, closing line) to `out`, one
// certificate at a time, so memory stays flat for large stores.
void render_store_dump(const Machine& machine, const CertificateStore& store,
                       const DumpOptions& options, std::ostream& out);
std::string render_store_dump(const Machine& machine, const CertificateStore& store,
                              const DumpOptions& options);

// en-US short date and time without seconds, as certutil prints them: "1/15/2024 10:00 AM".
std::string certutil_date(const std::string& iso_utc);

}  // namespace certbed::emulator
