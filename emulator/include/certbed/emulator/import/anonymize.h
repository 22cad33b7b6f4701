// Anonymizing a customer's dump before it becomes a fixture: every identifying value (name
// attribute values, container and unique container names, friendly names, request originators,
// serials, template names other than Microsoft's built-in ones) is replaced consistently across
// the whole dump, keeping what matters for a repair: the length, the characters that matter for
// quoting (& % " ^ ' and spaces, punctuation, non-ASCII), a GUID's shape and the <hash>_<GUID>
// shape of unique container names. Provider names, Microsoft's template names and OIDs stay.
// Replacements are drawn from a fixed-seed generator in order of first appearance, never
// derived from the original, so a short name cannot be recovered by trying candidates.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/formats/dump/dump_parser.h"

namespace certbed::emulator {

struct Replacement {
  std::string kind;  // "name", "container", "serial", "thumbprint"
  std::string original;
  std::string replacement;
  bool operator==(const Replacement&) const = default;
};

class Anonymizer {
 public:
  // A value of a name attribute, a friendly name, a template or CA name: letters become other
  // letters of the same case, digits other digits; everything else is kept.
  std::string name(std::string_view original);
  // A key container or unique container name: GUIDs become other GUIDs (one machine GUID stays
  // one), a leading 32-hex-digit hash another hash, the rest as name() does.
  std::string container(std::string_view original);
  // A serial: the same number of hex digits, still a positive DER INTEGER as printed.
  std::string serial(std::string_view original);
  // Recorded so the --map table can give the original thumbprint beside the imported one.
  void add_thumbprint(std::string original, std::string imported);

  // Every replacement, in order of first appearance.
  const std::vector<Replacement>& table() const { return table_; }

  // Replaces every identifying value of the records in place, and leaves out what cannot be
  // anonymized value by value: hashes and key ids (the import computes its own), properties
  // other than those whose value is a number, a hash, a flag or a replaced name, unread lines
  // and the reasons quoting unfaithful or masked values.
  void anonymize(std::vector<repair::DumpCertificate>& records);

 private:
  std::string mapped(const std::string& kind, std::string_view original,
                     std::string (Anonymizer::*make)(std::string_view));
  std::string make_name(std::string_view original);
  std::string make_container(std::string_view original);
  std::string make_serial(std::string_view original);
  std::string make_guid(std::string_view original);
  std::uint64_t next();

  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
  std::map<std::string, std::string> by_original_;  // kind + '\n' + original
  std::map<std::string, std::string> used_;         // kind + '\n' + replacement -> original
  std::vector<Replacement> table_;
};

// AD CS's built-in certificate templates (their v1 names), which stay as they are.
bool is_builtin_template(std::string_view name);

}  // namespace certbed::emulator
