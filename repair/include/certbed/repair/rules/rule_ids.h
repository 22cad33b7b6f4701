// The id of every diagnosis rule, in one place: findings carry them, the planner and the plan
// file match on them, and the README's rule table lists them.
#pragma once

#include <string_view>

namespace certbed::repair::rule_id {

inline constexpr std::string_view kKspKeySpecNotZero = "ksp-keyspec-not-zero";
inline constexpr std::string_view kCspKeySpecMismatch = "csp-keyspec-mismatch";
inline constexpr std::string_view kLostKeyAssociation = "lost-key-association";
inline constexpr std::string_view kMissingKeyset = "missing-keyset";
inline constexpr std::string_view kKeyDoesNotMatch = "key-does-not-match";
inline constexpr std::string_view kIdMasked = "id-masked";
inline constexpr std::string_view kKeyAclDenied = "key-acl-denied";
inline constexpr std::string_view kMachineKeysetFlagMissing = "machine-keyset-flag-missing";
inline constexpr std::string_view kSqlTlsNeedsCapiKeyExchange = "sql-tls-needs-capi-keyexchange";
inline constexpr std::string_view kAdfsKeySpec2NotRecommended = "adfs-keyspec2-not-recommended";
inline constexpr std::string_view kAdfsCngSslOnly = "adfs-cng-ssl-only";
inline constexpr std::string_view kExchangeOwaEcpNeedsCsp = "exchange-owa-ecp-needs-csp";
inline constexpr std::string_view kCaConfigProviderMismatch = "ca-config-provider-mismatch";
inline constexpr std::string_view kCaCertMissingFromStore = "ca-cert-missing-from-store";
inline constexpr std::string_view kDumpTextNotFaithful = "dump-text-not-faithful";
inline constexpr std::string_view kKeySpecNotShown = "keyspec-not-shown";
inline constexpr std::string_view kCannotAssess = "cannot-assess";

}  // namespace certbed::repair::rule_id
