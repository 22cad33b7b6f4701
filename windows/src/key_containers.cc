// The key containers a CryptStore's owner can see: CNG keys in the Microsoft Software Key
// Storage Provider (NCryptEnumKeys, machine and user key sets) and CryptoAPI containers in the
// Microsoft RSA CSPs (CryptGetProvParam PP_ENUMCONTAINERS). Each key's public key id is the
// SHA-1 of the subjectPublicKey bits CryptExportPublicKeyInfo gives, as certificates report it.
#include <algorithm>
#include <array>
#include <optional>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/windows/crypt_store.h"
#include "certbed/windows/win_text.h"

namespace certbed::windows {

namespace wc = repair::wincrypt;

namespace {

std::string key_id_of(HCRYPTPROV_OR_NCRYPT_KEY_HANDLE handle, DWORD key_spec) {
  DWORD size = 0;
  if (!CryptExportPublicKeyInfo(handle, key_spec, X509_ASN_ENCODING, nullptr, &size)) return "";
  repair::Bytes buffer(size);
  auto* info = reinterpret_cast<CERT_PUBLIC_KEY_INFO*>(buffer.data());
  if (!CryptExportPublicKeyInfo(handle, key_spec, X509_ASN_ENCODING, info, &size)) return "";
  std::array<BYTE, 20> digest{};
  DWORD digest_size = static_cast<DWORD>(digest.size());
  if (!CryptHashCertificate(0, CALG_SHA1, 0, info->PublicKey.pbData, info->PublicKey.cbData,
                            digest.data(), &digest_size)) {
    return "";
  }
  return repair::to_hex(repair::ByteView(digest.data(), digest_size));
}

std::string ncrypt_string_property(NCRYPT_HANDLE handle, const wchar_t* name) {
  DWORD size = 0;
  if (NCryptGetProperty(handle, name, nullptr, 0, &size, 0) != ERROR_SUCCESS || size < 2) {
    return "";
  }
  std::wstring value(size / sizeof(wchar_t), L'\0');
  if (NCryptGetProperty(handle, name, reinterpret_cast<BYTE*>(value.data()), size, &size, 0) !=
      ERROR_SUCCESS) {
    return "";
  }
  while (!value.empty() && value.back() == L'\0') value.pop_back();
  return to_utf8(value);
}

// False when the provider cannot be opened at all.
bool add_ksp_keys(std::vector<repair::KeyContainerFacts>& out) {
  NCryptHandle provider;
  if (NCryptOpenStorageProvider(provider.out(), MS_KEY_STORAGE_PROVIDER, 0) != ERROR_SUCCESS) {
    return false;
  }
  for (const DWORD scope_flag : {DWORD{NCRYPT_MACHINE_KEY_FLAG}, DWORD{0}}) {
    NCryptKeyName* name = nullptr;
    void* state = nullptr;
    while (NCryptEnumKeys(provider.get(), nullptr, &name, &state,
                          scope_flag | NCRYPT_SILENT_FLAG) == ERROR_SUCCESS) {
      repair::KeyContainerFacts c;
      c.provider = to_utf8(MS_KEY_STORAGE_PROVIDER);
      c.provider_type = wc::PROV_CNG_KSP;
      c.container = to_utf8(name->pszName);
      c.scope = scope_flag != 0 ? repair::KeyScope::kMachine : repair::KeyScope::kUser;
      NCryptHandle key;
      if (NCryptOpenKey(provider.get(), key.out(), name->pszName, 0,
                        scope_flag | NCRYPT_SILENT_FLAG) == ERROR_SUCCESS) {
        c.unique_container = ncrypt_string_property(key.get(), NCRYPT_UNIQUE_NAME_PROPERTY);
        repair::KeyFacts k;
        k.key_spec = wc::AT_NONE;
        k.algorithm = to_utf8(name->pszAlgid ? name->pszAlgid : L"");
        k.public_key_id = key_id_of(key.get(), CERT_NCRYPT_KEY_SPEC);
        c.keys.push_back(std::move(k));
      }
      NCryptFreeBuffer(name);
      name = nullptr;
      out.push_back(std::move(c));
    }
    if (state != nullptr) NCryptFreeBuffer(state);
  }
  return true;
}

struct CspName {
  const char* name;
  DWORD type;
};

// Every Microsoft RSA CSP opens the same containers; a container is listed under each name,
// since property 2 may name any of them and a rule must not call a key missing because it was
// listed under another.
constexpr std::array<CspName, 4> kRsaCsps = {{
    {MS_DEF_PROV_A, PROV_RSA_FULL},
    {MS_STRONG_PROV_A, PROV_RSA_FULL},
    {MS_ENHANCED_PROV_A, PROV_RSA_FULL},
    {MS_ENH_RSA_AES_PROV_A, PROV_RSA_AES},
}};

bool add_csp_containers(std::vector<repair::KeyContainerFacts>& out) {
  bool any = false;
  for (const auto& csp : kRsaCsps) {
    for (const DWORD scope_flag : {DWORD{CRYPT_MACHINE_KEYSET}, DWORD{0}}) {
      CryptProvider enumerator;
      if (!CryptAcquireContextA(enumerator.out(), nullptr, csp.name, csp.type,
                                CRYPT_VERIFYCONTEXT | CRYPT_SILENT | scope_flag)) {
        continue;
      }
      any = true;
      std::array<char, 1024> name{};
      for (DWORD flag = CRYPT_FIRST;; flag = 0) {
        DWORD size = static_cast<DWORD>(name.size());
        if (!CryptGetProvParam(enumerator.get(), PP_ENUMCONTAINERS,
                               reinterpret_cast<BYTE*>(name.data()), &size, flag)) {
          break;
        }
        repair::KeyContainerFacts c;
        c.provider = csp.name;
        c.provider_type = csp.type;
        c.container = std::string(name.data());
        c.scope = scope_flag != 0 ? repair::KeyScope::kMachine : repair::KeyScope::kUser;
        CryptProvider container;
        if (CryptAcquireContextA(container.out(), name.data(), csp.name, csp.type,
                                 CRYPT_SILENT | scope_flag)) {
          std::array<char, 512> unique{};
          DWORD unique_size = static_cast<DWORD>(unique.size());
          if (CryptGetProvParam(container.get(), PP_UNIQUE_CONTAINER,
                                reinterpret_cast<BYTE*>(unique.data()), &unique_size, 0)) {
            c.unique_container = std::string(unique.data());
          }
          for (const DWORD spec : {DWORD{AT_KEYEXCHANGE}, DWORD{AT_SIGNATURE}}) {
            CryptKey key;
            if (!CryptGetUserKey(container.get(), spec, key.out())) continue;
            repair::KeyFacts k;
            k.key_spec = spec;
            k.algorithm = "RSA";
            k.public_key_id = key_id_of(container.get(), spec);
            c.keys.push_back(std::move(k));
          }
        }
        out.push_back(std::move(c));
      }
    }
  }
  return any;
}

// The container a certificate's property 2 names, opened by name: enumeration does not list
// every container (Wine's rsaenh lists none: PP_ENUMCONTAINERS ends at once; on Windows a
// container whose file the caller may not list is still opened by name). nullopt when it
// cannot be opened.
std::optional<repair::KeyContainerFacts> named_container(const repair::KeyProvInfo& link) {
  auto provider_name = to_wide(link.provider);
  auto container_name = to_wide(link.container);
  if (!provider_name || !container_name || link.container.empty()) return std::nullopt;
  const bool machine = link.machine_keyset();
  repair::KeyContainerFacts c;
  c.provider = link.provider;
  c.provider_type = link.provider_type;
  c.container = link.container;
  c.scope = machine ? repair::KeyScope::kMachine : repair::KeyScope::kUser;
  if (link.is_ksp()) {
    NCryptHandle provider;
    if (NCryptOpenStorageProvider(provider.out(), provider_name->c_str(), 0) != ERROR_SUCCESS) {
      return std::nullopt;
    }
    NCryptHandle key;
    const DWORD flags = (machine ? NCRYPT_MACHINE_KEY_FLAG : 0) | NCRYPT_SILENT_FLAG;
    if (NCryptOpenKey(provider.get(), key.out(), container_name->c_str(), 0, flags) !=
        ERROR_SUCCESS) {
      return std::nullopt;
    }
    c.unique_container = ncrypt_string_property(key.get(), NCRYPT_UNIQUE_NAME_PROPERTY);
    repair::KeyFacts k;
    k.key_spec = wc::AT_NONE;
    k.public_key_id = key_id_of(key.get(), CERT_NCRYPT_KEY_SPEC);
    c.keys.push_back(std::move(k));
    return c;
  }
  CryptProvider container;
  if (!CryptAcquireContextW(container.out(), container_name->c_str(), provider_name->c_str(),
                            link.provider_type,
                            CRYPT_SILENT | (machine ? CRYPT_MACHINE_KEYSET : 0))) {
    return std::nullopt;
  }
  for (const DWORD spec : {DWORD{AT_KEYEXCHANGE}, DWORD{AT_SIGNATURE}}) {
    CryptKey key;
    if (!CryptGetUserKey(container.get(), spec, key.out())) continue;
    repair::KeyFacts k;
    k.key_spec = spec;
    k.algorithm = "RSA";
    k.public_key_id = key_id_of(container.get(), spec);
    c.keys.push_back(std::move(k));
  }
  return c;
}

}  // namespace

std::vector<repair::KeyContainerFacts> CryptStore::key_containers() const {
  std::vector<repair::KeyContainerFacts> out;
  if (!containers_visible_) return out;
  add_ksp_keys(out);
  add_csp_containers(out);
  const auto listed = [&](const repair::KeyProvInfo& link) {
    return std::any_of(out.begin(), out.end(), [&](const repair::KeyContainerFacts& c) {
      return repair::to_lower_ascii(c.provider) == repair::to_lower_ascii(link.provider) &&
             repair::to_lower_ascii(c.container) == repair::to_lower_ascii(link.container);
    });
  };
  for (std::size_t i = 0; i < size(); ++i) {
    auto value = property(i, static_cast<repair::PropertyId>(CERT_KEY_PROV_INFO_PROP_ID));
    if (!value || !value->has_value()) continue;
    auto link = repair::decode_key_prov_info(**value);
    if (!link || listed(*link)) continue;
    if (auto c = named_container(*link)) out.push_back(std::move(*c));
  }
  return out;
}

bool CryptStore::knows_key_containers() const {
  if (!containers_visible_) return false;
  NCryptHandle provider;
  const bool ksp =
      NCryptOpenStorageProvider(provider.out(), MS_KEY_STORAGE_PROVIDER, 0) == ERROR_SUCCESS;
  CryptProvider csp;
  const bool capi = CryptAcquireContextA(csp.out(), nullptr, MS_ENHANCED_PROV_A, PROV_RSA_FULL,
                                         CRYPT_VERIFYCONTEXT | CRYPT_SILENT);
  return ksp && capi;
}

}  // namespace certbed::windows
