// Streaming parser for `certutil -store` / `certutil -v -store` text (and the same per-certificate
// layout printed by -repairstore, -exportPFX, -scinfo): one certificate record at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "certbed/repair/model/cert_facts.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

struct DumpWarning {
  std::size_t line = 0;  // 1-based; 0 when the warning is about the whole input
  std::string message;

  bool operator==(const DumpWarning&) const = default;
  std::string to_string() const;  // "12: message"
};

// A key provider block: CERT_KEY_PROV_INFO_PROP_ID(2) (verbose), the indented "Key Container =
// / Provider =" lines (non-verbose), or what certutil found by searching providers after "No key
// provider information". Fields the dump did not print are nullopt (non-verbose dumps print no
// ProviderType, Flags or KeySpec).
struct DumpKeyProvider {
  std::optional<std::string> container;         // "Key Container = "
  std::optional<std::string> unique_container;  // "Unique container name: "
  std::optional<std::string> simple_container;  // "Simple container name: " (when the stored
                                                // container already is the unique name)
  std::optional<std::string> provider;          // "Provider = "
  std::optional<std::uint32_t> provider_type;   // "ProviderType = " (hex, optional "(dec)")
  std::optional<std::uint32_t> flags;           // "Flags = 20 (32)"; Win8 prints "Flags = 20"
  std::optional<std::uint32_t> key_spec;        // "KeySpec = 2 -- AT_SIGNATURE"
  std::vector<std::string> flag_names;          // decode lines: "CRYPT_MACHINE_KEYSET", "0x1"

  bool operator==(const DumpKeyProvider&) const = default;
  // True when container, provider, provider type, flags and KeySpec were all printed.
  bool complete() const;
  bool empty() const;
};

// One "  NAME(id):" section of the verbose property list, in the order printed.
struct DumpProperty {
  std::uint32_t id = 0;
  std::string name;    // "CERT_SHA1_HASH_PROP_ID", "Unknown Property", or a localized label
  std::string suffix;  // "disallowedHash" in "CERT_SIGNATURE_HASH_PROP_ID(15) disallowedHash:"
  std::size_t line = 0;
  std::vector<std::string> raw_lines;  // value lines, trimmed, as printed

  bool operator==(const DumpProperty&) const = default;
};

// A line of a record whose text does not say exactly what Windows printed: read in a guessed
// code page, holding U+FFFD or a NUL, cut at the line limit, holding a value documentation
// masked, or joined from a paragraph a documentation tool reflowed (one entry for it).
struct DumpUnfaithfulLine {
  std::size_t line = 0;
  std::string reason;
  bool operator==(const DumpUnfaithfulLine&) const = default;
};

struct DumpCertificate {
  std::optional<std::uint32_t> index;  // from "================ Certificate N ================"
  std::size_t first_line = 0;          // 1-based line where the record starts
  std::size_t last_line = 0;
  bool verbose = false;  // "X509 Certificate:" or a property list was seen

  std::string serial;                 // lower-case hex, no spaces
  std::string issuer, subject;        // "CN=a, DC=b, DC=c" (verbose RDN lines joined with ", ")
  std::string not_before, not_after;  // as printed (locale-dependent local time), trimmed
  std::string sha1, md5, sha256, signature_hash;  // lower-case hex, no spaces
  std::string subject_name_hash_sha1, subject_name_hash_md5;
  std::string issuer_name_hash_sha1, issuer_name_hash_md5;
  std::string key_id_hash_rfc_sha1;  // "Key Id Hash(rfc-sha1)": links the cert to its key
  std::string key_id_hash_sha1;
  std::optional<std::uint32_t> public_key_bits;  // "Public Key Length: 2048 bits" (verbose)

  std::optional<DumpKeyProvider> key_provider;  // property 2 / non-verbose key block
  bool no_key_provider_info = false;            // "No key provider information"
  std::optional<DumpKeyProvider> found_key;     // what certutil found searching the providers
  std::vector<DumpProperty> properties;
  std::vector<std::string> key_status;   // "Signature test passed", "Missing stored keyset", ...
  std::vector<std::string> key_details;  // verbose key detail section (opaque, section 5)
  std::vector<std::string> other_lines;  // lines kept but not understood

  std::vector<std::string> ekus;             // dotted OIDs from the EKU extension (verbose)
  std::string template_name;                 // "Template: CA, Root ..." -> "CA"; v1/v2 extension
  std::optional<std::string> friendly_name;  // CERT_FRIENDLY_NAME_PROP_ID(11)
  bool archived = false;                     // "Archived!" or CERT_ARCHIVED_PROP_ID(19)
  std::optional<bool> is_ca;    // true: "Subject Type=CA" or a CA Version; false: End Entity
  std::optional<bool> is_root;  // "Root Certificate: ..." / "Non-root Certificate"
  std::optional<std::uint32_t> ca_version;  // "V1.2" -> (2 << 16) | 1, as CertFacts wants

  bool complete = false;     // false when the input ended or was cut inside the record
  bool elided = false;       // documentation elisions ("..."), placeholders or masked values
  std::size_t warnings = 0;  // warnings raised while parsing this record
  // Lines of this record not read faithfully (the first kMaxUnfaithfulLines); values taken from
  // such a record are never written into an INF or a script.
  std::vector<DumpUnfaithfulLine> unfaithful;
  std::size_t unfaithful_lines = 0;  // all of them, also those beyond the cap
  // Ids documentation masked (serial, thumbprint, key id, unique container name; the first
  // kMaxUnfaithfulLines): no script may name the certificate by them, though its names may
  // still go into an INF.
  std::vector<DumpUnfaithfulLine> masked;
  static constexpr std::size_t kMaxUnfaithfulLines = 8;

