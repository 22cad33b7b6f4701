// Consistent, shape-keeping replacement of every identifying value of a dump's records.
#include "certbed/emulator/import/anonymize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "certbed/emulator/import/dump_values.h"

namespace certbed::emulator {

namespace {

constexpr std::string_view kHex = "0123456789abcdef";

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" at `at`.
bool guid_at(std::string_view s, std::size_t at) {
  static constexpr std::array<std::size_t, 5> kGroups{8, 4, 4, 4, 12};
  std::size_t i = at;
  for (std::size_t g = 0; g < kGroups.size(); ++g) {
    for (std::size_t k = 0; k < kGroups[g]; ++k, ++i) {
      if (i >= s.size() || !is_hex(s[i])) return false;
    }
    if (g + 1 < kGroups.size()) {
      if (i >= s.size() || s[i] != '-') return false;
      ++i;
    }
  }
  return true;
}
constexpr std::size_t kGuidLength = 36;

// Properties whose printed value identifies nobody (numbers, hashes, flags, the decoded EKU)
// or is replaced name by name (11 friendly name, 71 request originator); property 2 is rebuilt
// from the replaced key provider fields.
bool kept_property(std::uint32_t id) {
  static const std::set<std::uint32_t> kKept{2, 3, 4, 9, 11, 14, 15, 19, 20, 25, 28, 29, 71, 92};
  return kKept.count(id) != 0;
}

// The tables' key: kind, newline, value.
std::string keyed(const std::string& kind, std::string_view value) {
  std::string key = kind;
  key += '\n';
  key += value;
  return key;
}

}  // namespace

bool is_builtin_template(std::string_view name) {
  // The default templates of AD CS (Microsoft Learn, "Default certificate templates").
  static const std::set<std::string_view> kBuiltin{"Administrator",
                                                   "CA",
                                                   "CAExchange",
                                                   "CEPEncryption",
                                                   "ClientAuth",
                                                   "CodeSigning",
                                                   "CrossCA",
                                                   "CTLSigning",
                                                   "DirectoryEmailReplication",
                                                   "DomainController",
                                                   "DomainControllerAuthentication",
                                                   "EFS",
                                                   "EFSRecovery",
                                                   "EnrollmentAgent",
                                                   "EnrollmentAgentOffline",
                                                   "ExchangeUser",
                                                   "ExchangeUserSignature",
                                                   "IPSECIntermediateOffline",
                                                   "IPSECIntermediateOnline",
                                                   "KerberosAuthentication",
                                                   "KeyRecoveryAgent",
                                                   "Machine",
                                                   "MachineEnrollmentAgent",
                                                   "OCSPResponseSigning",
                                                   "OfflineRouter",
                                                   "RASAndIASServer",
                                                   "SmartcardLogon",
                                                   "SmartcardUser",
                                                   "SubCA",
                                                   "User",
                                                   "UserSignature",
                                                   "WebServer",
                                                   "Workstation"};
  return kBuiltin.count(name) != 0;
}

std::uint64_t Anonymizer::next() {
  // splitmix64: a fixed sequence, so the same dump anonymizes the same way every time.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string Anonymizer::mapped(const std::string& kind, std::string_view original,
                               std::string (Anonymizer::*make)(std::string_view)) {
  if (original.empty()) return {};
  const std::string key = keyed(kind, original);
  if (auto it = by_original_.find(key); it != by_original_.end()) return it->second;
  std::string replacement;
  // Distinct originals get distinct replacements, different from the original where the value
  // has a letter or digit to change.
  for (int attempt = 0; attempt < 16; ++attempt) {
    replacement = (this->*make)(original);
    if (replacement != original && used_.count(keyed(kind, replacement)) == 0) break;
  }
  used_[keyed(kind, replacement)] = std::string(original);
  by_original_[key] = replacement;
  table_.push_back({kind, std::string(original), replacement});
  return replacement;
}

std::string Anonymizer::make_name(std::string_view original) {
  std::string out;
  for (std::size_t i = 0; i < original.size(); ++i) {
    const auto c = static_cast<unsigned char>(original[i]);
    if (c >= 0x80) {
      // One non-ASCII character (a whole UTF-8 sequence) for another: "é".
      while (i + 1 < original.size() &&
             (static_cast<unsigned char>(original[i + 1]) & 0xC0) == 0x80) {
        ++i;
      }
      out += "\xC3\xA9";
    } else if (std::isupper(c)) {
      out += static_cast<char>('A' + next() % 26);
    } else if (std::islower(c)) {
      out += static_cast<char>('a' + next() % 26);
    } else if (std::isdigit(c)) {
      out += static_cast<char>('0' + next() % 10);
    } else {
      out += static_cast<char>(c);  // spaces, & % " ^ ' and other punctuation keep their place
    }
  }
  return out;
}

std::string Anonymizer::make_guid(std::string_view original) {
  // Windows prints a GUID in one case throughout; the replacement keeps it.
  const bool upper = std::any_of(original.begin(), original.end(),
                                 [](unsigned char c) { return std::isupper(c) != 0; });
  std::string out(original);
  for (char& c : out) {
    if (c == '-') continue;
    const char h = kHex[next() % 16];
    c = upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(h))) : h;
  }
  return out;
}

