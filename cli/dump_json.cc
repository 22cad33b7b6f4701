// The JSON `certbed parse --json` prints for a parsed certutil dump.
#include "dump_json.h"

#include "certbed/repair/model/property_id.h"

namespace certbed::cli {
namespace {

nlohmann::ordered_json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

template <typename T>
nlohmann::ordered_json optional_or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
}

nlohmann::ordered_json key_provider_json(const std::optional<repair::DumpKeyProvider>& provider) {
  if (!provider) return nullptr;
  return {{"container", optional_or_null(provider->container ? provider->container
                                                             : provider->simple_container)},
          {"unique_container", optional_or_null(provider->unique_container)},
          {"provider", optional_or_null(provider->provider)},
          {"provider_type", optional_or_null(provider->provider_type)},
          {"flags", optional_or_null(provider->flags)},
          {"keyspec", optional_or_null(provider->key_spec)}};
}

}  // namespace

nlohmann::ordered_json certificate_json(const repair::DumpCertificate& c) {
  nlohmann::ordered_json properties = nlohmann::ordered_json::array();
  bool has_key_prov_info = false;
  for (const auto& p : c.properties) {
    has_key_prov_info =
        has_key_prov_info ||
        p.id == static_cast<std::uint32_t>(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
    const auto name = repair::property_name(static_cast<repair::PropertyId>(p.id));
    properties.push_back(
        {{"id", p.id},
         {"name", name ? nlohmann::ordered_json(std::string(*name)) : nlohmann::ordered_json()}});
  }
  // A non-verbose dump lists no properties, but its key lines show property 2 is there.
  if (!has_key_prov_info && c.key_provider) {
    properties.insert(properties.begin(), {{"id", 2}, {"name", "CERT_KEY_PROV_INFO_PROP_ID"}});
  }
  return {{"index", optional_or_null(c.index)},
          {"serial", text_or_null(c.serial)},
          {"subject", text_or_null(c.subject)},
          {"issuer", text_or_null(c.issuer)},
          {"not_before", text_or_null(c.not_before)},
          {"not_after", text_or_null(c.not_after)},
          {"sha1", text_or_null(c.sha1)},
          {"key_provider", key_provider_json(c.key_provider)},
          {"found_key", key_provider_json(c.found_key)},
          {"properties", std::move(properties)},
          {"key_status", c.key_status},
          {"complete", c.complete}};
}

nlohmann::ordered_json warning_json(const repair::DumpWarning& warning) {
  return {{"line", warning.line}, {"message", warning.message}};
}

}  // namespace certbed::cli
