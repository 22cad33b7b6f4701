// crypt32 as a repair::Store. Each certificate's facts come from its CERT_CONTEXT: the serial,
// names and validity of its CERT_INFO, the hashes crypt32 derives, Basic Constraints, EKU and CA
// Version from its extensions, and every property CertEnumCertificateContextProperties lists.
#include "certbed/windows/crypt_store.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/staged_change.h"
#include "certbed/windows/journal.h"
#include "certbed/windows/win_text.h"

namespace certbed::windows {

using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;
using repair::Status;

namespace {

constexpr DWORD kEncoding = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;
// wincrypt.h defines the property ids as macros, so repair's enumerators of the same names
// cannot be spelled here.
constexpr PropertyId kKeyProvInfoId = static_cast<PropertyId>(CERT_KEY_PROV_INFO_PROP_ID);

// Properties that hold handles of this process (CERT_KEY_PROV_HANDLE_PROP_ID,
// CERT_KEY_CONTEXT_PROP_ID), never stored: Windows serializes neither.
bool is_handle_property(DWORD id) { return id == 1 || id == 5; }

std::string hex_of(const BYTE* data, DWORD size) {
  return repair::to_hex(repair::ByteView(data, size));
}

// A derived hash crypt32 computes on request (and caches on the context); "" when this crypt32
// cannot compute it (Wine has no CERT_SHA256_HASH_PROP_ID).
std::string hash_property(PCCERT_CONTEXT context, DWORD id) {
  std::array<BYTE, 64> buffer{};
  DWORD size = static_cast<DWORD>(buffer.size());
  if (!CertGetCertificateContextProperty(context, id, buffer.data(), &size)) return "";
  return hex_of(buffer.data(), size);
}

std::string name_text(const CERT_NAME_BLOB& name) {
  // CERT_NAME_STR_REVERSE_FLAG: the most specific RDN first ("CN=x, DC=y"), as certutil prints.
  const DWORD flags = CERT_X500_NAME_STR | CERT_NAME_STR_REVERSE_FLAG;
  const DWORD length =
      CertNameToStrW(X509_ASN_ENCODING, const_cast<CERT_NAME_BLOB*>(&name), flags, nullptr, 0);
  if (length <= 1) return "";
  std::wstring text(length, L'\0');
  CertNameToStrW(X509_ASN_ENCODING, const_cast<CERT_NAME_BLOB*>(&name), flags, text.data(), length);
  text.resize(length - 1);
  return to_utf8(text);
}

std::string iso_time(const FILETIME& time) {
  SYSTEMTIME st{};
  if (!FileTimeToSystemTime(&time, &st)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear, st.wMonth, st.wDay,
                st.wHour, st.wMinute, st.wSecond);
  return text;
}

// Decodes one extension of the certificate with CryptDecodeObjectEx; null when absent or
// undecodable. The result is LocalFree'd by its owner.
struct LocalFreer {
  void operator()(void* p) const noexcept { LocalFree(p); }
};
template <typename T>
using LocalPtr = std::unique_ptr<T, LocalFreer>;

template <typename T>
LocalPtr<T> decode_extension(const CERT_INFO& info, const char* oid, LPCSTR struct_type) {
  const CERT_EXTENSION* ext = CertFindExtension(oid, info.cExtension, info.rgExtension);
  if (ext == nullptr) return nullptr;
  void* decoded = nullptr;
  DWORD size = 0;
  if (!CryptDecodeObjectEx(X509_ASN_ENCODING, struct_type, ext->Value.pbData, ext->Value.cbData,
                           CRYPT_DECODE_ALLOC_FLAG, nullptr, &decoded, &size)) {
    return nullptr;
  }
  return LocalPtr<T>(static_cast<T*>(decoded));
}

// "Key Id Hash(rfc-sha1)": SHA-1 of the subjectPublicKey bits, which key containers report too.
std::string public_key_id(const CERT_PUBLIC_KEY_INFO& key) {
  std::array<BYTE, 20> digest{};
  DWORD size = static_cast<DWORD>(digest.size());
  if (!CryptHashCertificate(0, CALG_SHA1, 0, key.PublicKey.pbData, key.PublicKey.cbData,
                            digest.data(), &size)) {
    return "";
  }
  return hex_of(digest.data(), size);
}

// Property 2 as crypt32 returns it (a CRYPT_KEY_PROV_INFO whose pointers point into the same
// buffer) converted to repair's KeyProvInfo.
repair::KeyProvInfo key_prov_info_of(const CRYPT_KEY_PROV_INFO& info) {
  repair::KeyProvInfo out;
  out.container = info.pwszContainerName ? to_utf8(info.pwszContainerName) : "";
  out.provider = info.pwszProvName ? to_utf8(info.pwszProvName) : "";
  out.provider_type = info.dwProvType;
  out.flags = info.dwFlags;
  out.key_spec = info.dwKeySpec;
  for (DWORD i = 0; i < info.cProvParam; ++i) {
    const auto& p = info.rgProvParam[i];
    out.params.push_back(
        repair::KeyProvParam{p.dwParam, Bytes(p.pbData, p.pbData + p.cbData), p.dwFlags});
  }
  return out;
}

Status last_error(std::string what) {
  const DWORD code = GetLastError();
  if (code == 0) {
    // Wine's crypt32 returns FALSE for a property id it does not implement without setting an
    // error (callers clear it first, so this is not a stale code).
    return make_error(ErrorCode::kUnsupported,
                      what +
                          " failed without an error code: this crypt32 does not store that "
                          "property id");
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(code));
  return make_error(ErrorCode::kIo, what + " failed: " + hex + " " + error_message(code));
}

}  // namespace

std::optional<DWORD> system_store_flag(repair::StoreLocation location) {
  switch (location) {
    case repair::StoreLocation::kLocalMachine:
      return CERT_SYSTEM_STORE_LOCAL_MACHINE;
    case repair::StoreLocation::kCurrentUser:
      return CERT_SYSTEM_STORE_CURRENT_USER;
    case repair::StoreLocation::kLocalMachineEnterprise:
      return CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE;
    default:
      return std::nullopt;
  }
}

CryptStore::CryptStore(UniqueCertStore store, repair::StoreIdentity identity,
                       std::string description)
    : store_(std::move(store)),
      identity_(std::move(identity)),
      description_(std::move(description)) {}

Result<CryptStore> CryptStore::open_system(repair::StoreLocation location, const std::string& name,
                                           bool create) {
  const auto flag = system_store_flag(location);
  if (!flag) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a system store is opened at LocalMachine, CurrentUser or "
                      "LocalMachineEnterprise");
  }
  auto wide = to_wide(name);
  if (!wide || name.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "store name is empty or not valid UTF-8");
  }
  const DWORD flags = *flag | (create ? 0 : CERT_STORE_OPEN_EXISTING_FLAG);
  UniqueCertStore store(CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, flags, wide->c_str()));
  const std::string description =
      std::string(repair::location_name(location)) + "\\" + repair::canonical_store_name(name);
  if (!store) return last_error("CertOpenStore(" + description + ")").error();
  CryptStore out(std::move(store),
                 repair::StoreIdentity{repair::canonical_store_name(name), location,
                                       "the store opened", "the store opened"},
                 description);
  out.persistent_ = true;
  if (auto ok = out.reload(); !ok) return ok.error();
  return out;
}

