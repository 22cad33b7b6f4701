// Streaming parser for certutil store dumps: bytes -> UTF-8 lines -> certificate records.
// Layout facts: reference/certutil-dump-format.md; labels: dump_format.h. The stages are in
// dump_encoding.cc, dump_lines.cc and dump_record*.cc; to_cert_facts in dump_cert_facts.cc.
#include "certbed/repair/formats/dump/dump_parser.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "certbed/repair/formats/dump/dump_format.h"
#include "dump_stages.h"

namespace certbed::repair {

namespace df = dump_format;

void dump_detail::ParseContext::warn(std::size_t line, std::string message) {
  if (record_warnings != nullptr) ++*record_warnings;
  if (summary.warnings.size() < options.max_warnings) {
    summary.warnings.push_back(DumpWarning{line, std::move(message)});
  } else {
    ++summary.suppressed_warnings;
  }
}

std::string DumpWarning::to_string() const { return std::to_string(line) + ": " + message; }

bool DumpKeyProvider::complete() const {
  return container && provider && provider_type && flags && key_spec;
}

bool DumpKeyProvider::empty() const {
  return !container && !unique_container && !simple_container && !provider && !provider_type &&
         !flags && !key_spec && flag_names.empty();
}

std::string DumpCertificate::to_string() const {
  std::string out = "DumpCertificate{line=" + std::to_string(first_line);
  if (index) out += ", index=" + std::to_string(*index);
  out += ", serial=" + serial + ", subject=\"" + subject + "\", sha1=" + sha1;
  if (key_provider) {
    out += ", key_provider={container=" + key_provider->container.value_or("?") +
           ", provider=" + key_provider->provider.value_or("?");
    if (key_provider->key_spec) out += ", KeySpec=" + std::to_string(*key_provider->key_spec);
    out += "}";
  }
  out += ", properties=" + std::to_string(properties.size()) +
         ", status=" + std::to_string(key_status.size()) +
         (complete ? ", complete" : ", incomplete") + "}";
  return out;
}

class StoreDumpParser::Impl {
 public:
  Impl(Callback cb, std::string source, DumpParserOptions options)
      : records_(ctx_, std::move(cb)), lines_(ctx_, records_), decoder_(ctx_, lines_) {
    ctx_.options = options;
    ctx_.summary.source_name = std::move(source);
  }

  void feed(std::string_view bytes) {
    if (done()) return;
    decoder_.feed(bytes);
    const std::size_t limit = ctx_.options.max_bytes_without_evidence;
    bytes_fed_ += std::min(bytes.size(), SIZE_MAX - bytes_fed_);
    // After the whole chunk is decoded, so evidence anywhere in it counts.
    if (bytes_fed_ > limit && !records_.evidence()) gave_up_ = true;
  }

  bool done() const { return finished_ || gave_up_; }

  Result<DumpSummary> finish() {
    if (finished_) return finish_result();
    finished_ = true;
    // Once given up, the held line and record are not flushed: the verdict stays the one
    // reached within the limit.
    if (!gave_up_) {
      decoder_.finish();
      lines_.finish();
      records_.finish(lines_.line_count());
    }
    return finish_result();
  }

 private:
  Result<DumpSummary> finish_result() const {
    const DumpSummary& summary = ctx_.summary;
    // A parser that gave up read nothing after deciding, so it has no evidence either.
    if (!records_.evidence()) {
      const std::string what = summary.source_name.empty() ? "input" : summary.source_name;
      const std::string where = gave_up_ ? "the first " +
                                               byte_count(ctx_.options.max_bytes_without_evidence) +
                                               " (" + std::to_string(summary.lines) + " lines)"
                                         : std::to_string(summary.lines) + " lines";
      return make_error(ErrorCode::kParse,
                        what + " is not a certutil store dump: no '" +
                            std::string(df::kSeparatorPrefix) +
                            "N ================' separator, 'Serial Number:' line or "
                            "'CertUtil: -<verb> ...' line in " +
                            where,
                        SourceLocation{summary.source_name, summary.lines, 0});
    }
    return summary;
  }

  // "4 MiB", "64 KiB", "1000 bytes".
  static std::string byte_count(std::size_t n) {
    constexpr std::size_t kKiB = 1024;
    constexpr std::size_t kMiB = kKiB * kKiB;
    if (n != 0 && n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
    if (n != 0 && n % kKiB == 0) return std::to_string(n / kKiB) + " KiB";
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
  }

  // The stages refer to the context and to the next stage: declaration order is construction
  // order.
  dump_detail::ParseContext ctx_;
  dump_detail::RecordBuilder records_;
  dump_detail::LineAssembler lines_;
  dump_detail::DumpDecoder decoder_;
  bool finished_ = false;
  std::size_t bytes_fed_ = 0;  // raw bytes, saturating
  bool gave_up_ = false;       // max_bytes_without_evidence passed without evidence
};

StoreDumpParser::StoreDumpParser(Callback on_certificate, std::string source_name,
                                 DumpParserOptions options)
    : impl_(std::make_unique<Impl>(std::move(on_certificate), std::move(source_name), options)) {}
StoreDumpParser::~StoreDumpParser() = default;
StoreDumpParser::StoreDumpParser(StoreDumpParser&&) noexcept = default;
StoreDumpParser& StoreDumpParser::operator=(StoreDumpParser&&) noexcept = default;

void StoreDumpParser::feed(std::string_view bytes) { impl_->feed(bytes); }
bool StoreDumpParser::done() const { return impl_->done(); }
Result<DumpSummary> StoreDumpParser::finish() { return impl_->finish(); }

Result<std::pair<std::vector<DumpCertificate>, DumpSummary>> parse_store_dump(
    std::string_view whole_file, std::string source_name, DumpParserOptions options) {
  std::vector<DumpCertificate> certs;
  StoreDumpParser parser([&certs](DumpCertificate&& c) { certs.push_back(std::move(c)); },
                         std::move(source_name), options);
  parser.feed(whole_file);
  auto summary = parser.finish();
  if (!summary) return summary.error();
  return std::make_pair(std::move(certs), std::move(*summary));
}

}  // namespace certbed::repair
