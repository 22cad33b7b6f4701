// The table `certbed store` and `certbed demo` print for a store.
#include "store_table.h"

#include <fmt/format.h>

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::cli {

void print_store_table(std::ostream& out, const repair::ReadOnlyStore& store) {
  out << fmt::format("{}: {} certificate{}\n", store.description(), store.size(),
                     store.size() == 1 ? "" : "s");
  if (store.size() == 0) return;
  out << fmt::format("{:>3}  {:<40}  {:<40}  {:>4}  {:<20}  {}\n", "#", "Serial", "SHA-1", "Type",
                     "KeySpec", "Provider / Subject");
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto facts = store.certificate(i);
    auto kpi = facts.key_prov_info();
    std::string type = "-";
    std::string key_spec = "-";
    std::string provider = "(no key provider information)";
    if (!kpi) {
      provider = "(unreadable: " + kpi.error().message + ")";
    } else if (kpi->has_value()) {
      const auto& info = **kpi;
      type = std::to_string(info.provider_type);
      key_spec =
          fmt::format("{} ({})", info.key_spec, repair::wincrypt::key_spec_name(info.key_spec));
      provider = fmt::format("{} [container \"{}\"]", info.provider, info.container);
    }
    out << fmt::format("{:>3}  {:<40}  {:<40}  {:>4}  {:<20}  {}\n", i, facts.serial, facts.sha1,
                       type, key_spec, provider);
    out << fmt::format("{:>3}  {:<40}  {:<40}  {:>4}  {:<20}  {}\n", "", "", "", "", "",
                       facts.subject);
  }
}

}  // namespace certbed::cli