Result<CryptStore> CryptStore::open_memory(const std::string& name) {
  UniqueCertStore store(
      CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr));
  if (!store) return last_error("CertOpenStore(CERT_STORE_PROV_MEMORY)").error();
  return CryptStore(std::move(store),
                    repair::StoreIdentity{repair::canonical_store_name(name),
                                          repair::StoreLocation::kUnknown, "the store opened", ""},
                    "memory store " + name);
}

Status CryptStore::reload() {
  certificates_.clear();
  PCCERT_CONTEXT context = nullptr;
  // CertEnumCertificatesInStore frees the previous context it is given; each kept one is a
  // duplicate this store owns.
  while ((context = CertEnumCertificatesInStore(store_.get(), context)) != nullptr) {
    certificates_.push_back(duplicate(context));
  }
  // Lookups by thumbprint are the engine's most frequent call; crypt32 hashes on each ask.
  sha1s_.clear();
  for (const auto& certificate : certificates_) {
    sha1s_.push_back(hash_property(certificate.get(), CERT_SHA1_HASH_PROP_ID));
  }
  return {};
}

Result<std::size_t> CryptStore::add_encoded(const Bytes& der,
                                            const std::vector<repair::PropertyEntry>& properties) {
  PCCERT_CONTEXT added = nullptr;
  if (!CertAddEncodedCertificateToStore(store_.get(), kEncoding, der.data(),
                                        static_cast<DWORD>(der.size()), CERT_STORE_ADD_NEW,
                                        &added)) {
    return last_error("CertAddEncodedCertificateToStore").error();
  }
  UniqueCertContext owned(added);
  if (auto ok = reload(); !ok) return ok.error();
  const std::string sha1 = hash_property(owned.get(), CERT_SHA1_HASH_PROP_ID);
  auto index = find_by_sha1(sha1);
  if (!index) return make_error(ErrorCode::kInternal, "added certificate not enumerated");
  for (const auto& p : properties) {
    if (auto ok = write_property(*index, p.id, p.value); !ok) return ok.error();
  }
  return *index;
}

