// The JSON `certbed parse --json` prints for a parsed certutil dump.
#include "dump_json.h"

#include <cstdint>
#include <string>

#include "certbed/repair/model/property_id.h"

namespace certbed::cli {
namespace {

using Json = nlohmann::ordered_json;

Json text_or_null(const std::string& text) { return text.empty() ? Json() : Json(text); }

template <typename T>
Json optional_or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json();
}

// Records are built with Json::object(): a braced list of pairs handed to insert() is a list
// of elements to insert, so each {"key", value} pair would become a two-element array.
Json key_provider_json(const std::optional<repair::DumpKeyProvider>& provider) {
  if (!provider) return nullptr;
  return Json::object({{"container", optional_or_null(provider->container)},
                       {"unique_container", optional_or_null(provider->unique_container)},
                       {"simple_container", optional_or_null(provider->simple_container)},
                       {"provider", optional_or_null(provider->provider)},
                       {"provider_type", optional_or_null(provider->provider_type)},
                       {"flags", optional_or_null(provider->flags)},
                       {"keyspec", optional_or_null(provider->key_spec)}});
}

// `label` is the name the dump printed in "  NAME(id):", null when it printed no header.
Json property_json(std::uint32_t id, Json label) {
  const auto name = repair::property_name(static_cast<repair::PropertyId>(id));
  return Json::object({{"id", id},
                       {"name", name ? Json(std::string(*name)) : Json()},
                       {"label", std::move(label)}});
}

// "V1.2" as certutil prints it: DumpCertificate keeps (key index << 16) | certificate index.
Json ca_version_json(const std::optional<std::uint32_t>& version) {
  if (!version) return nullptr;
  return "V" + std::to_string(*version & 0xFFFFu) + "." + std::to_string(*version >> 16);
}

Json properties_json(const repair::DumpCertificate& c) {
  Json properties = Json::array();
  bool has_key_prov_info = false;
  for (const auto& p : c.properties) {
    has_key_prov_info =
        has_key_prov_info ||
        p.id == static_cast<std::uint32_t>(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
    properties.push_back(property_json(p.id, text_or_null(p.name)));
  }
  // A non-verbose dump lists no properties, but its key lines show property 2 is there.
  if (!has_key_prov_info && c.key_provider) {
    properties.insert(
        properties.begin(),
        property_json(static_cast<std::uint32_t>(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID),
                      nullptr));
  }
  return properties;
}

}  // namespace

Json certificate_json(const repair::DumpCertificate& c) {
  return Json::object({{"index", optional_or_null(c.index)},
                       {"serial", text_or_null(c.serial)},
                       {"subject", text_or_null(c.subject)},
                       {"issuer", text_or_null(c.issuer)},
                       {"not_before", text_or_null(c.not_before)},
                       {"not_after", text_or_null(c.not_after)},
                       {"sha1", text_or_null(c.sha1)},
                       {"archived", c.archived},
                       {"template", text_or_null(c.template_name)},
                       {"ca_version", ca_version_json(c.ca_version)},
                       {"root", optional_or_null(c.is_root)},
                       {"key_provider", key_provider_json(c.key_provider)},
                       {"found_key", key_provider_json(c.found_key)},
                       {"properties", properties_json(c)},
                       {"key_status", c.key_status},
                       {"complete", c.complete}});
}

Json warning_json(const repair::DumpWarning& warning) {
  return Json::object({{"line", warning.line}, {"message", warning.message}});
}

Json summary_json(const repair::DumpSummary& summary) {
  Json warnings = Json::array();
  for (const auto& w : summary.warnings) warnings.push_back(warning_json(w));
  Json store = summary.store_name.empty()
                   ? Json()
                   : Json::object({{"name", summary.store_name},
                                   {"description", text_or_null(summary.store_description)}});
  return Json::object({{"warnings", std::move(warnings)},
                       {"store", std::move(store)},
                       {"command_line", text_or_null(summary.command_line)},
                       {"verb", text_or_null(summary.verb)},
                       {"completion_line", text_or_null(summary.completion_line)},
                       {"failure", optional_or_null(summary.failure)}});
}

}  // namespace certbed::cli
