// RAII owners for every OpenSSL object certbed uses, declared once.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "certbed/repair/model/bytes.h"

namespace certbed::emulator::ossl {

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    if (p != nullptr) FreeFn(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509PubkeyPtr = std::unique_ptr<X509_PUBKEY, Deleter<X509_PUBKEY_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;

// A STACK_OF(X509_EXTENSION) owns its extensions (X509_REQ_add_extensions copies them).
inline void free_extension_stack(STACK_OF(X509_EXTENSION) * extensions) {
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
}
using X509ExtStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), Deleter<free_extension_stack>>;

// Keys are immutable once made, so containers and snapshots share them by reference count.
using SharedPkey = std::shared_ptr<EVP_PKEY>;
inline SharedPkey share(PkeyPtr key) { return SharedPkey(key.release(), EVP_PKEY_free); }

// The DER an i2d function (`encode`) writes for `object`; empty when encoding fails.
template <typename T, typename Encode>
repair::Bytes i2d_bytes(const T* object, Encode encode) {
  unsigned char* der = nullptr;
  const int len = encode(object, &der);
  if (len <= 0) return {};
  repair::Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// The newest OpenSSL error on this thread as text (and clears the queue), for error messages.
std::string last_error();

}  // namespace certbed::emulator::ossl