std::string CryptStore::description() const { return description_; }
repair::StoreIdentity CryptStore::identity() const { return identity_; }

repair::CertFacts CryptStore::certificate(std::size_t index) const {
  PCCERT_CONTEXT context = certificates_.at(index).get();
  const CERT_INFO& info = *context->pCertInfo;
  repair::CertFacts f;
  f.index = static_cast<std::uint32_t>(index);
  // CERT_INFO holds the serial little-endian; certutil prints it big-endian.
  Bytes serial(info.SerialNumber.pbData, info.SerialNumber.pbData + info.SerialNumber.cbData);
  std::reverse(serial.begin(), serial.end());
  f.serial = repair::to_hex(serial);
  f.subject = name_text(info.Subject);
  f.issuer = name_text(info.Issuer);
  f.not_before = iso_time(info.NotBefore);
  f.not_after = iso_time(info.NotAfter);
  // The hashes first: asking for one caches it as a property, so the property list read below
  // is the same on every call.
  f.sha1 = hash_property(context, CERT_SHA1_HASH_PROP_ID);
  f.md5 = hash_property(context, CERT_MD5_HASH_PROP_ID);
  f.sha256 = hash_property(context, CERT_SHA256_HASH_PROP_ID);
  f.signature_hash = hash_property(context, CERT_SIGNATURE_HASH_PROP_ID);
  f.public_key_id = public_key_id(info.SubjectPublicKeyInfo);
  // The whole certificate is here, so a missing Basic Constraints extension means not a CA.
  auto basic = decode_extension<CERT_BASIC_CONSTRAINTS2_INFO>(info, szOID_BASIC_CONSTRAINTS2,
                                                              X509_BASIC_CONSTRAINTS2);
  f.is_ca = basic ? basic->fCA != FALSE : false;
  if (auto version = decode_extension<int>(info, szOID_CERTSRV_CA_VERSION, X509_INTEGER)) {
    f.ca_version = static_cast<std::uint32_t>(*version);
  }
  if (auto eku = decode_extension<CERT_ENHKEY_USAGE>(info, szOID_ENHANCED_KEY_USAGE,
                                                     X509_ENHANCED_KEY_USAGE)) {
    for (DWORD i = 0; i < eku->cUsageIdentifier; ++i)
      f.ekus.emplace_back(eku->rgpszUsageIdentifier[i]);
  }
  DWORD id = 0;
  while ((id = CertEnumCertificateContextProperties(context, id)) != 0) {
    if (is_handle_property(id)) continue;
    auto value = property(index, static_cast<PropertyId>(id));
    if (value.ok() && value->has_value()) f.properties.set(static_cast<PropertyId>(id), **value);
  }
  return f;
}

