// The key provider text of property 2 ("Container=...&Provider=...&ProviderType=...&Flags=...
// &KeySpec=..."): parsed from a property INF, and split into the items the writer puts out.
#include "certbed/repair/formats/inf/key_provider_text.h"

#include <charconv>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "certbed/repair/model/wincrypt_constants.h"
#include "inf_internal.h"

namespace certbed::repair {
namespace {

using inf_detail::trim;

std::optional<std::uint32_t> parse_number(std::string_view text) {
  text = trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    return std::nullopt;  // "020": octal to C's wcstoul, decimal to people
  }
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<KeyProvInfo> KeyProvText::to_key_prov_info() const {
  if (!container || container->empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the key provider text gives no Container");
  }
  if (!provider || provider->empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the key provider text gives no Provider");
  }
  return KeyProvInfo{*container,           *provider, provider_type.value_or(0), flags.value_or(0),
                     key_spec.value_or(0), {}};
}

Result<KeyProvText> parse_key_prov_text(std::string_view text) {
  KeyProvText out;
  auto bad = [](std::string message) { return make_error(ErrorCode::kParse, std::move(message)); };
  std::size_t start = 0;
  while (start < text.size()) {
    auto amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view item = trim(text.substr(start, amp - start));
    start = amp + 1;
    if (item.empty()) {
      if (amp == text.size() || trim(text.substr(start)).empty()) break;  // trailing '&'
      return bad("empty item between '&' separators in the key provider text");
    }
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      return bad("expected Name=Value in the key provider text, found \"" + std::string(item) +
                 "\"");
    }
    const std::string key = to_lower_ascii(trim(item.substr(0, eq)));
    const std::string_view value = trim(item.substr(eq + 1));
    auto number = [&](std::optional<std::uint32_t>& slot, const char* name) -> Status {
      if (slot) return bad(std::string(name) + " is given twice in the key provider text");
      auto n = parse_number(value);
      if (!n) {
        return bad(std::string(name) + " must be a decimal or 0x hex number, found \"" +
                   std::string(value) + "\"");
      }
      slot = *n;
      return {};
    };
    if (key == "container" || key == "provider") {
      auto& slot = key == "container" ? out.container : out.provider;
      const char* name = key == "container" ? "Container" : "Provider";
      if (slot) return bad(std::string(name) + " is given twice in the key provider text");
      if (value.empty()) return bad(std::string(name) + " is empty in the key provider text");
      slot = std::string(value);
    } else if (key == "providertype") {
      if (auto s = number(out.provider_type, "ProviderType"); !s) return s.error();
    } else if (key == "flags") {
      if (auto s = number(out.flags, "Flags"); !s) return s.error();
    } else if (key == "keyspec") {
      if (auto s = number(out.key_spec, "KeySpec"); !s) return s.error();
      if (*out.key_spec > wincrypt::AT_SIGNATURE) {
        return bad("KeySpec must be 0, 1 or 2, found \"" + std::string(value) + "\"");
      }
    } else {
      return bad("unknown key \"" + std::string(trim(item.substr(0, eq))) +
                 "\" in the key provider text (expected Container, Provider, ProviderType, "
                 "Flags or KeySpec)");
    }
  }
  return out;
}

namespace inf_detail {

Result<std::vector<std::string>> key_prov_text_items(const KeyProvText& kp) {
  auto hex_of = [](std::uint32_t v) {
    char buf[16];
    if (v == 0) return std::string("0");
    std::snprintf(buf, sizeof(buf), "0x%x", v);
    return std::string(buf);
  };
  std::vector<std::string> items;
  for (auto [name, value] :
       {std::pair{"Container", &kp.container}, std::pair{"Provider", &kp.provider}}) {
    if (!*value) continue;
    const std::string& v = **value;
    if (auto s = check_writable_text(v, name); !s) return s.error();
    if (v.find_first_of("&=") != std::string::npos) {
      return make_error(ErrorCode::kUnsafe,
                        std::string(name) + " \"" + v +
                            "\" cannot be written to an INF file safely: the key provider "
                            "text has no escape for '&' or '='");
    }
    if (v.empty() || v != trim(v)) {
      return make_error(ErrorCode::kUnsafe,
                        std::string(name) + " \"" + v +
                            "\" cannot be written to an INF file safely: certutil trims "
                            "spaces at the ends of key provider values");
    }
    items.push_back(std::string(name) + "=" + v);
  }
  if (kp.provider_type) items.push_back("ProviderType=" + std::to_string(*kp.provider_type));
  if (kp.flags) items.push_back("Flags=" + hex_of(*kp.flags));
  if (kp.key_spec && *kp.key_spec > wincrypt::AT_SIGNATURE) {
    // parse_key_prov_text refuses it, so the INF could never be read back.
    return make_error(ErrorCode::kUnsafe,
                      "KeySpec " + std::to_string(*kp.key_spec) +
                          " cannot be written to an INF file: the key provider text "
                          "takes only 0, 1 or 2");
  }
  if (kp.key_spec) items.push_back("KeySpec=" + std::to_string(*kp.key_spec));
  return items;
}

}  // namespace inf_detail
}  // namespace certbed::repair
