// The value of CERT_ENHKEY_USAGE_PROP_ID (9): a DER SEQUENCE OF OBJECT IDENTIFIER, encoded from
// the OIDs of a "{text}" line and decoded back to dotted text.
#include <charconv>

#include "inf_internal.h"

namespace certbed::repair {
namespace {

bool valid_oid(std::string_view oid) {
  if (oid.empty() || oid.front() == '.' || oid.back() == '.' ||
      oid.find("..") != std::string_view::npos) {
    return false;
  }
  std::size_t dots = 0;
  for (char c : oid) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots >= 1;
}

void put_length(Bytes& out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
    return;
  }
  Bytes digits;
  while (len) {
    digits.insert(digits.begin(), static_cast<std::uint8_t>(len & 0xFF));
    len >>= 8;
  }
  out.push_back(static_cast<std::uint8_t>(0x80 | digits.size()));
  out.insert(out.end(), digits.begin(), digits.end());
}

}  // namespace

namespace inf_detail {

Result<Bytes> encode_oid(std::string_view oid) {
  if (!valid_oid(oid)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "\"" + std::string(oid) + "\" is not a dotted object identifier");
  }
  std::vector<std::uint64_t> arcs;
  std::size_t start = 0;
  while (start <= oid.size()) {
    auto dot = oid.find('.', start);
    if (dot == std::string_view::npos) dot = oid.size();
    std::uint64_t arc = 0;
    auto piece = oid.substr(start, dot - start);
    auto [end, ec] = std::from_chars(piece.data(), piece.data() + piece.size(), arc);
    if (ec != std::errc() || end != piece.data() + piece.size() || arc > (1ULL << 56)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "object identifier arc too large in \"" + std::string(oid) + "\"");
    }
    arcs.push_back(arc);
    start = dot + 1;
  }
  if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "\"" + std::string(oid) + "\" is not a valid object identifier");
  }
  Bytes body;
  auto put_arc = [&body](std::uint64_t v) {
    Bytes tmp{static_cast<std::uint8_t>(v & 0x7F)};
    while (v >>= 7) tmp.insert(tmp.begin(), static_cast<std::uint8_t>(0x80 | (v & 0x7F)));
    body.insert(body.end(), tmp.begin(), tmp.end());
  };
  put_arc(arcs[0] * 40 + arcs[1]);
  for (std::size_t k = 2; k < arcs.size(); ++k) put_arc(arcs[k]);
  Bytes out{0x06};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace inf_detail

using inf_detail::encode_oid;

// ---- EKU -----------------------------------------------------------------------------------

Result<Bytes> encode_eku_list(const std::vector<std::string>& oids) {
  Bytes body;
  for (const auto& oid : oids) {
    auto encoded = encode_oid(oid);
    if (!encoded) return encoded.error();
    body.insert(body.end(), encoded->begin(), encoded->end());
  }
  Bytes out{0x30};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<std::vector<std::string>> decode_eku_list(ByteView der) {
  auto bad = [] {
    return make_error(ErrorCode::kParse, "not a DER SEQUENCE OF OBJECT IDENTIFIER");
  };
  // Reads tag + length at `pos`; returns the content span.
  auto read = [&](std::size_t& pos, std::uint8_t tag, ByteView& content) -> bool {
    if (der.size() - pos < 2 || der[pos] != tag) return false;
    std::size_t len = der[pos + 1];
    std::size_t header = 2;
    if (len & 0x80) {
      const std::size_t n = len & 0x7F;
      if (n == 0 || n > 3 || der.size() - pos < 2 + n) return false;
      len = 0;
      for (std::size_t k = 0; k < n; ++k) len = (len << 8) | der[pos + 2 + k];
      header += n;
    }
    if (der.size() - pos - header < len) return false;
    content = der.subspan(pos + header, len);
    pos += header + len;
    return true;
  };
  std::size_t pos = 0;
  ByteView seq;
  if (!read(pos, 0x30, seq) || pos != der.size()) return bad();
  std::vector<std::string> out;
  std::size_t at = 0;
  const ByteView all = seq;
  while (at < all.size()) {
    ByteView oid;
    std::size_t p = at;
    // Reuse `read` over the sequence body by temporarily viewing it as the whole input.
    if (all.size() - p < 2 || all[p] != 0x06 || (all[p + 1] & 0x80) ||
        all.size() - p - 2 < all[p + 1] || all[p + 1] == 0) {
      return bad();
    }
    oid = all.subspan(p + 2, all[p + 1]);
    at = p + 2 + all[p + 1];
    std::string text;
    std::uint64_t value = 0;
    bool first = true;
    for (std::size_t k = 0; k < oid.size(); ++k) {
      if (value > (1ULL << 56)) return bad();
      value = (value << 7) | (oid[k] & 0x7F);
      if (oid[k] & 0x80) {
        if (k + 1 == oid.size()) return bad();
        continue;
      }
      if (first) {
        const std::uint64_t a = value < 80 ? value / 40 : 2;
        text = std::to_string(a) + "." + std::to_string(value - a * 40);
        first = false;
      } else {
        text += "." + std::to_string(value);
      }
      value = 0;
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace certbed::repair