Result<std::optional<Bytes>> CryptStore::property(std::size_t index, PropertyId id) const {
  PCCERT_CONTEXT context = certificates_.at(index).get();
  const DWORD number = repair::to_number(id);
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(context, number, nullptr, &size)) {
    if (GetLastError() == static_cast<DWORD>(CRYPT_E_NOT_FOUND)) return std::optional<Bytes>();
    return last_error("CertGetCertificateContextProperty(" + std::to_string(number) + ")").error();
  }
  Bytes buffer(size);
  if (size > 0 && !CertGetCertificateContextProperty(context, number, buffer.data(), &size)) {
    return last_error("CertGetCertificateContextProperty(" + std::to_string(number) + ")").error();
  }
  buffer.resize(size);
  if (id != kKeyProvInfoId) return std::optional<Bytes>(std::move(buffer));
  if (buffer.size() < sizeof(CRYPT_KEY_PROV_INFO)) {
    return make_error(ErrorCode::kParse, "property 2 shorter than a CRYPT_KEY_PROV_INFO");
  }
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buffer.data());
  auto encoded = repair::encode_key_prov_info(key_prov_info_of(*info));
  if (!encoded) return encoded.error();
  return std::optional<Bytes>(std::move(*encoded));
}

Status CryptStore::write_property(std::size_t index, PropertyId id,
                                  const std::optional<Bytes>& value) {
  PCCERT_CONTEXT context = certificates_.at(index).get();
  const DWORD number = repair::to_number(id);
  const std::string what = "CertSetCertificateContextProperty(" + std::to_string(number) + ")";
  if (!value) {
    // Deleting what is not there changes nothing; crypt32 may still refuse an id it does not
    // know (Wine does), so it is not asked.
    auto current = property(index, id);
    if (current && !current->has_value()) return {};
    SetLastError(0);
    if (!CertSetCertificateContextProperty(context, number, 0, nullptr)) return last_error(what);
    refresh_sha1(index, number);
    return {};
  }
  if (id != kKeyProvInfoId) {
    CRYPT_DATA_BLOB blob{static_cast<DWORD>(value->size()), const_cast<BYTE*>(value->data())};
    SetLastError(0);
    if (!CertSetCertificateContextProperty(context, number, 0, &blob)) return last_error(what);
    refresh_sha1(index, number);
    return {};
  }
  // Property 2 is set from a CRYPT_KEY_PROV_INFO; crypt32 serializes it itself.
  auto decoded = repair::decode_key_prov_info(*value);
  if (!decoded) return decoded.error();
  auto container = to_wide(decoded->container);
  auto provider = to_wide(decoded->provider);
  if (!container || !provider) {
    return make_error(ErrorCode::kUnsafe, "property 2 names are not valid UTF-8");
  }
  std::vector<CRYPT_KEY_PROV_PARAM> params;
  for (auto& p : decoded->params) {
    params.push_back(
        CRYPT_KEY_PROV_PARAM{p.param, p.data.data(), static_cast<DWORD>(p.data.size()), p.flags});
  }
  CRYPT_KEY_PROV_INFO info{};
  info.pwszContainerName = container->data();
  info.pwszProvName = provider->data();
  info.dwProvType = decoded->provider_type;
  info.dwFlags = decoded->flags;
  info.cProvParam = static_cast<DWORD>(params.size());
  info.rgProvParam = params.empty() ? nullptr : params.data();
  info.dwKeySpec = decoded->key_spec;
  SetLastError(0);
  if (!CertSetCertificateContextProperty(context, number, 0, &info)) return last_error(what);
  return {};
}

