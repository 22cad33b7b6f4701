// DumpCertificate::to_cert_facts: what the engine needs from a parsed dump record, with the
// property bytes the printed values give exactly (and the inferred key provider property).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "certbed/repair/formats/dump/dump_format.h"
#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "dump_text.h"

namespace certbed::repair {
namespace {

namespace df = dump_format;
namespace wc = wincrypt;
using dump_detail::all_of;
using dump_detail::consume;
using dump_detail::contains_icase;
using dump_detail::is_blank_char;
using dump_detail::is_hex_digit;
using dump_detail::parse_certutil_number;
using dump_detail::trim;
using dump_detail::trim_left;
using std::string_view;

// Provider type for a provider name when the dump (non-verbose) did not print it.
std::uint32_t infer_provider_type(string_view provider) {
  if (contains_icase(provider, "Key Storage Provider")) return wc::PROV_CNG_KSP;
  if (provider.starts_with(wc::MS_ENH_RSA_AES_PROV)) return wc::PROV_RSA_AES;
  if (provider == wc::MS_DEF_RSA_SCHANNEL_PROV) return wc::PROV_RSA_SCHANNEL;
  if (provider == "Microsoft DH SChannel Cryptographic Provider") return wc::PROV_DH_SCHANNEL;
  if (provider == "Microsoft Base DSS and Diffie-Hellman Cryptographic Provider" ||
      provider == "Microsoft Enhanced DSS and Diffie-Hellman Cryptographic Provider") {
    return wc::PROV_DSS_DH;
  }
  if (provider == "Microsoft Base DSS Cryptographic Provider") return wc::PROV_DSS;
  return wc::PROV_RSA_FULL;
}

Bytes dword_bytes(std::uint32_t v) {
  return Bytes{static_cast<std::uint8_t>(v & 0xFF), static_cast<std::uint8_t>((v >> 8) & 0xFF),
               static_cast<std::uint8_t>((v >> 16) & 0xFF),
               static_cast<std::uint8_t>((v >> 24) & 0xFF)};
}

// Contiguous hex, spaced pairs, the offset dump ("0010  68 1d ...") and the ASCII dump
// ("3b 7f ...   ;.....1.X"). nullopt when any line is something else.
std::optional<Bytes> decode_hex_lines(const std::vector<std::string>& lines) {
  Bytes out;
  for (const std::string& line : lines) {
    string_view s = trim(line);
    // Offset column: 4 hex digits, then blanks, then pairs.
    if (s.size() > 5 && all_of(s.substr(0, 4), is_hex_digit) && is_blank_char(s[4])) {
      s = trim_left(s.substr(4));
    }
    // ASCII column after three or more blanks.
    if (const std::size_t ascii = s.find("   "); ascii != string_view::npos) {
      s = s.substr(0, ascii);
    }
    // Either one contiguous even run or 2-digit pairs separated by blanks.
    const bool spaced = s.find_first_of(" \t") != string_view::npos;
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find_first_of(" \t", pos);
      if (end == string_view::npos) end = s.size();
      const string_view token = s.substr(pos, end - pos);
      if (!token.empty() && (!all_of(token, is_hex_digit) || (spaced && token.size() != 2))) {
        return std::nullopt;
      }
      pos = end + 1;
    }
    auto bytes = parse_hex(s);
    if (!bytes || bytes->empty()) return std::nullopt;
    out.insert(out.end(), bytes->begin(), bytes->end());
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Bytes utf16_string_value(string_view text) {
  auto wide = utf8_to_utf16le(text);
  Bytes out = wide ? std::move(*wide) : Bytes{};
  out.push_back(0);
  out.push_back(0);
  return out;
}

std::optional<Bytes> property_value(const DumpProperty& p) {
  switch (static_cast<PropertyId>(p.id)) {
    case PropertyId::CERT_ARCHIVED_PROP_ID:
      if (p.raw_lines.empty()) return Bytes{};
      return std::nullopt;
    case PropertyId::CERT_FRIENDLY_NAME_PROP_ID:
    case PropertyId::CERT_DESCRIPTION_PROP_ID:
    case PropertyId::CERT_REQUEST_ORIGINATOR_PROP_ID:
      if (p.raw_lines.size() != 1) return std::nullopt;
      return utf16_string_value(p.raw_lines.front());
    case PropertyId::CERT_ACCESS_STATE_PROP_ID: {
      if (p.raw_lines.empty()) return std::nullopt;
      string_view v = p.raw_lines.front();
      if (!consume(v, df::kAccessState)) return std::nullopt;
      auto n = parse_certutil_number(v);
      if (!n) return std::nullopt;
      return dword_bytes(n->value);
    }
    default:
      break;
  }
  // "0x00000800 (2048)": a DWORD property.
  if (p.raw_lines.size() == 1 && p.raw_lines.front().starts_with("0x")) {
    auto n = parse_certutil_number(p.raw_lines.front());
    if (n && p.raw_lines.front().find('(') != std::string::npos) return dword_bytes(n->value);
    return std::nullopt;
  }
  return decode_hex_lines(p.raw_lines);
}

}  // namespace

CertFacts DumpCertificate::to_cert_facts() const {
  CertFacts f;
  f.index = index;
  f.serial = serial;
  f.subject = subject;
  f.issuer = issuer;
  f.sha1 = sha1;
  f.md5 = md5;
  f.sha256 = sha256;
  f.signature_hash = signature_hash;
  f.public_key_id = key_id_hash_rfc_sha1;
  f.is_ca = is_ca;
  f.ca_version = ca_version;
  f.ekus = ekus;
  f.template_name = template_name;
  for (const auto& m : masked) {
    f.masked_ids.push_back("line " + std::to_string(m.line) + ": " + m.reason);
  }
  for (const auto& u : unfaithful) {
    f.unfaithful_text.push_back("line " + std::to_string(u.line) + ": " + u.reason);
  }
  if (unfaithful_lines > unfaithful.size()) {
    f.unfaithful_text.push_back("and " + std::to_string(unfaithful_lines - unfaithful.size()) +
                                " more line(s)");
  }

  std::optional<Bytes> prov;
  if (key_provider && key_provider->container && key_provider->provider) {
    KeyProvInfo info;
    info.container = *key_provider->container;
    info.provider = *key_provider->provider;
    info.provider_type = key_provider->provider_type.value_or(infer_provider_type(info.provider));
    info.flags = key_provider->flags.value_or(0);
    info.key_spec =
        key_provider->key_spec.value_or(info.is_ksp() ? wc::AT_NONE : wc::AT_KEYEXCHANGE);
    if (auto encoded = encode_key_prov_info(info)) prov = std::move(*encoded);
    f.key_prov_info_inferred = !key_provider->complete();
  }
  bool prov_placed = false;
  for (const DumpProperty& p : properties) {
    const auto id = static_cast<PropertyId>(p.id);
    if (id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
      if (prov && !prov_placed) f.properties.set(id, *prov);
      prov_placed = true;
      continue;
    }
    if (auto value = property_value(p)) f.properties.set(id, std::move(*value));
  }
  if (prov && !prov_placed) f.properties.set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, *prov);
  if (archived && !f.properties.contains(PropertyId::CERT_ARCHIVED_PROP_ID)) {
    f.properties.set(PropertyId::CERT_ARCHIVED_PROP_ID, Bytes{});
  }
  if (f.sha1.empty()) {
    if (const Bytes* b = f.properties.find(PropertyId::CERT_SHA1_HASH_PROP_ID)) f.sha1 = to_hex(*b);
  }
  if (f.public_key_id.empty()) {
    if (const Bytes* b = f.properties.find(PropertyId::CERT_KEY_IDENTIFIER_PROP_ID)) {
      f.public_key_id = to_hex(*b);
    }
  }
  return f;
}

}  // namespace certbed::repair
