// The emulated key-opening APIs (key_access.h). Each behaviour cites its source.
#include "certbed/emulator/keys/key_access.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
namespace hr = hresult;

namespace {

struct HresultEntry {
  std::uint32_t value;
  std::string_view symbol;
  std::string_view message;  // the SDK winerror.h MessageText, as FormatMessage returns it
};

constexpr std::array<HresultEntry, 12> kHresults{{
    {hr::E_ACCESSDENIED, "E_ACCESSDENIED", "Access is denied."},
    {hr::NTE_NO_KEY, "NTE_NO_KEY", "Key does not exist."},
    {hr::NTE_PERM, "NTE_PERM", "Access denied."},
    {hr::NTE_BAD_PROV_TYPE, "NTE_BAD_PROV_TYPE", "Invalid provider type specified."},
    {hr::NTE_BAD_PUBLIC_KEY, "NTE_BAD_PUBLIC_KEY", "Provider's public key is invalid."},
    {hr::NTE_BAD_KEYSET, "NTE_BAD_KEYSET", "Keyset does not exist"},
    {hr::NTE_PROV_TYPE_NOT_DEF, "NTE_PROV_TYPE_NOT_DEF", "Provider type not defined."},
    {hr::NTE_KEYSET_NOT_DEF, "NTE_KEYSET_NOT_DEF", "The keyset is not defined."},
    {hr::NTE_PROV_TYPE_NO_MATCH, "NTE_PROV_TYPE_NO_MATCH",
     "Provider type does not match registered value."},
    {hr::NTE_PROV_DLL_NOT_FOUND, "NTE_PROV_DLL_NOT_FOUND", "Provider DLL could not be found."},
    {hr::NTE_NOT_SUPPORTED, "NTE_NOT_SUPPORTED", "The requested operation is not supported."},
    {hr::CRYPT_E_NO_KEY_PROPERTY, "CRYPT_E_NO_KEY_PROPERTY",
     "The certificate doesn't have a private key property"},
}};

const HresultEntry* find_hresult(std::uint32_t value) {
  for (const auto& e : kHresults) {
    if (e.value == value) return &e;
  }
  return nullptr;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && to_lower_ascii(a) == to_lower_ascii(b);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

KeyAccessResult failed(KeyAccessResult result, std::string call, std::uint32_t code) {
  result.steps.push_back(KeyAccessStep{std::move(call), code});
  result.hresult = code;
  result.key.reset();
  return result;
}

std::string keyset_flag(bool machine) { return machine ? "CRYPT_MACHINE_KEYSET" : "0"; }

// Microsoft's RSA CSPs, whose keys CNG opens through the Software KSP. [inferred] Docs ("Key
// Storage and Retrieval") say the Microsoft Software KSP reads keys the legacy RSA CSPs wrote;
// DSS and DH keys stay CryptoAPI-only (CryptAcquireCertificatePrivateKey's note on
// PREFER_NCRYPT).
bool cng_opens_csp_keys(const ProviderInfo& info) {
  return info.kind == ProviderKind::kCsp &&
         (info.type == wc::PROV_RSA_FULL || info.type == wc::PROV_RSA_SCHANNEL ||
          info.type == wc::PROV_RSA_AES) &&
         is_microsoft_provider(info.name);
}

}  // namespace

std::string_view hresult_symbol(std::uint32_t value) {
  const auto* e = find_hresult(value);
  return e != nullptr ? e->symbol : std::string_view();
}

std::string_view hresult_message(std::uint32_t value) {
  const auto* e = find_hresult(value);
  return e != nullptr ? e->message : std::string_view();
}

std::string certutil_hresult(std::uint32_t value) {
  const auto symbol = hresult_symbol(value);
  const auto as_signed = static_cast<std::int32_t>(value);
  return symbol.empty() ? fmt::format("0x{:08x} ({})", value, as_signed)
                        : fmt::format("0x{:08x} ({} {})", value, as_signed, symbol);
}

std::string caller_name(const Caller& caller) {
  switch (caller.kind) {
    case Caller::Kind::kSystem:
      return "system";
    case Caller::Kind::kStandardUser:
      return "standard-user";
    case Caller::Kind::kServiceAccount:
      return "service:" + caller.account;
    case Caller::Kind::kAdministrator:
      break;
  }
  return "administrator";
}

std::optional<Caller> parse_caller(std::string_view name) {
  if (name == "system") return Caller::system();
  if (name == "administrator") return Caller::administrator();
  if (name == "standard-user") return Caller::standard_user();
  if (name.starts_with("service:") && name.size() > 8) {
    return Caller::service_account(std::string(name.substr(8)));
  }
  return std::nullopt;
}

bool may_read_key(const KeyContainer& container, const Caller& caller) {
  const auto acl = effective_read_access(container);
  // A user key with no ACL on record is in the caller's own profile.
  if (!acl) return true;
  // The principals each token holds that key ACLs name (well-known SIDs' account names).
  std::vector<std::string> principals{"Everyone"};
  switch (caller.kind) {
    case Caller::Kind::kSystem:
      principals.insert(principals.end(), {"NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators"});
      break;
    case Caller::Kind::kAdministrator:
      // An elevated administrator; [inferred] certutil run from an elevated prompt, which the
      // articles that show certutil -repairstore on machine keys assume.
      principals.insert(principals.end(), {"BUILTIN\\Administrators", "BUILTIN\\Users",
                                           "NT AUTHORITY\\Authenticated Users"});
      break;
    case Caller::Kind::kStandardUser:
      principals.insert(principals.end(), {"BUILTIN\\Users", "NT AUTHORITY\\Authenticated Users"});
      break;
    case Caller::Kind::kServiceAccount:
      principals.insert(principals.end(),
                        {caller.account, "BUILTIN\\Users", "NT AUTHORITY\\Authenticated Users"});
      break;
  }
  return std::any_of(acl->begin(), acl->end(), [&](const std::string& granted) {
    return std::any_of(principals.begin(), principals.end(),
                       [&](const std::string& held) { return same_name(granted, held); });
  });
}

KeyAccessResult KeyAccess::crypt_acquire_context(std::string_view container,
                                                 std::string_view provider,
                                                 std::uint32_t provider_type, std::uint32_t flags,
                                                 std::uint32_t key_spec) const {
  KeyAccessResult result;
  const bool machine_keyset = (flags & wc::CRYPT_MACHINE_KEYSET) != 0;
  const std::string call =
      fmt::format("CryptAcquireContext({}, {}, {}, {})", quoted(container), quoted(provider),
                  provider_type, keyset_flag(machine_keyset));
  // [doc CryptAcquireContext] NTE_BAD_PROV_TYPE: "All provider types must be from 1 through 999,
  // inclusive", so a KSP's type 0 never reaches a provider.
  if (provider_type == 0 || provider_type > 999) {
    return failed(std::move(result), call, hr::NTE_BAD_PROV_TYPE);
  }
  // [doc] NTE_KEYSET_NOT_DEF: "The requested provider does not exist." A KSP is not a CSP.
  const KeyProvider* p = machine_.find_provider(provider);
  if (p == nullptr || p->info().kind != ProviderKind::kCsp) {
    return failed(std::move(result), call, hr::NTE_KEYSET_NOT_DEF);
  }
  // [doc] NTE_PROV_TYPE_NO_MATCH: "The provider type specified by dwProvType does not match the
  // provider type found."
  if (p->info().type != provider_type) {
    return failed(std::move(result), call, hr::NTE_PROV_TYPE_NO_MATCH);
  }
  // [doc] NTE_BAD_KEYSET: "The key container could not be opened." The machine and user key
  // sets are separate, so a container in the other one is not found.
  // [doc CryptGetProvParam] PP_UNIQUE_CONTAINER: the unique name opens the container too, which
  // is how property 2 of CryptoAPI enrollment keys names them (dumps/08, dumps/03).
  const KeyContainer* c = p->find_container(container);
  if (c == nullptr) c = p->find_container_by_unique_name(container);
  const repair::KeyScope scope =
      machine_keyset ? repair::KeyScope::kMachine : repair::KeyScope::kUser;
  if (c == nullptr || c->scope != scope) return failed(std::move(result), call, hr::NTE_BAD_KEYSET);
  // [inferred] A key file the caller cannot read gives NTE_BAD_KEYSET ("Keyset does not
  // exist"), the error widely reported for services lacking Read on a machine key (KB 842210's
  // wording); no Docs page names the code for this case.
  if (!may_read_key(*c, caller_)) return failed(std::move(result), call, hr::NTE_BAD_KEYSET);
  result.steps.push_back(KeyAccessStep{call, hr::S_OK});
  // [doc CryptGetUserKey] NTE_NO_KEY: "The key requested by the dwKeySpec parameter does not
  // exist."
  const std::string get = fmt::format("CryptGetUserKey({})", wc::key_spec_name(key_spec));
  const ContainerKey* k = c->find_key(key_spec);
  if (k == nullptr) return failed(std::move(result), get, hr::NTE_NO_KEY);
  result.steps.push_back(KeyAccessStep{get, hr::S_OK});
  result.key = OpenedKey{p, c, k, key_spec, false};
  result.hresult = hr::S_OK;
  return result;
}

KeyAccessResult KeyAccess::ncrypt_open_key(std::string_view provider, std::string_view container,
                                           std::uint32_t legacy_key_spec,
                                           std::uint32_t flags) const {
  KeyAccessResult result;
  const bool machine_key = (flags & NCRYPT_MACHINE_KEY_FLAG) != 0;
  const std::string open = fmt::format("NCryptOpenStorageProvider({})", quoted(provider));
  const KeyProvider* p = machine_.find_provider(provider);
  // [unknown] The Docs page lists no code for a provider that is not registered; a KSP that is
  // not installed has no DLL to load, so NTE_PROV_DLL_NOT_FOUND. A CSP's name is not a KSP.
  if (p == nullptr || p->info().kind != ProviderKind::kKsp) {
    return failed(std::move(result), open, hr::NTE_PROV_DLL_NOT_FOUND);
  }
  result.steps.push_back(KeyAccessStep{open, hr::S_OK});
  const std::string call =
      fmt::format("NCryptOpenKey({}, dwLegacyKeySpec {}, {})", quoted(container), legacy_key_spec,
                  machine_key ? "NCRYPT_MACHINE_KEY_FLAG" : "0");
  const KeyContainer* c = p->find_container(container);
  const repair::KeyScope scope = machine_key ? repair::KeyScope::kMachine : repair::KeyScope::kUser;
  // [inferred] NCryptOpenKey's page lists no code for a missing key; NTE_BAD_KEYSET is what
  // Windows returns (certutil prints "Keyset does not exist 0x80090016" for it).
  if (c == nullptr || c->scope != scope) return failed(std::move(result), call, hr::NTE_BAD_KEYSET);
  // [inferred] An unreadable key file fails the open with the file system's access denied,
  // as an HRESULT (E_ACCESSDENIED).
  if (!may_read_key(*c, caller_)) return failed(std::move(result), call, hr::E_ACCESSDENIED);
  // [doc NCryptOpenKey] dwLegacyKeySpec names the legacy key type (AT_KEYEXCHANGE,
  // AT_SIGNATURE, or 0 for a CNG key). [inferred] A KSP container holds one key, which the
  // Software KSP opens whatever the legacy type says: nothing documents a failure, and CAs with
  // KeySpec 2 on a KSP key run (property-model.md 4.3).
  result.steps.push_back(KeyAccessStep{call, hr::S_OK});
  result.key = OpenedKey{p, c, &c->keys.front(), CERT_NCRYPT_KEY_SPEC, true};
  result.hresult = hr::S_OK;
  return result;
}

KeyAccessResult KeyAccess::acquire_certificate_private_key(const repair::CertFacts& certificate,
                                                           std::uint32_t flags) const {
  KeyAccessResult result;
  const std::string call = "CryptAcquireCertificatePrivateKey";
  auto info = certificate.key_prov_info();
  // [wine crypt32 cert.c, SDK winerror.h] No CERT_KEY_PROV_INFO_PROP_ID: CRYPT_E_NO_KEY_PROPERTY,
  // "The certificate doesn't have a private key property".
  if (!info || !info->has_value()) {
    return failed(std::move(result), call + ": no CERT_KEY_PROV_INFO_PROP_ID",
                  hr::CRYPT_E_NO_KEY_PROPERTY);
  }
  const repair::KeyProvInfo& kpi = **info;
  const bool machine = (kpi.flags & wc::CRYPT_MACHINE_KEYSET) != 0;

  auto capi = [&] {
    return crypt_acquire_context(kpi.container, kpi.provider, kpi.provider_type,
                                 machine ? wc::CRYPT_MACHINE_KEYSET : 0u, kpi.key_spec);
  };
  auto cng = [&] {
    // A legacy RSA CSP's key through the Software KSP, with its KeySpec as the legacy type.
    const KeyProvider* csp = machine_.find_provider(kpi.provider);
    if (kpi.provider_type != 0 && csp != nullptr && cng_opens_csp_keys(csp->info())) {
      KeyAccessResult through =
          crypt_acquire_context(kpi.container, kpi.provider, kpi.provider_type,
                                machine ? wc::CRYPT_MACHINE_KEYSET : 0u, kpi.key_spec);
      KeyAccessResult out;
      out.steps.push_back(KeyAccessStep{
          fmt::format("NCryptOpenKey({}, dwLegacyKeySpec {}) in {} (a legacy CSP key)",
                      quoted(kpi.container), kpi.key_spec, wc::MS_KEY_STORAGE_PROVIDER),
          through.hresult});
      out.hresult = through.hresult;
      if (through.key) {
        out.key = *through.key;
        out.key->key_spec = CERT_NCRYPT_KEY_SPEC;
        out.key->cng = true;
      }
      return out;
    }
    return ncrypt_open_key(kpi.provider, kpi.container, kpi.key_spec,
                           machine ? NCRYPT_MACHINE_KEY_FLAG : 0u);
  };

  // [doc CryptAcquireCertificatePrivateKey] "If none of these flags is present, this function
  // will only attempt to obtain the key by using CryptoAPI"; ALLOW: CryptoAPI, then CNG;
  // PREFER: CNG, then CryptoAPI; ONLY: CNG alone.
  std::vector<bool> order;  // true: CNG
  if ((flags & CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG) != 0) {
    order = {true};
  } else if ((flags & CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG) != 0) {
    order = {true, false};
  } else if ((flags & CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG) != 0) {
    order = {false, true};
  } else {
    order = {false};
  }
  // [unknown] Which error is reported when every path fails. certbed reports the one of the
  // path property 2 is meant for (CNG for ProviderType 0, CryptoAPI otherwise), as that is the
  // error that says what is wrong with the key; else the last.
  const bool meant_for_cng = kpi.provider_type == wc::PROV_CNG_KSP;
  bool reported = false;
  for (const bool use_cng : order) {
    KeyAccessResult attempt = use_cng ? cng() : capi();
    result.steps.insert(result.steps.end(), attempt.steps.begin(), attempt.steps.end());
    if (attempt.key) {
      result.key = attempt.key;
      break;
    }
    if (!reported) result.hresult = attempt.hresult;
    if (use_cng == meant_for_cng) reported = true;
  }
  if (!result.key) return result;
  // [doc] CRYPT_ACQUIRE_COMPARE_KEY_FLAG: "If the keys do not match, the acquisition operation
  // fails and the last error code is set to NTE_BAD_PUBLIC_KEY."
  if ((flags & CRYPT_ACQUIRE_COMPARE_KEY_FLAG) != 0 &&
      public_key_id(result.key->key->key.get()) != certificate.public_key_id) {
    return failed(std::move(result), call + ": CRYPT_ACQUIRE_COMPARE_KEY_FLAG",
                  hr::NTE_BAD_PUBLIC_KEY);
  }
  result.hresult = hr::S_OK;
  return result;
}

}  // namespace certbed::emulator
