// Diagnosis of a certutil dump in two streaming passes, so a dump of any size is diagnosed in
// memory bounded by its key containers, not by its text: the first pass collects the containers
// certutil showed (a compact KeyContainerIndex), the second runs the per-certificate rules on
// each record as it is parsed and hands each finding on at once. The findings equal those of
// diagnose(DumpStore::parse(...)) for the same bytes, in the same order.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/rules/diagnosis.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::repair {

// Hands the dump's bytes, from the first, to `sink` in chunks of any size, and stops early when
// the sink returns false (the parser has seen enough to know the input is not a dump). Called
// once per pass.
using DumpChunkSink = std::function<bool(std::string_view)>;
using DumpReader = std::function<Status(const DumpChunkSink& sink)>;

struct DumpDiagnosis {
  DumpSummary summary;          // of the first pass (warnings with their lines)
  std::size_t findings = 0;     // handed to the callback
  std::size_t containers = 0;   // indexed in the first pass
  std::size_t index_bytes = 0;  // heap held by the container index
  StoreIdentity store;          // as DumpStore works it out (DumpStoreEvidence)
  DiagnosisCoverage coverage;   // what the rules could check
};

// `on_summary`, when given, sees the first pass's summary (its warnings) before any finding;
// `hint` says what the caller knows of the dump's store (--store, --location).
using FindingSink = std::function<void(Finding&&)>;
using SummarySink = std::function<void(const DumpSummary&)>;
Result<DumpDiagnosis> diagnose_dump_stream(const DumpReader& read, const std::string& source,
                                           const DiagnosisOptions& options,
                                           const FindingSink& on_finding,
                                           const SummarySink& on_summary = {},
                                           const StoreHint& hint = {});

}  // namespace certbed::repair
