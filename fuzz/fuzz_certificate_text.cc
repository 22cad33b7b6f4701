// The verbose certutil text of an arbitrary certificate: a DER that OpenSSL reads (as an .sst or
// .reg import brings a customer's certificates in) goes into an emulated store and renders. The
// extension decoders read whatever the certificate holds, so the text must come out whole: the
// X509 section, its hash lines and the closing line, whatever the extensions are.
#include <cstddef>
#include <cstdint>
#include <string>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/machine.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const certbed::repair::ByteView der(data, size);
  if (!certbed::emulator::certificate_from_der(der).ok()) return 0;
  certbed::emulator::Machine machine;
  auto& store = machine.store(certbed::emulator::StoreLocation::kLocalMachine, "My");
  if (!store.add(certbed::repair::Bytes(der.begin(), der.end()), {}).ok()) return 0;
  const std::string sha1 = store.at(0).facts.sha1;
  certbed::emulator::DumpOptions options;
  options.verbose = true;
  const std::string text = certbed::emulator::render_store_dump(machine, store, options);
  CHECK(text.find("\nX509 Certificate:\n") != std::string::npos, "no X509 section");
  CHECK(text.find("\nCert Hash(sha1): " + sha1 + "\n") != std::string::npos,
        "the X509 section does not end with the certificate's hashes");
  CHECK(text.find("CertUtil: -store command completed successfully.") != std::string::npos,
        "the dump has no closing line");
  return 0;
}
