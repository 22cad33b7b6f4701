// Certificate-to-container links, and the SVG that draws them: certificates on the left, the
// containers they lead to on the right grouped by provider, broken links red and cut.
#include "key_links.h"

#include <algorithm>
#include <map>

#include "certbed/repair/rules/key_container_index.h"
#include "html_text.h"

namespace certbed::repair::report {

namespace {

// Cut at a UTF-8 character boundary, with an ellipsis; the full text is in the <title>.
std::string shortened(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6";
}

bool broken(LinkState s) {
  return s == LinkState::kMissing || s == LinkState::kOtherKey || s == LinkState::kNoLink;
}

std::string provider_kind(const KeyContainerFacts& c) {
  return c.is_ksp() ? std::string("KSP") : "CSP, ProviderType " + std::to_string(c.provider_type);
}

struct Box {
  double y = 0;
  std::string svg;
};

constexpr double kLeft = 8, kLeftWidth = 380, kRight = 560, kRightWidth = 400, kRow = 46, kBox = 36,
                 kTop = 34;

std::string text_at(double x, double y, const std::string& cls, const std::string& text) {
  return "<text x=\"" + text_of(x) + "\" y=\"" + text_of(y) + "\" class=\"" + cls + "\">" +
         html_text(text) + "</text>";
}

}  // namespace

std::string_view link_state_text(LinkState state) {
  switch (state) {
    case LinkState::kNone:
      return "no property 2";
    case LinkState::kNoLink:
      return "no property 2; its key is in this container";
    case LinkState::kWhole:
      return "key found";
    case LinkState::kMissing:
      return "container not found";
    case LinkState::kOtherKey:
      return "container holds another key";
    case LinkState::kUnknown:
      return "containers not shown by the input";
    case LinkState::kUnreadable:
      return "property 2 cannot be read";
  }
  return "";
}

std::vector<KeyLink> key_links(const ReadOnlyStore& store) {
  const bool known = store.knows_key_containers();
  const KeyContainerIndex index(known ? store.key_containers() : std::vector<KeyContainerFacts>{});
  std::vector<KeyLink> out;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const CertFacts cert = store.certificate(i);
    KeyLink link;
    link.certificate = i;
    auto kpi = cert.key_prov_info();
    if (!kpi) {
      link.state = LinkState::kUnreadable;
    } else if (!*kpi) {
      link.state = LinkState::kNone;
      if (known && !cert.public_key_id.empty()) {
        if (auto holder = index.count_key(cert.public_key_id).first) {
          link.state = LinkState::kNoLink;
          link.found = std::move(holder->container);
        }
      }
    } else {
      link.provider = (*kpi)->provider;
      link.container = (*kpi)->container;
      if (!known) {
        link.state = LinkState::kUnknown;
      } else if (auto found = index.find(link.provider, link.container); !found) {
        link.state = LinkState::kMissing;
      } else {
        const bool holds =
            cert.public_key_id.empty() ||
            std::any_of(found->keys.begin(), found->keys.end(), [&](const KeyFacts& k) {
              return k.public_key_id.empty() || k.public_key_id == cert.public_key_id;
            });
        link.state = holds ? LinkState::kWhole : LinkState::kOtherKey;
        link.found = std::move(*found);
      }
    }
    out.push_back(std::move(link));
  }
  return out;
}

