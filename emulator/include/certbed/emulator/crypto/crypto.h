// Digests and key helpers over OpenSSL, returning repair:: value types.
#pragma once

#include <string>
#include <string_view>

#include "certbed/emulator/crypto/ossl.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/result.h"

namespace certbed::emulator {

repair::Bytes digest(const EVP_MD* md, repair::ByteView data);
// True for the digests fetched once at first use (SHA-1, MD5, SHA-256/384/512): a loaded
// provider implements them, so hashing with them cannot fail.
bool is_prefetched_digest(const EVP_MD* md);
inline repair::Bytes sha1(repair::ByteView data) { return digest(EVP_sha1(), data); }
inline repair::Bytes md5(repair::ByteView data) { return digest(EVP_md5(), data); }
inline repair::Bytes sha256(repair::ByteView data) { return digest(EVP_sha256(), data); }

enum class KeyAlgorithm { kRsa2048, kRsa3072, kRsa4096, kEcP256, kEcP384 };

std::string_view key_algorithm_name(KeyAlgorithm algorithm);  // "rsa2048", "p256", ...
repair::Result<KeyAlgorithm> parse_key_algorithm(std::string_view name);
// The algorithm of an existing key; an error for anything certbed does not emulate.
repair::Result<KeyAlgorithm> key_algorithm_of(const EVP_PKEY* key);
// "RSA" / "ECDSA_P256" / "ECDSA_P384", as CNG names the algorithms.
std::string_view cng_algorithm_name(KeyAlgorithm algorithm);
unsigned key_bits(KeyAlgorithm algorithm);

repair::Result<ossl::PkeyPtr> generate_key(KeyAlgorithm algorithm);
// PKCS#8 PEM (unencrypted) in and out.
repair::Result<ossl::PkeyPtr> private_key_from_pem(std::string_view pem);
repair::Result<std::string> private_key_to_pem(const EVP_PKEY* key);

// DER SubjectPublicKeyInfo.
repair::Bytes public_key_info_der(const EVP_PKEY* key);
// SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 method 1; certutil's
// "Key Id Hash(rfc-sha1)"), lower-case hex.
std::string public_key_id(const EVP_PKEY* key);

// The CNG public key blob (BCRYPT_RSAPUBLIC_BLOB or BCRYPT_ECCPUBLIC_BLOB) that certutil's
// "Key Id Hash(bcrypt-sha1)" and "(bcrypt-sha256)" hash; empty for other key types.
repair::Bytes bcrypt_public_key_blob(const EVP_PKEY* key);

}  // namespace certbed::emulator
