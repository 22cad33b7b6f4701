// Store names, roles and locations as Windows spells them, and how certutil and reg address them.
#include "certbed/repair/store/store_identity.h"

#include <array>
#include <cctype>

namespace certbed::repair {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

struct KnownStore {
  std::string_view name;
  StoreRole role;
};

// The system stores of a current Windows (certutil -enumstore, certlm.msc). Personal stores hold
// certificates whose private keys are on the machine; the trust stores hold copies of CA and
// peer certificates, which never carry CERT_KEY_PROV_INFO_PROP_ID, even on the CA whose key it
// is. Stores that may hold either (UserDS, TrustedDevices, custom stores) stay unknown.
constexpr std::array kKnownStores = {
    KnownStore{"My", StoreRole::kPersonal},
    KnownStore{"Request", StoreRole::kPersonal},
    KnownStore{"Remote Desktop", StoreRole::kPersonal},
    KnownStore{"WebHosting", StoreRole::kPersonal},
    KnownStore{"Root", StoreRole::kTrust},
    KnownStore{"AuthRoot", StoreRole::kTrust},
    KnownStore{"CA", StoreRole::kTrust},
    KnownStore{"Trust", StoreRole::kTrust},
    KnownStore{"TrustedPublisher", StoreRole::kTrust},
    KnownStore{"TrustedPeople", StoreRole::kTrust},
    KnownStore{"Disallowed", StoreRole::kTrust},
    KnownStore{"NTAuth", StoreRole::kTrust},
    KnownStore{"SmartCardRoot", StoreRole::kTrust},
    KnownStore{"ClientAuthIssuer", StoreRole::kTrust},
    KnownStore{"TrustedAppRoot", StoreRole::kTrust},
    KnownStore{"FlightRoot", StoreRole::kTrust},
    KnownStore{"UserDS", StoreRole::kUnknown},
    KnownStore{"TrustedDevices", StoreRole::kUnknown},
};

const KnownStore* find_known(std::string_view name) {
  for (const auto& s : kKnownStores) {
    if (iequals(s.name, name)) return &s;
  }
  return nullptr;
}

}  // namespace

std::string_view location_name(StoreLocation location) {
  switch (location) {
    case StoreLocation::kLocalMachine:
      return "LocalMachine";
    case StoreLocation::kCurrentUser:
      return "CurrentUser";
    case StoreLocation::kLocalMachineEnterprise:
      return "LocalMachineEnterprise";
    case StoreLocation::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<StoreLocation> parse_store_location(std::string_view name) {
  for (StoreLocation l : {StoreLocation::kLocalMachine, StoreLocation::kCurrentUser,
                          StoreLocation::kLocalMachineEnterprise}) {
    if (iequals(location_name(l), name)) return l;
  }
  if (iequals(name, "Enterprise")) return StoreLocation::kLocalMachineEnterprise;
  return std::nullopt;
}

StoreRole store_role(std::string_view name) {
  const KnownStore* known = find_known(name);
  return known ? known->role : StoreRole::kUnknown;
}

std::string_view store_role_name(StoreRole role) {
  switch (role) {
    case StoreRole::kPersonal:
      return "personal";
    case StoreRole::kTrust:
      return "trust";
    case StoreRole::kUnknown:
      break;
  }
  return "unknown";
}

std::string canonical_store_name(std::string_view name) {
  const KnownStore* known = find_known(name);
  return std::string(known ? known->name : name);
}

std::string StoreIdentity::to_string() const {
  const std::string where = location == StoreLocation::kUnknown
                                ? std::string("unknown location")
                                : std::string(location_name(location));
  return where + "\\" + (name.empty() ? std::string("(unknown store)") : name);
}

std::string_view certutil_location_option(StoreLocation location) {
  switch (location) {
    case StoreLocation::kCurrentUser:
      return "-user";
    case StoreLocation::kLocalMachineEnterprise:
      return "-enterprise";
    case StoreLocation::kLocalMachine:
    case StoreLocation::kUnknown:
      break;
  }
  return "";
}

std::string certutil_store_command(const StoreIdentity& identity, std::string_view verb,
                                   std::string_view args, bool verbose) {
  std::string out = "certutil";
  if (auto option = certutil_location_option(identity.location); !option.empty()) {
    out += " ";
    out += option;
  }
  if (verbose) out += " -v";
  out += " ";
  out += verb;
  out += " ";
  out += identity.name_known() ? identity.name : std::string("My");
  if (!args.empty()) {
    out += " ";
    out += args;
  }
  return out;
}

std::string store_registry_key(const StoreIdentity& identity) {
  switch (identity.location) {
    case StoreLocation::kCurrentUser:
      return "HKCU\\Software\\Microsoft\\SystemCertificates\\" + identity.name;
    case StoreLocation::kLocalMachineEnterprise:
      return "HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\" + identity.name;
    case StoreLocation::kLocalMachine:
    case StoreLocation::kUnknown:
      break;
  }
  return "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\" + identity.name;
}

}  // namespace certbed::repair
