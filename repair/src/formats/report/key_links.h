// Which key container each certificate's property 2 leads to, and the SVG picture of it: a
// link is whole when the container holds the certificate's public key, broken when the
// container is missing or holds another key, unknown when the input shows no containers.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/model/key_container_facts.h"
#include "certbed/repair/store/store.h"

namespace certbed::repair::report {

// kNone: no property 2 and no container holds the key (a CA or root certificate without one);
// kNoLink: no property 2, though a container holds the certificate's key (a lost association).
enum class LinkState { kNone, kNoLink, kWhole, kMissing, kOtherKey, kUnknown, kUnreadable };

struct KeyLink {
  std::size_t certificate = 0;
  LinkState state = LinkState::kNone;
  std::string provider, container;  // as property 2 names them
  std::optional<KeyContainerFacts> found;
};

std::vector<KeyLink> key_links(const ReadOnlyStore& store);
std::string_view link_state_text(LinkState state);

// At most `max_certificates` certificates are drawn (those with a broken link or a finding
// first); `left_out` says how many were not. `flagged` gives the rule of the first finding of
// each certificate that has one, shown in its box.
std::string key_link_svg(const ReadOnlyStore& store, const std::vector<KeyLink>& links,
                         const std::map<std::size_t, std::string>& flagged,
                         std::size_t max_certificates, std::size_t& left_out);

}  // namespace certbed::repair::report