std::string key_link_svg(const ReadOnlyStore& store, const std::vector<KeyLink>& links,
                         const std::map<std::size_t, std::string>& flagged,
                         std::size_t max_certificates, std::size_t& left_out) {
  const auto drawn_first = [&](const KeyLink& l) {
    return broken(l.state) || flagged.count(l.certificate) != 0;
  };
  std::vector<const KeyLink*> drawn;
  for (const auto& l : links) {
    if (drawn_first(l)) drawn.push_back(&l);
  }
  for (const auto& l : links) {
    if (!drawn_first(l)) drawn.push_back(&l);
  }
  if (drawn.size() > max_certificates) drawn.resize(max_certificates);
  std::sort(drawn.begin(), drawn.end(),
            [](const KeyLink* a, const KeyLink* b) { return a->certificate < b->certificate; });
  left_out = links.size() - drawn.size();

  // The right column: providers in order of first use, each with its containers, then the
  // containers that are not there.
  std::vector<std::string> providers;
  std::map<std::string, std::vector<std::string>> containers_of;  // provider -> names, in order
  std::map<std::pair<std::string, std::string>, Box> boxes;
  std::vector<const KeyLink*> absent;
  for (const auto* l : drawn) {
    if (l->found) {
      const auto& p = l->found->provider;
      if (containers_of.find(p) == containers_of.end()) providers.push_back(p);
      auto& names = containers_of[p];
      if (std::find(names.begin(), names.end(), l->found->container) == names.end()) {
        names.push_back(l->found->container);
      }
    } else if (l->state == LinkState::kMissing || l->state == LinkState::kUnknown) {
      absent.push_back(l);
    }
  }
  std::string right;
  double y = kTop;
  for (const auto& p : providers) {
    right += text_at(kRight, y + 16, "provider", shortened(p, 60));
    y += 24;
    for (const auto& name : containers_of[p]) {
      const KeyLink* first = nullptr;
      for (const auto* l : drawn) {
        if (l->found && l->found->provider == p && l->found->container == name) first = l;
      }
      const auto& c = *first->found;
      right += fill(
          "<g class=\"container\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" "
          "height=\"{}\" rx=\"4\"/>",
          html_text(c.provider + " \\ " + c.container), kRight, y, kRightWidth, kBox);
      right += text_at(kRight + 8, y + 15, "name", shortened(c.container, 48));
      right += text_at(kRight + 8, y + 30, "meta",
                       fill("{}, {} key(s)", provider_kind(c), c.keys.size()));
      right += "</g>";
      boxes[{p, name}] = Box{y + kBox / 2, {}};
      y += kRow;
    }
  }
  std::map<std::size_t, double> absent_y;
  if (!absent.empty()) {
    right += text_at(kRight, y + 16, "provider", "not found in any provider");
    y += 24;
    for (const auto* l : absent) {
      const bool unknown = l->state == LinkState::kUnknown;
      right += fill(
          "<g class=\"{}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
          "rx=\"4\"/>",
          unknown ? "unknown" : "absent", html_text(l->provider + " \\ " + l->container), kRight, y,
          kRightWidth, kBox);
      right += text_at(kRight + 8, y + 15, "name", shortened(l->container, 48));
      right += text_at(kRight + 8, y + 30, "meta",
                       unknown ? std::string("the input shows no containers")
                               : "missing from " + shortened(l->provider, 40));
      right += "</g>";
      absent_y[l->certificate] = y + kBox / 2;
      y += kRow;
    }
  }

  // Certificates in the order of the containers they lead to, so that links run side by side
  // instead of crossing; those without a container last, each group by index.
  const auto target_y = [&](const KeyLink* l) -> double {
    if (l->found) return boxes[{l->found->provider, l->found->container}].y;
    if (auto it = absent_y.find(l->certificate); it != absent_y.end()) return it->second;
    return 1e300;
  };
  std::stable_sort(drawn.begin(), drawn.end(),
                   [&](const KeyLink* a, const KeyLink* b) { return target_y(a) < target_y(b); });
  std::string left, lines;
  for (std::size_t row = 0; row < drawn.size(); ++row) {
    const KeyLink& l = *drawn[row];
    const CertFacts cert = store.certificate(l.certificate);
    const double top = kTop + 24 + static_cast<double>(row) * kRow;
    const double mid = top + kBox / 2;
    const auto rule = flagged.find(l.certificate);
    const std::string cls = broken(l.state) || rule != flagged.end() ? "cert broken" : "cert";
    left += fill(
        "<g class=\"{}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "rx=\"4\"/>",
        cls, html_text(cert.subject + " (serial " + cert.serial + ")"), kLeft, top, kLeftWidth,
        kBox);
    left += text_at(kLeft + 8, top + 15, "name",
                    fill("#{} {}", l.certificate, shortened(cert.subject, 44)));
    left +=
        text_at(kLeft + 8, top + 30, "meta",
                fill("serial {} \xE2\x80\x94 {}", shortened(cert.serial, 20),
                     rule != flagged.end() ? rule->second : std::string(link_state_text(l.state))));
    left += "</g>";
    std::optional<double> to;
    if (l.found) to = boxes[{l.found->provider, l.found->container}].y;
    if (auto it = absent_y.find(l.certificate); it != absent_y.end()) to = it->second;
    if (!to) continue;
    const double x1 = kLeft + kLeftWidth, x2 = kRight;
    if (l.state == LinkState::kWhole) {
      lines +=
          fill("<line class=\"whole\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", x1, mid, x2, *to);
    } else if (l.state == LinkState::kUnknown) {
      lines += fill("<line class=\"unknown\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", x1, mid,
                    x2, *to);
    } else {
      // Broken: two halves with a gap and a cross where the link fails.
      const double mx = (x1 + x2) / 2, my = (mid + *to) / 2;
      const double gx = 12, gy = (*to - mid) * gx / (x2 - x1);
      lines += fill(
          "<line class=\"broken\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>"
          "<line class=\"broken\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>"
          "<text x=\"{}\" y=\"{}\" class=\"cross\">\xE2\x9C\x97</text>",
          x1, mid, mx - gx, my - gy, mx + gx, my + gy, x2, *to, mx - 6, my + 6);
    }
  }
  const double height = std::max(y, kTop + 24 + static_cast<double>(drawn.size()) * kRow) + 10;
  const double width = kRight + kRightWidth + 8;
  return fill(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"links\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\"><text x=\"{}\" y=\"20\" class=\"head\">Certificates"
      "</text><text x=\"{}\" y=\"20\" class=\"head\">Key containers (property 2 leads "
      "to)</text>{}{}{}</svg>",
      width, height, width, height, kLeft, kRight, lines, left, right);
}

}  // namespace certbed::repair::report
