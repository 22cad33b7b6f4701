// Serialized stores (.sst) to and from an emulated store, keeping every element as it was read.
#include "certbed/emulator/serialized/serialized_certificates.h"

#include <fmt/format.h>

#include <set>

#include "certbed/emulator/certificates/certificate_facts.h"
#include "certbed/repair/model/key_prov_info.h"

namespace certbed::emulator {

using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;

namespace {

std::string context_name(const repair::SerializedContext& context, std::size_t index) {
  return fmt::format("{} {} (offset {:#x})", repair::serialized_context_kind(context.id), index,
                     context.offset);
}

repair::Error located(const std::string& source, const std::string& message) {
  return make_error(ErrorCode::kParse, message, repair::SourceLocation{source, 0, 0});
}

}  // namespace

Result<SerializedCertificates> decode_serialized_certificates(const repair::SerializedStore& store,
                                                              const std::string& source) {
  SerializedCertificates out;
  for (std::size_t i = 0; i < store.contexts.size(); ++i) {
    const auto& context = store.contexts[i];
    const std::string where = context_name(context, i);
    if (context.id != repair::kSerializedCertificateId) {
      return located(source, where + ": certbed keeps certificates only; a store with a " +
                                 repair::serialized_context_kind(context.id) +
                                 " cannot be imported");
    }
    auto facts = decode_certificate_facts(context.encoded);
    if (!facts) return located(source, where + ": " + facts.error().message);
    for (const auto& property : context.properties) {
      if (!repair::is_settable_property_id(property.id)) {
        return located(source, where + ": property id " + std::to_string(property.id) +
                                   " is not one a certificate can hold (1 to 31, 36 to 0xFFFF)");
      }
      const auto id = static_cast<PropertyId>(property.id);
      if (facts->properties.contains(id)) {
        return located(source,
                       where + ": property " + repair::property_label(id) + " appears twice");
      }
      if (id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
        if (auto kpi = repair::decode_key_prov_info(property.value); !kpi) {
          return located(source, where + ": " + kpi.error().message);
        }
      }
      facts->properties.set(id, property.value, property.encoding);
    }
    for (const auto& entry : facts->properties.entries()) {
      if (stored_hash_disagrees(entry, *facts)) {
        out.warnings.push_back(fmt::format(
            "{}: warning: {}: property {} holds {}, but the certificate's DER gives {}; kept as "
            "stored "
            "and marked stale",
            source, where, repair::property_label(entry.id), repair::to_hex(entry.value),
            entry.id == PropertyId::CERT_SHA1_HASH_PROP_ID ? facts->sha1 : "another value"));
      }
    }
    facts->index = static_cast<std::uint32_t>(out.certificates.size());
    out.certificates.push_back(
        SerializedCertificate{i, std::move(*facts), context.encoding, context.encoded});
  }
  return out;
}

repair::Status add_serialized_certificates(const SerializedCertificates& decoded,
                                           CertificateStore& into, const std::string& source) {
  std::set<std::string> seen;
  for (const auto& c : decoded.certificates) {
    if (into.find_by_sha1(c.facts.sha1)) {
      return make_error(ErrorCode::kConflict,
                        fmt::format("{}: certificate {} ({}) is already in {}; nothing was added",
                                    source, c.index, c.facts.sha1, into.description()));
    }
    if (!seen.insert(c.facts.sha1).second) {
      return make_error(ErrorCode::kConflict,
                        fmt::format("{}: certificate {} ({}) appears twice in the file; nothing "
                                    "was added",
                                    source, c.index, c.facts.sha1));
    }
  }
  for (const auto& c : decoded.certificates) {
    auto added = into.add(c.der, c.facts.properties, /*derive=*/false);
    // Checked above; a failure here is a certificate that decoded once and not again.
    if (!added) return added.error();
    into.set_encoding(*added, c.encoding);
  }
  return {};
}

repair::SerializedStore serialize_certificate_store(const CertificateStore& store) {
  repair::SerializedStore out;
  out.form = repair::SerializedForm::kStore;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto& stored = store.at(i);
    repair::SerializedContext context;
    context.id = repair::kSerializedCertificateId;
    context.encoding = stored.encoding;
    context.encoded = stored.der;
    for (const auto& entry : stored.facts.properties.entries()) {
      context.properties.push_back(
          repair::SerializedProperty{repair::to_number(entry.id), entry.encoding, entry.value});
    }
    out.contexts.push_back(std::move(context));
  }
  return out;
}

}  // namespace certbed::emulator