Status CryptStore::save_as_sst(const std::string& path) const {
  auto wide = to_wide(path);
  if (!wide) return make_error(ErrorCode::kInvalidArgument, path + ": not UTF-8");
  SetLastError(0);
  if (!CertSaveStore(store_.get(), kEncoding, CERT_STORE_SAVE_AS_STORE,
                     CERT_STORE_SAVE_TO_FILENAME_W, const_cast<wchar_t*>(wide->c_str()), 0)) {
    return last_error("CertSaveStore(" + path + ")");
  }
  return {};
}

Status CryptStore::flush() {
  if (!persistent_) return {};
  // Windows writes a registry store's property change at once; Wine's registry store writes
  // only what it marked dirty, and a property set on an enumerated certificate is not, so the
  // store is committed with the force flag (on Windows, a no-op commit).
  SetLastError(0);
  if (!CertControlStore(store_.get(), CERT_STORE_CTRL_COMMIT_FORCE_FLAG, CERT_STORE_CTRL_COMMIT,
                        nullptr)) {
    return last_error("CertControlStore(CERT_STORE_CTRL_COMMIT) on " + description_);
  }
  return {};
}

std::string CryptStore::sha1_at(std::size_t index) const { return sha1s_.at(index); }

// Setting or deleting property 3 changes what crypt32 reports as the thumbprint.
void CryptStore::refresh_sha1(std::size_t index, DWORD written_id) {
  if (written_id == CERT_SHA1_HASH_PROP_ID) {
    sha1s_.at(index) = hash_property(certificates_.at(index).get(), CERT_SHA1_HASH_PROP_ID);
  }
}

std::optional<std::size_t> CryptStore::find_by_sha1(std::string_view sha1) const {
  auto it = std::find(sha1s_.begin(), sha1s_.end(), sha1);
  if (it == sha1s_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - sha1s_.begin());
}

std::vector<std::size_t> CryptStore::find_by_serial(std::string_view serial) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < certificates_.size(); ++i) {
    const auto& s = certificates_[i]->pCertInfo->SerialNumber;
    Bytes bytes(s.pbData, s.pbData + s.cbData);
    std::reverse(bytes.begin(), bytes.end());
    if (repair::to_hex(bytes) == serial) out.push_back(i);
  }
  return out;
}

// Transactions: every change is checked when staged; commit writes them in order, keeping each
// touched property's old bytes (or absence) first, and on any failure writes those back in
// reverse, so the store ends as it began.
class CryptTransaction final : public repair::Transaction {
 public:
  explicit CryptTransaction(CryptStore& store) : store_(store) {}

  Status set_property(std::string_view sha1, PropertyId id, Bytes value) override {
    auto index = check(sha1, id);
    if (!index) return index.error();
    if (auto ok = repair::check_staged_value(id, value); !ok) return ok.error();
    changes_.push_back(Change{*index, id, std::move(value)});
    return {};
  }

  Status delete_property(std::string_view sha1, PropertyId id) override {
    auto index = check(sha1, id);
    if (!index) return index.error();
    changes_.push_back(Change{*index, id, std::nullopt});
    return {};
  }

