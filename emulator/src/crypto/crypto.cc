// Digests, key generation and key encodings over OpenSSL 3.
#include "certbed/emulator/crypto/crypto.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <mutex>
#include <unordered_map>

namespace certbed::emulator {

using repair::Bytes;
using repair::ErrorCode;
using repair::make_error;
using repair::Result;

namespace ossl {
std::string last_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}
}  // namespace ossl

namespace {

// OpenSSL 3 looks an implicit digest (EVP_sha1() and friends) up in its provider store, under a
// lock, on every EVP_Digest call; fetching the common ones once makes hashing several times
// faster. The fetched digests live as long as the process.
const EVP_MD* fetched(const EVP_MD* md) {
  struct Entry {
    int nid;
    EVP_MD* md;
  };
  static const std::array<Entry, 5> table = [] {
    std::array<Entry, 5> t{};
    const std::pair<int, const char*> names[] = {{NID_sha1, "SHA1"},
                                                 {NID_md5, "MD5"},
                                                 {NID_sha256, "SHA256"},
                                                 {NID_sha384, "SHA384"},
                                                 {NID_sha512, "SHA512"}};
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = Entry{names[i].first, EVP_MD_fetch(nullptr, names[i].second, nullptr)};
    }
    ERR_clear_error();  // a digest a provider lacks stays implicit
    return t;
  }();
  const int nid = EVP_MD_get_type(md);
  for (const auto& e : table) {
    if (e.nid == nid && e.md != nullptr) return e.md;
  }
  return md;
}

}  // namespace

bool is_prefetched_digest(const EVP_MD* md) { return fetched(md) != md; }

Bytes digest(const EVP_MD* md, repair::ByteView data) {
  md = fetched(md);
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    // Digests of in-memory data cannot fail short of memory exhaustion.
    std::abort();
  }
  out.resize(len);
  return out;
}

std::string_view key_algorithm_name(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      return "rsa2048";
    case KeyAlgorithm::kRsa3072:
      return "rsa3072";
    case KeyAlgorithm::kRsa4096:
      return "rsa4096";
    case KeyAlgorithm::kEcP256:
      return "p256";
    case KeyAlgorithm::kEcP384:
      return "p384";
  }
  return "unknown";
}

Result<KeyAlgorithm> parse_key_algorithm(std::string_view name) {
  for (auto a : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072, KeyAlgorithm::kRsa4096,
                 KeyAlgorithm::kEcP256, KeyAlgorithm::kEcP384}) {
    if (key_algorithm_name(a) == name) return a;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown key algorithm \"" + std::string(name) +
                        "\" (expected rsa2048, rsa3072, rsa4096, p256 or p384)");
}

std::string_view cng_algorithm_name(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kEcP256:
      return "ECDSA_P256";
    case KeyAlgorithm::kEcP384:
      return "ECDSA_P384";
    default:
      return "RSA";
  }
}

unsigned key_bits(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      return 2048;
    case KeyAlgorithm::kRsa3072:
      return 3072;
    case KeyAlgorithm::kRsa4096:
      return 4096;
    case KeyAlgorithm::kEcP256:
      return 256;
    case KeyAlgorithm::kEcP384:
      return 384;
  }
  return 0;
}

Result<KeyAlgorithm> key_algorithm_of(const EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (bits == 2048) return KeyAlgorithm::kRsa2048;
    if (bits == 3072) return KeyAlgorithm::kRsa3072;
    if (bits == 4096) return KeyAlgorithm::kRsa4096;
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) == 1) {
      const std::string_view g(group, len);
      if (g == "prime256v1" || g == "P-256") return KeyAlgorithm::kEcP256;
      if (g == "secp384r1" || g == "P-384") return KeyAlgorithm::kEcP384;
    }
  }
  return make_error(ErrorCode::kUnsupported,
                    std::string("unsupported key type ") + EVP_PKEY_get0_type_name(key) + " of " +
                        std::to_string(bits) + " bits (expected RSA 2048/3072/4096, P-256, P-384)");
}

Result<ossl::PkeyPtr> generate_key(KeyAlgorithm algorithm) {
  EVP_PKEY* raw = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::kEcP256:
      raw = EVP_EC_gen("P-256");
      break;
    case KeyAlgorithm::kEcP384:
      raw = EVP_EC_gen("P-384");
      break;
    default:
      raw = EVP_RSA_gen(key_bits(algorithm));
      break;
  }
  if (raw == nullptr) {
    return make_error(ErrorCode::kInternal, "key generation failed: " + ossl::last_error());
  }
  return ossl::PkeyPtr(raw);
}

namespace {

Result<ossl::PkeyPtr> decode_private_key_pem(std::string_view pem) {
  ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return make_error(ErrorCode::kInternal, "out of memory");
  ossl::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return make_error(ErrorCode::kParse, "not a PEM private key: " + ossl::last_error());
  }
  if (auto alg = key_algorithm_of(key.get()); !alg) return alg.error();
  return key;
}

}  // namespace

