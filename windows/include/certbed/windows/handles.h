// RAII owners for the crypt32, CryptoAPI and NCrypt handles the windows backend holds: each is
// released exactly once, by the function its API documents for it.
#pragma once

// windows.h must come before wincrypt.h and ncrypt.h.
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
// clang-format on

#include <memory>
#include <type_traits>

namespace certbed::windows {

struct CertStoreCloser {
  void operator()(HCERTSTORE store) const noexcept {
    if (store != nullptr) CertCloseStore(store, 0);
  }
};
using UniqueCertStore = std::unique_ptr<std::remove_pointer_t<HCERTSTORE>, CertStoreCloser>;

struct CertContextFreer {
  void operator()(PCCERT_CONTEXT context) const noexcept {
    if (context != nullptr) CertFreeCertificateContext(context);
  }
};
using UniqueCertContext = std::unique_ptr<const CERT_CONTEXT, CertContextFreer>;

// A second reference to a context (CertDuplicateCertificateContext), owned separately.
inline UniqueCertContext duplicate(PCCERT_CONTEXT context) {
  return UniqueCertContext(CertDuplicateCertificateContext(context));
}

// NCRYPT_PROV_HANDLE and NCRYPT_KEY_HANDLE are integers released with NCryptFreeObject.
class NCryptHandle {
 public:
  NCryptHandle() = default;
  explicit NCryptHandle(NCRYPT_HANDLE handle) : handle_(handle) {}
  NCryptHandle(const NCryptHandle&) = delete;
  NCryptHandle& operator=(const NCryptHandle&) = delete;
  NCryptHandle(NCryptHandle&& other) noexcept : handle_(other.release()) {}
  NCryptHandle& operator=(NCryptHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~NCryptHandle() { reset(); }

  NCRYPT_HANDLE get() const { return handle_; }
  // For the out-parameter of NCryptOpenStorageProvider / NCryptOpenKey.
  NCRYPT_HANDLE* out() {
    reset();
    return &handle_;
  }
  NCRYPT_HANDLE release() {
    const NCRYPT_HANDLE h = handle_;
    handle_ = 0;
    return h;
  }
  void reset(NCRYPT_HANDLE handle = 0) {
    if (handle_ != 0) NCryptFreeObject(handle_);
    handle_ = handle;
  }
  explicit operator bool() const { return handle_ != 0; }

 private:
  NCRYPT_HANDLE handle_ = 0;
};

// HCRYPTPROV, released with CryptReleaseContext.
class CryptProvider {
 public:
  CryptProvider() = default;
  CryptProvider(const CryptProvider&) = delete;
  CryptProvider& operator=(const CryptProvider&) = delete;
  CryptProvider(CryptProvider&& other) noexcept : handle_(other.handle_) { other.handle_ = 0; }
  CryptProvider& operator=(CryptProvider&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = other.handle_;
      other.handle_ = 0;
    }
    return *this;
  }
  ~CryptProvider() { reset(); }

  HCRYPTPROV get() const { return handle_; }
  HCRYPTPROV* out() {
    reset();
    return &handle_;
  }
  void reset() {
    if (handle_ != 0) CryptReleaseContext(handle_, 0);
    handle_ = 0;
  }

 private:
  HCRYPTPROV handle_ = 0;
};

// HCRYPTKEY, released with CryptDestroyKey.
class CryptKey {
 public:
  CryptKey() = default;
  CryptKey(const CryptKey&) = delete;
  CryptKey& operator=(const CryptKey&) = delete;
  ~CryptKey() { reset(); }
  HCRYPTKEY get() const { return handle_; }
  HCRYPTKEY* out() {
    reset();
    return &handle_;
  }
  void reset() {
    if (handle_ != 0) CryptDestroyKey(handle_);
    handle_ = 0;
  }

 private:
  HCRYPTKEY handle_ = 0;
};

}  // namespace certbed::windows
