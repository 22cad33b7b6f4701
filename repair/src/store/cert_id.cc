// certutil's CertIdList matched against any store.
#include "certbed/repair/store/cert_id.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/printable.h"

namespace certbed::repair {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::size_t> parse_index(std::string_view token) {
  if (token.empty() || token.size() > 9) return std::nullopt;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string cert_id_excerpt(std::string_view id) {
  return printable_excerpt(id, kCertIdExcerptBytes);
}

Result<std::vector<std::size_t>> match_cert_ids(const ReadOnlyStore& store,
                                                std::string_view cert_id_list) {
  std::vector<std::size_t> matched;
  std::size_t start = 0;
  for (std::size_t item = 1; start <= cert_id_list.size(); ++item) {
    std::size_t comma = cert_id_list.find(',', start);
    if (comma == std::string_view::npos) comma = cert_id_list.size();
    std::string_view token = trim(cert_id_list.substr(start, comma - start));
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
      token = trim(token.substr(1, token.size() - 2));
    }
    if (token.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "empty certificate id (item " +
                                                         std::to_string(item) + ") in list \"" +
                                                         cert_id_excerpt(cert_id_list) + "\"");
    }

    std::vector<std::size_t> hits;
    if (auto index = parse_index(token); index && *index < store.size()) hits.push_back(*index);
    if (auto hex = normalize_hex(token)) {
      if (hex->size() == 40) {
        if (auto i = store.find_by_sha1(*hex)) hits.push_back(*i);
      }
      for (auto i : store.find_by_serial(*hex)) hits.push_back(i);
    }
    std::sort(hits.begin(), hits.end());
    hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
    if (hits.empty()) {
      return make_error(ErrorCode::kNotFound, "certificate id \"" + cert_id_excerpt(token) +
                                                  "\" matches no certificate in " +
                                                  store.description());
    }
    if (hits.size() > 1) {
      std::string which;
      for (auto i : hits) which += (which.empty() ? "" : ", ") + std::to_string(i);
      return make_error(ErrorCode::kAmbiguous,
                        "certificate id \"" + cert_id_excerpt(token) +
                            "\" matches more than one certificate (indexes " + which +
                            "); use the SHA-1 thumbprint");
    }
    matched.push_back(hits.front());
    start = comma + 1;
  }
  std::sort(matched.begin(), matched.end());
  matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
  return matched;
}

}  // namespace certbed::repair
