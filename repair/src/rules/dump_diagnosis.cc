// Streaming diagnosis of a dump in two passes: containers first, then each record's rules.
#include "certbed/repair/rules/dump_diagnosis.h"

#include "certbed/repair/store/dump_store.h"
#include "rule_support.h"

namespace certbed::repair {

Result<DumpDiagnosis> diagnose_dump_stream(const DumpReader& read, const std::string& source,
                                           const DiagnosisOptions& options,
                                           const FindingSink& on_finding,
                                           const SummarySink& on_summary, const StoreHint& hint) {
  DumpDiagnosis result;

  // Pass 1: the containers, as DumpStore collects them.
  KeyContainerIndex::Builder builder;
  DumpStoreEvidence evidence;
  std::uint32_t index = 0;
  StoreDumpParser first(
      [&](DumpCertificate&& record) {
        const auto facts = dump_record_facts(record, index);
        for (const auto& c : facts.containers) builder.add(c);
        evidence.add(facts.certificate);
        ++index;
      },
      source);
  if (auto status = read([&](std::string_view chunk) {
        first.feed(chunk);
        return !first.done();
      });
      !status) {
    return status.error();
  }
  auto summary = first.finish();
  if (!summary) return summary.error();
  result.summary = std::move(*summary);
  if (auto refused = not_a_store_dump(result.summary, source)) return *refused;
  if (on_summary) on_summary(result.summary);

  result.store = evidence.identity(result.summary, hint);
  result.coverage.store = result.store;
  result.coverage.containers_inferred = true;
  result.coverage.service_account = options.service_account;
  rules::Context ctx{nullptr, options,     std::move(builder).build(), true, std::nullopt,
                     true,    result.store};
  result.containers = ctx.containers.size();
  result.index_bytes = ctx.containers.memory_bytes();

  // Pass 2: the rules, one record at a time. A dump has no CA configuration, so the store-wide
  // rules (which read it) have nothing to say, as with DumpStore.
  std::uint32_t seen = 0;
  std::size_t usable = 0;
  std::vector<Finding> findings;
  StoreDumpParser second(
      [&](DumpCertificate&& record) {
        findings.clear();
        const CertFacts cert = dump_record_facts(record, seen).certificate;
        if (rules::assessable(cert)) ++usable;
        result.coverage.add(cert);
        rules::diagnose_certificate(ctx, cert, findings);
        ++seen;
        for (auto& f : findings) {
          ++result.findings;
          on_finding(std::move(f));
        }
      },
      source);
  if (auto status = read([&](std::string_view chunk) {
        second.feed(chunk);
        return !second.done();
      });
      !status) {
    return status.error();
  }
  if (auto again = second.finish(); !again) return again.error();
  if (seen != index) {
    return make_error(ErrorCode::kIo, source + ": the dump changed while it was read (" +
                                          std::to_string(index) + " certificates, then " +
                                          std::to_string(seen) + ")");
  }
  if (auto f = rules::cannot_assess(seen, usable)) {
    ++result.findings;
    on_finding(std::move(*f));
  }
  return result;
}

}  // namespace certbed::repair
