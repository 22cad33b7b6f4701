// Diagnosis: a catalog of named rules, each reading store facts and reporting findings with
// their evidence and fix. Rules run on any ReadOnlyStore: a snapshot, a parsed dump, Windows.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/store/store.h"

namespace certbed::repair {

enum class Severity { kInfo, kWarning, kError };
std::string_view severity_name(Severity severity);  // "info", "warning", "error"
std::optional<Severity> parse_severity(std::string_view name);

// How a finding can be fixed from the store alone.
enum class FixKind {
  kNone,                  // nothing to change
  kPropertyInf,           // certutil -repairstore with an INF setting `key_provider`
  kRepairKeyAssociation,  // certutil -repairstore without an INF
  kManual,                // needs something the store does not hold (a key backup, a registry edit)
};
// "none", "inf", "repair-key-association", "manual" (the fix_kind of the findings JSON).
std::string_view fix_kind_name(FixKind kind);
std::optional<FixKind> parse_fix_kind(std::string_view name);

struct Finding {
  std::string rule;
  Severity severity = Severity::kWarning;
  std::optional<std::size_t> index;  // the certificate's index in the store; none for CA-wide
  std::string serial;
  std::string sha1;
  std::string subject;
  bool is_ca = false;  // a certificate of the CA (CACertHash or basic constraints)
  std::string evidence;
  std::string fix;
  FixKind fix_kind = FixKind::kNone;
  std::optional<KeyProvInfo> key_provider;  // kPropertyInf: property 2 as it must become

  bool operator==(const Finding&) const = default;
};

struct DiagnosisOptions {
  // Profiles switch on rules for one application's requirements ("sql").
  std::vector<std::string> profiles;
  // The account that uses the keys (a service's, "NT AUTHORITY\NETWORK SERVICE"), for
  // key-acl-denied; empty: key access is not checked.
  std::string service_account;
  bool has_profile(std::string_view name) const;
};

struct RuleInfo {
  std::string_view id;
  Severity default_severity;
  std::string_view reads;    // the facts it reads
  std::string_view summary;  // what it detects
  std::string_view profile;  // empty: always on; else only with that profile
  // Where it applies; a rule that depends on the store lowers its severity, and says so, when
  // the input does not say which store it is.
  std::string_view applies_to = "any store";
};

const std::vector<RuleInfo>& rule_catalog();

// What a diagnosis could check and what it could not, for summaries: a clean result means only
// as much as this says.
struct DiagnosisCoverage {
  StoreIdentity store;
  std::size_t certificates = 0;
  std::size_t assessable = 0;         // with a serial or thumbprint
  std::size_t with_key_provider = 0;  // with property 2
  std::size_t keyspec_shown = 0;      // property 2 with its ProviderType, Flags and KeySpec
  bool containers_known = true;
  bool containers_inferred = false;
  bool ca_configuration = false;
  std::string service_account;          // DiagnosisOptions::service_account
  std::size_t containers_with_acl = 0;  // key containers whose ACL the input shows

  void add(const CertFacts& certificate);
};
DiagnosisCoverage diagnosis_coverage(const ReadOnlyStore& store,
                                     const DiagnosisOptions& options = {});
// One sentence each: "store: LocalMachine\My (name from the dump header; location from ...)",
// "3 certificates read, 2 with a key provider; KeySpec shown for 0 of them: ...", ...
std::vector<std::string> coverage_lines(const DiagnosisCoverage& coverage);

// Runs every enabled rule over the store; findings in store order, CA-wide ones last.
std::vector<Finding> diagnose(const ReadOnlyStore& store, const DiagnosisOptions& options = {});

}  // namespace certbed::repair
