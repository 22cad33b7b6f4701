// The property blocks of `certutil -v -store` (see property_blocks.h).
#include "property_blocks.h"

#include <openssl/x509v3.h>

#include "certbed/emulator/crypto/ossl.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certificate_fields.h"
#include "key_search.h"

namespace certbed::emulator::certutil {

namespace wc = repair::wincrypt;
using repair::ByteView;
using repair::PropertyId;

namespace {

void key_provider_verbose(LineWriter& w, const repair::KeyProvInfo& info, const KeyLookup& found) {
  w.line("    Key Container = " + info.container);
  if (found.container && to_lower_ascii(found.container->name) != to_lower_ascii(info.container)) {
    // Property 2 names the container by its unique name (dumps/03, dumps/08).
    w.line("    Simple container name: " + found.container->name);
  } else if (found.container && certutil::prints_unique_container_name(*found.provider)) {
    w.line("  Unique container name: " + found.container->unique_name);
  }
  w.line("    Provider = " + info.provider);
  w.line("    ProviderType = " + hex_with_decimal(info.provider_type));
  w.line("  Flags = " + hex_with_decimal(info.flags));
  static const std::pair<std::uint32_t, const char*> kFlags[] = {
      {wc::CRYPT_MACHINE_KEYSET, "CRYPT_MACHINE_KEYSET"}, {wc::CRYPT_SILENT, "CRYPT_SILENT"}};
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((info.flags & bit) == 0) continue;
    std::string name;
    for (const auto& [value, flag_name] : kFlags) {
      if (value == bit) name = flag_name;
    }
    w.line(name.empty() ? "    0x" + hex_dword(bit) + " (" + std::to_string(bit) + ")"
                        : "    " + name + " -- " + hex_with_decimal(bit));
  }
  const auto spec_name = wc::key_spec_name(info.key_spec);
  w.line("    KeySpec = " + std::to_string(info.key_spec) +
         (spec_name == "unknown" ? "" : " -- " + std::string(spec_name)));
}

}  // namespace

void property_block(LineWriter& w, const repair::PropertyEntry& entry, const Machine& machine) {
  // certutil names the signature hash "disallowedHash" (real dumps/03 and dumps/16).
  w.line("  " + repair::property_label(entry.id) +
         (entry.id == PropertyId::CERT_SIGNATURE_HASH_PROP_ID ? " disallowedHash:" : ":"));
  const ByteView value(entry.value);
  switch (entry.id) {
    case PropertyId::CERT_KEY_PROV_INFO_PROP_ID: {
      auto info = repair::decode_key_prov_info(value);
      if (info) {
        key_provider_verbose(w, *info, find_linked_key(machine, *info));
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
    }
    case PropertyId::CERT_SHA1_HASH_PROP_ID:
    case PropertyId::CERT_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SIGNATURE_HASH_PROP_ID:
    case PropertyId::CERT_KEY_IDENTIFIER_PROP_ID:
    case PropertyId::CERT_SUBJECT_PUBLIC_KEY_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SUBJECT_NAME_MD5_HASH_PROP_ID:
    case PropertyId::CERT_SHA256_HASH_PROP_ID:
      w.line("    " + repair::to_hex(value));
      break;
    case PropertyId::CERT_FRIENDLY_NAME_PROP_ID:
    case PropertyId::CERT_DESCRIPTION_PROP_ID:
    case PropertyId::CERT_REQUEST_ORIGINATOR_PROP_ID: {
      ByteView text = value;
      if (text.size() >= 2 && text[text.size() - 1] == 0 && text[text.size() - 2] == 0) {
        text = text.first(text.size() - 2);
      }
      auto utf8 = repair::utf16le_to_utf8(text);
      if (utf8) {
        w.line("    " + *utf8);
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
    }
    case PropertyId::CERT_ENHKEY_USAGE_PROP_ID: {
      const unsigned char* p = value.data();
      ossl::ExtKeyUsagePtr eku(
          d2i_EXTENDED_KEY_USAGE(nullptr, &p, static_cast<long>(value.size())));
      if (!eku) {
        ascii_dump(w, value, "    ");
        break;
      }
      for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        w.line("    " + eku_line(oid_text(sk_ASN1_OBJECT_value(eku.get(), i))));
      }
      break;
    }
    case PropertyId::CERT_ACCESS_STATE_PROP_ID:
    case PropertyId::CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID: {
      if (value.size() == 4) {
        const std::uint32_t v = value[0] | (value[1] << 8) | (value[2] << 16) |
                                (static_cast<std::uint32_t>(value[3]) << 24);
        if (entry.id == PropertyId::CERT_ACCESS_STATE_PROP_ID) {
          // "AccessState = 6" at header depth, then one line a level deeper per flag set
          // (real dumps/03 and dumps/05).
          w.line("  AccessState = " + hex_with_decimal(v));
          static const std::pair<std::uint32_t, const char*> kAccessFlags[] = {
              {wc::CERT_ACCESS_STATE_WRITE_PERSIST_FLAG, "CERT_ACCESS_STATE_WRITE_PERSIST_FLAG"},
              {wc::CERT_ACCESS_STATE_SYSTEM_STORE_FLAG, "CERT_ACCESS_STATE_SYSTEM_STORE_FLAG"},
              {wc::CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG,
               "CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG"},
              {wc::CERT_ACCESS_STATE_GP_SYSTEM_STORE_FLAG,
               "CERT_ACCESS_STATE_GP_SYSTEM_STORE_FLAG"},
          };
          for (const auto& [bit, name] : kAccessFlags) {
            if ((v & bit) != 0) w.line("    " + std::string(name) + " -- " + hex_with_decimal(bit));
          }
        } else {
          std::string padded = hex_dword(v);
          w.line("    0x" + std::string(8 - padded.size(), '0') + padded + " (" +
                 std::to_string(v) + ")");
        }
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
    }
    default:
      if (value.size() > 64) {
        offset_dump(w, value, "    ");
      } else {
        ascii_dump(w, value, "    ");
      }
      break;
  }
  w.blank();
}

}  // namespace certbed::emulator::certutil
