// How Windows opens a certificate's private key, emulated over the machine's providers: the
// CryptoAPI path (CryptAcquireContext, CryptGetUserKey), the CNG path (NCryptOpenStorageProvider,
// NCryptOpenKey) and CryptAcquireCertificatePrivateKey, which picks between them by its flags.
// Each call returns the HRESULT Windows returns, and the caller's identity decides whether a key
// file can be read. certutil's key tests, -repairstore's key search and the CA service open keys
// through this layer only.
//
// Sources, cited at each behaviour in key_access.cc: the Docs pages of the functions
// ([doc CryptAcquireContext], [doc CryptGetUserKey], [doc NCryptOpenKey],
// [doc CryptAcquireCertificatePrivateKey]), KB 238187 for key container ACLs, the SDK's
// winerror.h for values and messages (MS-ERREF). What no public source says is marked
// [inferred] or [unknown] where it is modelled.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/emulator/keys/key_provider.h"
#include "certbed/repair/model/cert_facts.h"

namespace certbed::emulator {

class Machine;

// HRESULTs (winerror.h; each value checked against MS-ERREF 2.1 and mingw-w64's winerror.h).
namespace hresult {
inline constexpr std::uint32_t S_OK = 0;
inline constexpr std::uint32_t E_ACCESSDENIED = 0x80070005;
inline constexpr std::uint32_t NTE_NO_KEY = 0x8009000D;
inline constexpr std::uint32_t NTE_PERM = 0x80090010;
inline constexpr std::uint32_t NTE_BAD_PROV_TYPE = 0x80090014;
inline constexpr std::uint32_t NTE_BAD_PUBLIC_KEY = 0x80090015;
inline constexpr std::uint32_t NTE_BAD_KEYSET = 0x80090016;
inline constexpr std::uint32_t NTE_PROV_TYPE_NOT_DEF = 0x80090017;
inline constexpr std::uint32_t NTE_KEYSET_NOT_DEF = 0x80090019;
inline constexpr std::uint32_t NTE_PROV_TYPE_NO_MATCH = 0x8009001B;
inline constexpr std::uint32_t NTE_PROV_DLL_NOT_FOUND = 0x8009001E;
inline constexpr std::uint32_t NTE_NOT_SUPPORTED = 0x80090029;
inline constexpr std::uint32_t CRYPT_E_NO_KEY_PROPERTY = 0x8009200B;
}  // namespace hresult

// The symbol ("NTE_BAD_KEYSET") and the message FormatMessage gives (the SDK winerror.h
// MessageText: "Keyset does not exist"); empty for a value certbed does not model.
std::string_view hresult_symbol(std::uint32_t value);
std::string_view hresult_message(std::uint32_t value);
// As certutil prints a failure: "0x80090016 (-2146893802 NTE_BAD_KEYSET)".
std::string certutil_hresult(std::uint32_t value);

// CryptAcquireCertificatePrivateKey's flags (wincrypt.h).
inline constexpr std::uint32_t CRYPT_ACQUIRE_COMPARE_KEY_FLAG = 0x00000004;
inline constexpr std::uint32_t CRYPT_ACQUIRE_SILENT_FLAG = 0x00000040;
inline constexpr std::uint32_t CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG = 0x00010000;
inline constexpr std::uint32_t CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG = 0x00020000;
inline constexpr std::uint32_t CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG = 0x00040000;
// What pdwKeySpec receives for a key opened through CNG (wincrypt.h).
inline constexpr std::uint32_t CERT_NCRYPT_KEY_SPEC = 0xFFFFFFFF;
// NCryptOpenKey's flag for the machine key set (ncrypt.h; the same bit as CRYPT_MACHINE_KEYSET).
inline constexpr std::uint32_t NCRYPT_MACHINE_KEY_FLAG = 0x00000020;

// Who is asking: the identity of the process that opens a key.
struct Caller {
  enum class Kind { kSystem, kAdministrator, kStandardUser, kServiceAccount };
  Kind kind = Kind::kAdministrator;
  std::string account;  // a service account's name ("NT SERVICE\MSSQLSERVER"); else empty

  static Caller system() { return {Kind::kSystem, ""}; }
  static Caller administrator() { return {Kind::kAdministrator, ""}; }
  static Caller standard_user() { return {Kind::kStandardUser, ""}; }
  static Caller service_account(std::string name) {
    return {Kind::kServiceAccount, std::move(name)};
  }

  bool operator==(const Caller&) const = default;
};

// "administrator", "standard-user", "system" or "service:<account>"; parse_caller reads them.
std::string caller_name(const Caller& caller);
std::optional<Caller> parse_caller(std::string_view name);

// Whether the caller's token holds one of the principals the container's ACL grants Read.
// [doc KB 238187] a new container grants only SYSTEM and its creator; machine keys are created
// by administrators, so SYSTEM and Administrators (effective_read_access). A user key set is the
// caller's own profile, so its keys are readable by the caller.
bool may_read_key(const KeyContainer& container, const Caller& caller);

// A key a call opened.
struct OpenedKey {
  const KeyProvider* provider = nullptr;
  const KeyContainer* container = nullptr;
  const ContainerKey* key = nullptr;
  // What pdwKeySpec receives: AT_KEYEXCHANGE or AT_SIGNATURE through CryptoAPI,
  // CERT_NCRYPT_KEY_SPEC through CNG.
  std::uint32_t key_spec = 0;
  bool cng = false;
};

// One API call on the way: "NCryptOpenKey(\"Contoso CA\", dwLegacyKeySpec 2,
// NCRYPT_MACHINE_KEY_FLAG)" and what it returned.
struct KeyAccessStep {
  std::string call;
  std::uint32_t hresult = hresult::S_OK;

  bool operator==(const KeyAccessStep&) const = default;
};

struct KeyAccessResult {
  std::optional<OpenedKey> key;
  std::uint32_t hresult = hresult::S_OK;  // S_OK exactly when key is set
  std::vector<KeyAccessStep> steps;

  bool ok() const { return key.has_value(); }
};

class KeyAccess {
 public:
  KeyAccess(const Machine& machine, Caller caller)
      : machine_(machine), caller_(std::move(caller)) {}

  const Caller& caller() const { return caller_; }

  // CryptAcquireContext(container, provider, type, flags), then CryptGetUserKey(key_spec).
  KeyAccessResult crypt_acquire_context(std::string_view container, std::string_view provider,
                                        std::uint32_t provider_type, std::uint32_t flags,
                                        std::uint32_t key_spec) const;
  // NCryptOpenStorageProvider(provider), then NCryptOpenKey(container, legacy_key_spec, flags).
  KeyAccessResult ncrypt_open_key(std::string_view provider, std::string_view container,
                                  std::uint32_t legacy_key_spec, std::uint32_t flags) const;
  // CryptAcquireCertificatePrivateKey on a certificate with these facts (property 2 from
  // facts.properties), trying CryptoAPI and CNG in the order `flags` documents.
  KeyAccessResult acquire_certificate_private_key(const repair::CertFacts& certificate,
                                                  std::uint32_t flags) const;

 private:
  const Machine& machine_;
  Caller caller_;
};

}  // namespace certbed::emulator
