// Which Windows certificate store a backend shows: its name (My, Root, CA, ...) and its location
// (LocalMachine, CurrentUser, the enterprise stores), each with what the engine took it from, so
// that rules know where keys belong and plans target the store the input came from.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certbed::repair {

enum class StoreLocation {
  kUnknown,
  kLocalMachine,            // CERT_SYSTEM_STORE_LOCAL_MACHINE (certutil's default)
  kCurrentUser,             // CERT_SYSTEM_STORE_CURRENT_USER (certutil -user)
  kLocalMachineEnterprise,  // CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE (certutil -enterprise)
};
// "LocalMachine", "CurrentUser", "LocalMachineEnterprise", "unknown".
std::string_view location_name(StoreLocation location);
// The names above (any case), and "Enterprise" for the enterprise location; nullopt otherwise
// ("unknown" is not a location one can ask for).
std::optional<StoreLocation> parse_store_location(std::string_view name);

// What a store holds, for the rules that only make sense where private keys belong.
enum class StoreRole {
  kUnknown,   // a name certbed does not know, or no name at all
  kPersonal,  // My, Request, Remote Desktop, WebHosting: certificates with their keys
  kTrust,     // Root, AuthRoot, CA, TrustedPublisher, Disallowed, ...: copies without keys
};
StoreRole store_role(std::string_view name);
std::string_view store_role_name(StoreRole role);  // "personal", "trust", "unknown"

// A system store's registry name in Windows' spelling ("my" and "MY" -> "My"); other names are
// returned as given. Windows compares store names case-insensitively.
std::string canonical_store_name(std::string_view name);

struct StoreIdentity {
  std::string name;  // canonical_store_name; empty when the input does not say
  StoreLocation location = StoreLocation::kUnknown;
  // What each was taken from, for findings and summaries: "the dump header", "--store", ...
  std::string name_source;
  std::string location_source;

  bool operator==(const StoreIdentity&) const = default;

  bool name_known() const { return !name.empty(); }
  StoreRole role() const { return store_role(name); }
  // "LocalMachine\My", "CurrentUser\My", "unknown location\Root", "LocalMachine\(unknown store)".
  std::string to_string() const;
};

// What the caller knows of an input's store that its text may not say (--store, --location).
struct StoreHint {
  std::optional<std::string> name;
  std::optional<StoreLocation> location;
};

// certutil's location option for `location`: "-user", "-enterprise", or "" (LocalMachine, also
// what an unknown location falls back to, since it is certutil's default).
std::string_view certutil_location_option(StoreLocation location);

// A certutil command on the store, as a person types it: "certutil -user -repairstore My <args>",
// "certutil -v -store My". An unknown name is written "My" (where keys belong), an unknown
// location as certutil's default. For text only: scripts quote each argument themselves.
std::string certutil_store_command(const StoreIdentity& identity, std::string_view verb,
                                   std::string_view args = "", bool verbose = false);

// The registry key under which Windows keeps the store's certificates, as `reg export` takes it:
// HKLM\SOFTWARE\Microsoft\SystemCertificates\<name>,
// HKCU\Software\Microsoft\SystemCertificates\<name>, or
// HKLM\SOFTWARE\Microsoft\EnterpriseCertificates\<name>. An unknown location gives
// the LocalMachine key, as certutil_location_option does.
std::string store_registry_key(const StoreIdentity& identity);

}  // namespace certbed::repair
