// Keys for new containers: the committed deterministic pool, or freshly generated ones.
#include "certbed/emulator/keys/key_source.h"

#include <map>
#include <mutex>
#include <vector>

#include "key_pool_data.h"

namespace certbed::emulator {
namespace {

struct Pool {
  std::map<KeyAlgorithm, std::vector<ossl::SharedPkey>> keys;
  std::string error;
};

const Pool& pool() {
  static const Pool loaded = [] {
    Pool p;
    for (const auto& entry : kKeyPoolEntries) {
      auto alg = parse_key_algorithm(entry.algorithm);
      auto key = private_key_from_pem(entry.pem);
      if (!alg || !key) {
        p.error = std::string("committed test key ") + entry.file + " is unusable";
        continue;
      }
      p.keys[*alg].push_back(ossl::share(std::move(*key)));
    }
    return p;
  }();
  return loaded;
}

}  // namespace

KeySource KeySource::random() { return KeySource(false); }
KeySource KeySource::deterministic() { return KeySource(true); }

std::size_t KeySource::pool_size(KeyAlgorithm algorithm) {
  const auto& keys = pool().keys;
  auto it = keys.find(algorithm);
  return it == keys.end() ? 0 : it->second.size();
}

repair::Result<ossl::SharedPkey> KeySource::next(KeyAlgorithm algorithm) {
  if (!deterministic_) {
    auto key = generate_key(algorithm);
    if (!key) return key.error();
    return ossl::share(std::move(*key));
  }
  const auto& p = pool();
  auto it = p.keys.find(algorithm);
  if (it == p.keys.end() || it->second.empty()) {
    return repair::make_error(repair::ErrorCode::kNotFound,
                              "no committed test key for " +
                                  std::string(key_algorithm_name(algorithm)) +
                                  (p.error.empty() ? std::string() : " (" + p.error + ")"));
  }
  auto& counter = handed_out_[static_cast<std::size_t>(algorithm)];
  return it->second[counter++ % it->second.size()];
}

}  // namespace certbed::emulator
