// Writes the property INF files the planner hands over for `certutil -repairstore`, refusing
// values it cannot write without changing their meaning or injecting INF syntax.
#include <algorithm>
#include <string>

#include "certbed/repair/formats/inf/property_inf.h"
#include "inf_internal.h"

namespace certbed::repair {
namespace {

// Every field the writer puts out goes through here: refused when SetupAPI would not read it
// back whole.
Status check_field_length(std::string_view field) {
  const std::size_t units = inf_detail::utf16_units(field);
  if (units <= kMaxInfFieldChars) return {};
  return make_error(
      ErrorCode::kUnsafe,
      "an INF field of " + std::to_string(units) + " characters is longer than " +
          std::to_string(kMaxInfFieldChars) +
          ", the most SetupAPI reads back whole (Wine's MAX_FIELD_LEN is 511 characters and "
          "it cuts longer fields silently; Windows allows 4096 including the NUL), so it is "
          "not written: \"" +
          std::string(field.substr(0, 60)) + "...\"");
}

// The INF rules: text that is not ASCII must be UTF-16LE with a byte order mark, or SetupAPI
// reads it in the ANSI code page ("Müller" comes back as "MÃ¼ller").
std::string encode_for_setupapi(const std::string& utf8) {
  const bool ascii = std::all_of(utf8.begin(), utf8.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return utf8;
  auto utf16 = utf8_to_utf16le(utf8);
  if (!utf16) precondition_failed("INF text checked as UTF-8 does not convert to UTF-16LE");
  std::string out = "\xFF\xFE";
  out.append(utf16->begin(), utf16->end());
  return out;
}

}  // namespace

namespace inf_detail {

Status check_writable_text(std::string_view text, std::string_view what) {
  auto refuse = [&](const std::string& why) {
    return make_error(ErrorCode::kUnsafe, std::string(what) + " \"" + std::string(text) +
                                              "\" cannot be written to an INF file safely: " + why);
  };
  if (!is_valid_utf8(text)) return refuse("it is not valid UTF-8");
  for (unsigned char c : text) {
    if (c == '"') return refuse("it contains a double quote");
    if (c == '\r' || c == '\n') return refuse("it contains a line break");
    if (c < 0x20 || c == 0x7F) return refuse("it contains a control character");
    if (c == '%') return refuse("it contains '%', which INF string substitution would expand");
  }
  return {};
}

}  // namespace inf_detail

InfProperty inf_key_provider(const KeyProvInfo& info) {
  InfProperty p;
  p.id = PropertyId::CERT_KEY_PROV_INFO_PROP_ID;
  p.kind = InfValueKind::kText;
  p.key_provider =
      KeyProvText{info.container, info.provider, info.provider_type, info.flags, info.key_spec};
  p.provider_params = info.params.size();
  auto encoded = encode_key_prov_info(info);
  if (encoded) p.value = std::move(*encoded);
  return p;
}

InfProperty inf_hex(PropertyId id, Bytes value) {
  InfProperty p;
  p.id = id;
  p.kind = InfValueKind::kHex;
  p.value = std::move(value);
  return p;
}

Result<std::string> write_property_inf(const std::vector<InfProperty>& properties) {
  std::string out = "[Properties]\r\n";
  Status too_long;
  // `text` is "<key> = <field>"; the field is what SetupAPI limits.
  auto line = [&out, &too_long](const std::string& text) {
    if (const auto eq = text.find(" = "); eq != std::string::npos && too_long) {
      std::string_view field = std::string_view(text).substr(eq + 3);
      if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
        field = field.substr(1, field.size() - 2);
      }
      too_long = check_field_length(field);
    }
    out += text + "\r\n";
  };
  for (const auto& p : properties) {
    const std::string id = std::to_string(to_number(p.id));
    if (!is_settable_property_id(to_number(p.id))) {
      return make_error(ErrorCode::kInvalidArgument, "property id " + id + " cannot be set");
    }
    switch (p.kind) {
      case InfValueKind::kDelete:
        line(id + " =");
        break;
      case InfValueKind::kEmpty:
        line(id + " = Empty");
        break;
      case InfValueKind::kHex: {
        line(id + " = \"{hex}\"");
        for (std::size_t at = 0; at < p.value.size(); at += 16) {
          std::string bytes_text;
          for (std::size_t k = at; k < std::min(p.value.size(), at + 16); ++k) {
            if (k != at) bytes_text += ' ';
            bytes_text += to_hex(ByteView(&p.value[k], 1));
          }
          line("  _continue_ = \"" + bytes_text + "\"");
        }
        break;
      }
      case InfValueKind::kText: {
        if (p.id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
          if (!p.key_provider) {
            return make_error(ErrorCode::kInvalidArgument, "property 2 has no key provider text");
          }
          if (p.provider_params > 0) {
            return make_error(ErrorCode::kUnsafe,
                              "property 2 has " + std::to_string(p.provider_params) +
                                  " provider parameter(s) (cProvParam), which the INF key "
                                  "provider text cannot express: rewriting it from an INF "
                                  "would drop them");
          }
          auto items_or = inf_detail::key_prov_text_items(*p.key_provider);
          if (!items_or) return items_or.error();
          const std::vector<std::string>& items = *items_or;
          line(id + " = \"{text}\"");
          for (std::size_t k = 0; k < items.size(); ++k) {
            line("  _continue_ = \"" + items[k] + (k + 1 < items.size() ? "&" : "") + "\"");
          }
        } else if (p.id == PropertyId::CERT_ENHKEY_USAGE_PROP_ID) {
          line(id + " = \"{text}\"");
          for (std::size_t k = 0; k < p.ekus.size(); ++k) {
            // The reader encodes every OID; one it cannot encode (bad first arcs, an arc over
            // 2^56) would make the INF unreadable.
            if (auto der = inf_detail::encode_oid(p.ekus[k]); !der) {
              return make_error(ErrorCode::kUnsafe, der.error().message);
            }
            line("  _continue_ = \"" + p.ekus[k] + (k + 1 < p.ekus.size() ? "," : "") + "\"");
          }
        } else if (p.id == PropertyId::CERT_FRIENDLY_NAME_PROP_ID ||
                   p.id == PropertyId::CERT_DESCRIPTION_PROP_ID) {
          if (auto s = inf_detail::check_writable_text(p.text, property_label(p.id)); !s)
            return s.error();
          line(id + " = \"{text}" + p.text + "\"");
        } else {
          return make_error(ErrorCode::kUnsupported,
                            property_label(p.id) +
                                ": {text} is defined only for properties 2, 9, "
                                "11 and 13");
        }
        break;
      }
    }
  }
  if (!too_long) return too_long.error();
  return encode_for_setupapi(out);
}

}  // namespace certbed::repair