  bool operator==(const DumpCertificate&) const = default;
  std::string to_string() const;

  // What the engine needs. Choices, since a dump is not a store:
  // - not_before/not_after stay empty: the dump prints local time in the user's locale and
  //   CertFacts wants UTC; the printed text stays in this record.
  // - property 2 is encoded (encode_key_prov_info) when container and provider are known.
  //   Numbers the dump did not print are inferred: provider type from the provider name
  //   (a "... Key Storage Provider" -> 0, a known CSP -> its PROV_ type, any other name ->
  //   PROV_RSA_FULL), flags 0, KeySpec AT_NONE for a KSP and AT_KEYEXCHANGE for a CSP.
  //   key_provider->complete() tells whether anything was inferred.
  // - other properties are added only when their printed value gives the exact bytes: hex
  //   (contiguous, spaced or either hex-dump layout), DWORDs ("0x00000800 (2048)",
  //   "AccessState = 6"), strings (11, 13, 71: UTF-16LE with terminator), the empty
  //   CERT_ARCHIVED_PROP_ID(19). Decoded text (EKU lists, ...) is left out of the bag rather
  //   than stored as wrong bytes; it stays in `properties`.
  // - "Archived!" in a non-verbose dump adds the empty property 19.
  // - `unfaithful` becomes CertFacts::unfaithful_text, so no repair uses this record's names;
  //   `masked` becomes CertFacts::masked_ids, so no script names the certificate.
  CertFacts to_cert_facts() const;
};

struct DumpSummary {
  std::string source_name;
  std::vector<DumpWarning> warnings;    // capped (DumpParserOptions::max_warnings)
  std::size_t suppressed_warnings = 0;  // warnings beyond the cap
  std::size_t certificates = 0;         // records delivered
  std::size_t incomplete_certificates = 0;
  std::size_t lines = 0;
  std::string encoding;                // "utf-8", "utf-8-bom", "utf-16le", "utf-16be", ...
  bool saw_completion_line = false;    // "CertUtil: -<verb> command completed successfully."
  std::string completion_line;         // as printed (may be localized)
  std::optional<std::string> failure;  // "CertUtil: -store command FAILED: ..." (+ message)
  std::string verb;                    // "store" of the last "CertUtil: -store command ..."
  std::string store_name;              // header line: "my" of `my "Personal"`
  std::string store_description;       // "Personal"
  std::string command_line;            // a prompt line running certutil, if the text has one
  bool elided = false;                 // documentation elisions were seen

  bool operator==(const DumpSummary&) const = default;
};

struct DumpParserOptions {
  std::size_t max_line_bytes = std::size_t{1} << 20;     // longer lines are truncated
  std::size_t max_record_bytes = std::size_t{16} << 20;  // longer records are cut
  std::size_t max_warnings = 1000;
  // Input that shows nothing only certutil prints (a separator, a "Serial Number:" line, a
  // "CertUtil: -<verb>" line) within this many raw bytes is not a dump: the parser stops there
  // instead of reading a device or a large unrelated file to its end. Checked after each fed
  // chunk, so a chunk that crosses the limit is still read whole; real dumps show a separator in
  // their first lines.
  std::size_t max_bytes_without_evidence = std::size_t{4} << 20;
};

// Feed chunks of any size; each finished certificate record goes to the callback, so memory is
// bounded by the largest record, not by the input. Never throws on any input.
class StoreDumpParser {
 public:
  using Callback = std::function<void(DumpCertificate&&)>;

  explicit StoreDumpParser(Callback on_certificate, std::string source_name = "",
                           DumpParserOptions options = {});
  ~StoreDumpParser();
  StoreDumpParser(StoreDumpParser&&) noexcept;
  StoreDumpParser& operator=(StoreDumpParser&&) noexcept;
  StoreDumpParser(const StoreDumpParser&) = delete;
  StoreDumpParser& operator=(const StoreDumpParser&) = delete;

  // Raw file bytes. Detects a UTF-8, UTF-16LE or UTF-16BE BOM (and BOM-less UTF-16 by its NUL
  // bytes); a code unit, surrogate pair or CRLF may be split across chunks. Does nothing once
  // done().
  void feed(std::string_view bytes);

  // True once more input cannot change the outcome: after finish(), or once more than
  // DumpParserOptions::max_bytes_without_evidence bytes were fed without a sign of a dump (then
  // finish() is the not-a-dump error). A read loop stops reading here.
  bool done() const;

  // Flushes the last record (complete=false when the input ended inside it). An error only when
  // the input is not a certutil dump at all; every other problem is a warning with a line.
  // Call once; later feed() and finish() calls do nothing / return the same summary.
  Result<DumpSummary> finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience over StoreDumpParser for input already in memory.
Result<std::pair<std::vector<DumpCertificate>, DumpSummary>> parse_store_dump(
    std::string_view whole_file, std::string source_name = "", DumpParserOptions options = {});

}  // namespace certbed::repair
