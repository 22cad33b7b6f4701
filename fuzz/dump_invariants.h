// Shared by the store dump targets: parse one input whole and in chunks, and check what must hold
// for any input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "fuzz_check.h"

namespace certbed::fuzz {

// Small caps reach the line / record / warning limits within libFuzzer's input sizes.
inline repair::DumpParserOptions small_caps() {
  repair::DumpParserOptions options;
  options.max_line_bytes = 200;
  options.max_record_bytes = 4000;
  options.max_warnings = 8;
  return options;
}

// Chunk sizes from the first bytes of the input (which are still parsed too): mostly small, so
// code units, surrogate pairs and CRLF get split, sometimes large.
inline std::vector<std::size_t> chunk_sizes(std::string_view input) {
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < std::min<std::size_t>(input.size(), 8); ++i) {
    const auto b = static_cast<std::size_t>(static_cast<unsigned char>(input[i]));
    sizes.push_back((b & 0x80) ? (b & 0x7F) * 97 + 1 : (b & 0x0F) + 1);
  }
  if (sizes.empty()) sizes.push_back(1);
  return sizes;
}

using ParsedDump =
    repair::Result<std::pair<std::vector<repair::DumpCertificate>, repair::DumpSummary>>;

inline ParsedDump parse_chunked(std::string_view input, const repair::DumpParserOptions& options) {
  std::vector<repair::DumpCertificate> records;
  repair::StoreDumpParser parser(
      [&records](repair::DumpCertificate&& c) { records.push_back(std::move(c)); }, "fuzz",
      options);
  const auto sizes = chunk_sizes(input);
  for (std::size_t at = 0, k = 0; at < input.size(); ++k) {
    const std::size_t n = std::min(sizes[k % sizes.size()], input.size() - at);
    parser.feed(input.substr(at, n));
    at += n;
  }
  auto summary = parser.finish();
  // Calling finish() again returns the same summary and delivers nothing new.
  auto again = parser.finish();
  CHECK(summary.ok() == again.ok(), "a second finish() disagrees with the first");
  if (summary.ok()) CHECK(*summary == *again, "a second finish() changed the summary");
  if (!summary) return summary.error();
  return std::make_pair(std::move(records), std::move(*summary));
}

inline void check_consistent(const ParsedDump& parsed) {
  if (!parsed) {
    CHECK(parsed.error().code == repair::ErrorCode::kParse, "a dump error that is not kParse");
    return;
  }
  const auto& [records, summary] = *parsed;
  CHECK(summary.certificates == records.size(), "summary.certificates != records delivered");
  const auto incomplete = static_cast<std::size_t>(
      std::count_if(records.begin(), records.end(), [](const auto& c) { return !c.complete; }));
  CHECK(summary.incomplete_certificates == incomplete,
        "summary.incomplete_certificates != records marked incomplete");
  std::size_t previous_last = 0;
  for (const auto& c : records) {
    CHECK(c.first_line >= 1 && c.first_line <= c.last_line, "record line range is inverted");
    CHECK(c.first_line > previous_last || previous_last == 0, "records overlap or go backwards");
    CHECK(c.last_line <= summary.lines, "record ends after the last line");
    CHECK(c.unfaithful.size() <= repair::DumpCertificate::kMaxUnfaithfulLines &&
              c.unfaithful.size() <= c.unfaithful_lines,
          "more unfaithful lines kept than the cap or the count");
    for (const auto& u : c.unfaithful) {
      CHECK(u.line >= previous_last && u.line <= summary.lines && !u.reason.empty(),
            "an unfaithful line outside the input, or without a reason");
    }
    // Text the decoder could not read exactly never comes out looking clean.
    const bool damaged = c.key_provider && c.key_provider->container &&
                         (c.key_provider->container->find('\0') != std::string::npos ||
                          c.key_provider->container->find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(!damaged || c.unfaithful_lines > 0, "a container with NUL or U+FFFD is not marked");
    previous_last = c.last_line;
  }
}

// Whole and chunked parses must agree on everything.
inline ParsedDump check_whole_and_chunked(std::string_view input,
                                          const repair::DumpParserOptions& options) {
  auto whole = repair::parse_store_dump(input, "fuzz", options);
  check_consistent(whole);
  const auto chunked = parse_chunked(input, options);
  check_consistent(chunked);
  CHECK(whole.ok() == chunked.ok(), "whole and chunked parses disagree on success");
  if (whole.ok()) {
    CHECK(whole->first == chunked->first, "whole and chunked parses give different records");
    CHECK(whole->second == chunked->second, "whole and chunked parses give different summaries");
  } else {
    CHECK(whole.error() == chunked.error(), "whole and chunked parses give different errors");
  }
  return whole;
}

}  // namespace certbed::fuzz