std::string Anonymizer::make_container(std::string_view original) {
  std::string out;
  std::size_t i = 0;
  // "<md5>_<machine GUID>": the hash is replaced, the GUID mapped as every GUID is.
  if (original.size() > 33 && original[32] == '_' &&
      std::all_of(original.begin(), original.begin() + 32, is_hex)) {
    for (std::size_t k = 0; k < 32; ++k) out += kHex[next() % 16];
    out += '_';
    i = 33;
  }
  std::size_t plain = i;
  while (i < original.size()) {
    if (guid_at(original, i)) {
      out += make_name(original.substr(plain, i - plain));
      out += mapped("guid", original.substr(i, kGuidLength), &Anonymizer::make_guid);
      i += kGuidLength;
      plain = i;
    } else {
      ++i;
    }
  }
  out += make_name(original.substr(plain));
  return out;
}

std::string Anonymizer::make_serial(std::string_view original) {
  std::string out;
  for (std::size_t i = 0; i < original.size(); ++i) {
    out += is_hex(original[i]) ? kHex[next() % 16] : original[i];
  }
  // Still a positive INTEGER as certutil prints it: a first byte 01..7f, or 00 before a byte
  // with its high bit set.
  if (out.size() >= 2) {
    if (original.starts_with("00") && out.size() >= 4) {
      out[0] = out[1] = '0';
      out[2] = kHex[8 + next() % 8];
    } else {
      out[0] = kHex[1 + next() % 7];
    }
  }
  return out;
}

std::string Anonymizer::name(std::string_view original) {
  return mapped("name", original, &Anonymizer::make_name);
}
std::string Anonymizer::container(std::string_view original) {
  bool shaped = original.size() > 33 && original[32] == '_';
  for (std::size_t i = 0; !shaped && i < original.size(); ++i) shaped = guid_at(original, i);
  // A plain container name maps as the same text in a name does: AD CS names a CA's key after
  // the CA, and the rules read that link.
  if (!shaped) return name(original);
  return mapped("container", original, &Anonymizer::make_container);
}
std::string Anonymizer::serial(std::string_view original) {
  return mapped("serial", original, &Anonymizer::make_serial);
}
void Anonymizer::add_thumbprint(std::string original, std::string imported) {
  table_.push_back({"thumbprint", std::move(original), std::move(imported)});
}

void Anonymizer::anonymize(std::vector<repair::DumpCertificate>& records) {
  const auto display_name = [&](std::string& text) {
    auto dn = import::parse_display_name(text);
    if (!dn) {
      text = name(text);  // still re-created from nothing identifying; the import reports it
      return;
    }
    for (auto& attribute : dn->attributes) attribute.value = name(attribute.value);
    text = dn->to_string();
  };
  const auto key_provider = [&](std::optional<repair::DumpKeyProvider>& kp) {
    if (!kp) return;
    for (auto* field : {&kp->container, &kp->unique_container, &kp->simple_container}) {
      if (*field) *field = container(**field);
    }
  };
  for (auto& r : records) {
    display_name(r.subject);
    display_name(r.issuer);
    r.serial = serial(r.serial);
    for (auto* hash : {&r.sha1, &r.md5, &r.sha256, &r.signature_hash, &r.subject_name_hash_sha1,
                       &r.subject_name_hash_md5, &r.issuer_name_hash_sha1, &r.issuer_name_hash_md5,
                       &r.key_id_hash_rfc_sha1, &r.key_id_hash_sha1}) {
      hash->clear();
    }
    key_provider(r.key_provider);
    key_provider(r.found_key);
    if (!r.template_name.empty() && !is_builtin_template(r.template_name)) {
      r.template_name = name(r.template_name);
    }
    if (r.friendly_name) r.friendly_name = name(*r.friendly_name);
    std::erase_if(r.properties, [](const repair::DumpProperty& p) { return !kept_property(p.id); });
    for (auto& p : r.properties) {
      if (p.id == 11 || p.id == 71) {
        for (auto& line : p.raw_lines) line = name(line);
      } else if (p.id == 2 || p.id == 3 || p.id == 4 || p.id == 15 || p.id == 20 || p.id == 25 ||
                 p.id == 28 || p.id == 29) {
        // Property 2 is rebuilt from key_provider; the hashes are the original certificate's.
        p.raw_lines.clear();
      }
    }
    r.other_lines.clear();
    r.key_details.clear();
    for (auto* lines : {&r.unfaithful, &r.masked}) {
      for (auto& line : *lines) line.reason = "a value not read faithfully (anonymized)";
    }
  }
}

}  // namespace certbed::emulator