// Snapshots repeat the same pool keys in many containers, and OpenSSL 3.0's PEM decoding goes
// through the provider decoders; each distinct PEM text is decoded once and the key shared
// (keys are never modified after they are made).
Result<ossl::PkeyPtr> private_key_from_pem(std::string_view pem) {
  static std::mutex mutex;
  static std::unordered_map<std::string, ossl::SharedPkey> cache;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(std::string(pem)); it != cache.end()) {
      EVP_PKEY_up_ref(it->second.get());
      return ossl::PkeyPtr(it->second.get());
    }
  }
  auto key = decode_private_key_pem(pem);
  if (!key) return key.error();
  std::lock_guard lock(mutex);
  if (cache.size() >= 1024) cache.clear();  // bounded: pools are far smaller
  EVP_PKEY_up_ref(key->get());
  cache.emplace(std::string(pem), ossl::SharedPkey(key->get(), EVP_PKEY_free));
  return key;
}

Result<std::string> private_key_to_pem(const EVP_PKEY* key) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error(ErrorCode::kInternal, "PEM encoding failed: " + ossl::last_error());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

namespace {

// What the public key alone determines, computed once per key: OpenSSL 3.0 encodes a key
// through its provider encoders (slower than hashing a certificate), and stores share a small
// key pool. Keyed by address; each entry holds a reference so the address is not reused while
// cached.
struct PublicKeyMemo {
  Bytes spki;
  std::string key_id;
};

Bytes encode_public_key_info(const EVP_PKEY* key) { return ossl::i2d_bytes(key, i2d_PUBKEY); }

std::string compute_public_key_id(const Bytes& spki) {
  const unsigned char* p = spki.data();
  ossl::X509PubkeyPtr pub(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!pub) return {};
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  std::string id;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, nullptr, pub.get()) == 1) {
    id = repair::to_hex(sha1(repair::ByteView(bits, static_cast<std::size_t>(bits_len))));
  }
  return id;
}

PublicKeyMemo public_key_memo(const EVP_PKEY* key) {
  struct Entry {
    ossl::SharedPkey reference;
    PublicKeyMemo memo;
  };
  static std::mutex mutex;
  static std::unordered_map<const EVP_PKEY*, Entry> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    PublicKeyMemo memo;
    memo.spki = encode_public_key_info(key);
    memo.key_id = compute_public_key_id(memo.spki);
    if (cache.size() >= 4096) cache.clear();  // bounded: pools are far smaller
    auto* mutable_key = const_cast<EVP_PKEY*>(key);
    EVP_PKEY_up_ref(mutable_key);
    it = cache.emplace(key, Entry{ossl::SharedPkey(mutable_key, EVP_PKEY_free), std::move(memo)})
             .first;
  }
  return it->second.memo;
}

}  // namespace

Bytes public_key_info_der(const EVP_PKEY* key) { return public_key_memo(key).spki; }

std::string public_key_id(const EVP_PKEY* key) { return public_key_memo(key).key_id; }

// BCRYPT_RSAKEY_BLOB / BCRYPT_ECCKEY_BLOB public blob, which certutil's "bcrypt" key id hashes
// cover (checked against a real RSA dump; the EC magic values are from bcrypt.h).
Bytes bcrypt_public_key_blob(const EVP_PKEY* key) {
  Bytes blob;
  auto put = [&blob](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) blob.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  if (EVP_PKEY_is_a(key, "RSA")) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    ossl::BignumPtr n_owner(n), e_owner(e);
    if (!n || !e) return {};
    Bytes nb(static_cast<std::size_t>(BN_num_bytes(n))),
        eb(static_cast<std::size_t>(BN_num_bytes(e)));
    BN_bn2bin(n, nb.data());
    BN_bn2bin(e, eb.data());
    put(0x31415352);  // BCRYPT_RSAPUBLIC_MAGIC "RSA1"
    put(static_cast<std::uint32_t>(EVP_PKEY_get_bits(key)));
    put(static_cast<std::uint32_t>(eb.size()));
    put(static_cast<std::uint32_t>(nb.size()));
    put(0);
    put(0);
    blob.insert(blob.end(), eb.begin(), eb.end());
    blob.insert(blob.end(), nb.begin(), nb.end());
    return blob;
  }
  unsigned char point[200];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
                                      &len) != 1 ||
      len < 3 || point[0] != 0x04) {
    return {};
  }
  const std::size_t coord = (len - 1) / 2;
  put(coord == 32 ? 0x31534345u : 0x33534345u);  // BCRYPT_ECDSA_PUBLIC_P256/P384_MAGIC
  put(static_cast<std::uint32_t>(coord));
  blob.insert(blob.end(), point + 1, point + len);
  return blob;
}

}  // namespace certbed::emulator