  Status commit() override {
    if (finished_) return make_error(ErrorCode::kInvalidArgument, "transaction already finished");
    finished_ = true;
    auto fail_after = store_.fail_after_;
    store_.fail_after_.reset();
    std::vector<Change> undo;
    // Every write is undone even when one restore fails, so as little as possible stays
    // changed, and the error names each property that could not be restored.
    const auto roll_back = [&](const repair::Error& cause) -> Status {
      std::string failed;
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
        if (auto ok = store_.write_property(it->index, it->id, it->value); !ok) {
          failed += (failed.empty() ? "" : "; ") + std::string("property ") +
                    std::to_string(repair::to_number(it->id)) + " of certificate " +
                    std::to_string(it->index) + ": " + ok.error().message;
        }
      }
      // The restored values are committed too, so that what the store keeps is what it shows.
      if (auto ok = store_.flush(); !ok) {
        failed += (failed.empty() ? "" : "; ") + ok.error().message;
      }
      if (!failed.empty()) {
        return make_error(ErrorCode::kInternal, cause.message + "; restoring failed too (" +
                                                    failed + "): the store may be partly changed");
      }
      return make_error(cause.code, cause.message + "; the store was rolled back");
    };
    // The old bytes (or absence) of every property the transaction touches, read before the
    // first write; with a journal they are on disk before it too, so a crash mid-commit can be
    // undone on the next start (recover_journal).
    std::vector<JournalEntry> before;
    for (const auto& change : changes_) {
      auto old = store_.property(change.index, change.id);
      if (!old) return old.error();
      before.push_back(JournalEntry{store_.sha1_at(change.index), change.id, std::move(*old)});
    }
    if (!store_.journal_path_.empty()) {
      if (auto ok = write_journal(store_.journal_path_, store_.identity_, before); !ok) {
        return make_error(ok.error().code, ok.error().message + "; nothing was changed");
      }
    }
    std::size_t writes = 0;
    for (std::size_t i = 0; i < changes_.size(); ++i) {
      const auto& change = changes_[i];
      if (fail_after && writes == *fail_after) {
        return finish(roll_back(
            repair::Error{ErrorCode::kInternal,
                          "injected write failure after " + std::to_string(writes) + " change(s)",
                          std::nullopt}));
      }
      undo.push_back(Change{change.index, change.id, before[i].value});
      if (auto ok = store_.write_property(change.index, change.id, change.value); !ok) {
        return finish(roll_back(ok.error()));
      }
      // Each write is committed at once, as Windows persists a property change.
      if (auto ok = store_.flush(); !ok) return finish(roll_back(ok.error()));
      ++writes;
      if (store_.terminate_after_writes_ && writes == *store_.terminate_after_writes_) {
        // Test seam (certbed.exe's CERTBED_TEST_TERMINATE_AFTER_WRITES): the process is killed
        // mid-commit, with the journal on disk and the store partly changed.
        TerminateProcess(GetCurrentProcess(), 99);
      }
    }
    return finish({});
  }

 private:
  // The journal is removed once the store is consistent again: committed, or rolled back
  // without a failed restore. A failed restore keeps it for the next start.
  Status finish(Status result) {
    const bool consistent =
        result.ok() || result.error().message.find("restoring failed too") == std::string::npos;
    if (!store_.journal_path_.empty() && consistent) {
      if (auto ok = remove_journal(store_.journal_path_); !ok && result.ok()) return ok;
    }
    return result;
  }

  struct Change {
    std::size_t index;
    PropertyId id;
    std::optional<Bytes> value;  // nullopt = absent / delete
  };

  Result<std::size_t> check(std::string_view sha1, PropertyId id) const {
    if (finished_) return make_error(ErrorCode::kInvalidArgument, "transaction already finished");
    if (auto ok = repair::check_staged_property(id); !ok) return ok.error();
    auto index = store_.find_by_sha1(sha1);
    if (!index) {
      return make_error(ErrorCode::kNotFound, "no certificate with SHA-1 " + std::string(sha1) +
                                                  " in " + store_.description());
    }
    return *index;
  }

  CryptStore& store_;
  std::vector<Change> changes_;
  bool finished_ = false;
};

Result<std::unique_ptr<repair::Transaction>> CryptStore::begin_transaction() {
  return std::unique_ptr<repair::Transaction>(std::make_unique<CryptTransaction>(*this));
}

}  // namespace certbed::windows
