// import_store_dump on arbitrary bytes, as certbed import-dump runs it on a customer's dump:
// each run fails with an error or yields a machine that saves, loads back to the same bytes, and
// prints (certutil -store and -v -store) without a crash. Inputs of even size get the store
// hint (My, LocalMachine) a support engineer gives a header-less dump, so those import too;
// sizes divisible by three are imported with --anonymize.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/import/dump_import.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "fuzz_check.h"

namespace emu = certbed::emulator;

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  emu::DumpImportOptions options;
  if (size % 2 == 0) {
    options.hint.name = "My";
    options.hint.location = certbed::repair::StoreLocation::kLocalMachine;
  }
  options.anonymize = size % 3 == 0;
  auto imported = emu::import_store_dump(input, "fuzz.txt", options);
  if (!imported) {
    CHECK(!imported.error().message.empty(), "an import error without a message");
    return 0;
  }
  CHECK(imported->machine.import_record().has_value(), "an imported machine without its record");

  const auto saved = emu::serialize_snapshot(imported->machine, emu::SnapshotFormat::kBinary);
  CHECK(saved.ok(), ("an imported machine does not save: " + saved.error().to_string()).c_str());
  const auto loaded = emu::parse_snapshot(*saved, emu::SnapshotFormat::kBinary, "imported");
  CHECK(loaded.ok(),
        ("an imported machine does not load back: " + loaded.error().to_string()).c_str());
  const auto again = emu::serialize_snapshot(*loaded, emu::SnapshotFormat::kBinary);
  CHECK(again.ok() && *again == *saved, "an imported machine loads back different");

  const auto caller = emu::parse_caller(loaded->import_record()->caller);
  CHECK(caller.has_value(), "an imported machine records a caller certbed cannot read");
  for (const auto& [key, store] : loaded->stores()) {
    for (const bool verbose : {false, true}) {
      emu::DumpOptions dump;
      dump.verbose = verbose;
      dump.caller = *caller;
      const std::string printed = emu::render_store_dump(*loaded, store, dump);
      CHECK(printed.find("CertUtil: -store command completed successfully.") != std::string::npos,
            "a printed store without certutil's closing line");
    }
  }
  return 0;
}
