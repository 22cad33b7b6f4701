// The semantic layer of certutil's property INF: the [Properties] section (numeric ids, "{text}"
// and "{hex}" values, Empty, deletions, _continue_ lines) read into a PropertyInf.
#include "certbed/repair/formats/inf/property_inf.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "certbed/repair/formats/text_file.h"
#include "inf_internal.h"

namespace certbed::repair {
namespace {

using inf_detail::trim;

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && to_lower_ascii(s.substr(0, prefix.size())) == prefix;
}

}  // namespace

Result<PropertyInf> parse_property_inf(std::string_view bytes, const std::string& source) {
  if (bytes.size() > kMaxInfFileBytes) {
    return make_error(ErrorCode::kParse, "file is larger than 16 MiB; not a property INF",
                      SourceLocation{source, 0, 0});
  }
  auto decoded = decode_text_file(bytes, source);
  if (!decoded) return decoded.error();
  if (decoded->encoding != "utf-16le" && decoded->encoding != "utf-16be") {
    // "If the INF contains non-ASCII characters, the file must be saved as Unicode (UTF-16 LE)"
    // (General guidelines for INF files); an 8-bit file is read in the ANSI code page.
    const std::string& t = decoded->utf8;
    const auto it = std::find_if(t.begin(), t.end(),
                                 [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (it != t.end()) {
      const auto line = static_cast<std::size_t>(std::count(t.begin(), it, '\n')) + 1;
      return make_error(ErrorCode::kParse,
                        "non-ASCII text in an INF file that is not Unicode: Windows reads "
                        "such a file in the ANSI code page (\"M\xC3\xBCller\" would become "
                        "\"M\xC3\x83\xC2\xBCller\"); save it as UTF-16LE with a byte order "
                        "mark (Notepad: Save As, Encoding \"UTF-16 LE\")",
                        SourceLocation{source, line, 0});
    }
  }
  PropertyInf out;
  out.encoding = decoded->encoding;
  auto sections = inf_detail::lex_inf(decoded->utf8, source, out.warnings);
  if (!sections) return sections.error();

  auto error = [&](std::size_t line, std::string message) {
    return make_error(ErrorCode::kParse, std::move(message), SourceLocation{source, line, 0});
  };

  std::map<std::string, std::string> strings;
  for (const auto& section : *sections) {
    if (section.name != "strings") continue;
    for (const auto& line : section.lines) {
      if (line.key) strings[to_lower_ascii(*line.key)] = line.value;
    }
  }

  struct Pending {
    std::uint32_t id;
    std::size_t line;
    std::string raw;
  };
  std::vector<Pending> pending;
  bool saw_properties = false;
  for (const auto& section : *sections) {
    if (section.name != "properties") continue;  // [Version], [Extensions], ... are not ours
    saw_properties = true;
    for (const auto& line : section.lines) {
      if (!line.key) {
        return error(line.line,
                     "expected \"<property id> = <value>\" or \"_continue_ = <value>\", "
                     "found \"" +
                         line.value + "\"");
      }
      const std::string key = to_lower_ascii(trim(*line.key));
      const std::string value = inf_detail::substitute_strings(line.value, strings);
      if (key == "_continue_") {
        if (pending.empty()) {
          return error(line.line, "_continue_ line before any property line");
        }
        pending.back().raw += value;
        continue;
      }
      std::uint32_t id = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (key.empty() || ec != std::errc() || end != key.data() + key.size() ||
          !is_settable_property_id(id)) {
        return error(line.line,
                     "expected a property id (a number from 1 to 65535, not 32-35) "
                     "or _continue_, found \"" +
                         std::string(trim(*line.key)) + "\"");
      }
      pending.push_back(Pending{id, line.line, value});
    }
  }
  if (!saw_properties) {
    return make_error(ErrorCode::kParse, "no [Properties] section", SourceLocation{source, 0, 0});
  }

  for (const auto& p : pending) {
    InfProperty prop;
    prop.id = static_cast<PropertyId>(p.id);
    prop.line = p.line;
    const std::string label = property_label(prop.id);
    std::string_view raw = p.raw;
    if (trim(raw).empty()) {
      prop.kind = InfValueKind::kDelete;
    } else if (to_lower_ascii(trim(raw)) == "empty") {
      prop.kind = InfValueKind::kEmpty;
    } else if (starts_with_ci(raw, "{hex}")) {
      prop.kind = InfValueKind::kHex;
      auto bytes_value = parse_hex(raw.substr(5));
      if (!bytes_value) {
        return error(p.line, label + ": expected hex byte pairs after {hex}");
      }
      prop.value = std::move(*bytes_value);
    } else if (starts_with_ci(raw, "{text}")) {
      prop.kind = InfValueKind::kText;
      prop.text = std::string(raw.substr(6));
      switch (prop.id) {
        case PropertyId::CERT_KEY_PROV_INFO_PROP_ID: {
          auto kp = parse_key_prov_text(prop.text);
          if (!kp) return error(p.line, label + ": " + kp.error().message);
          auto info = kp->to_key_prov_info();
          if (!info) return error(p.line, label + ": " + info.error().message);
          auto encoded = encode_key_prov_info(*info);
          if (!encoded) return error(p.line, label + ": " + encoded.error().message);
          prop.key_provider = std::move(*kp);
          prop.value = std::move(*encoded);
          break;
        }
        case PropertyId::CERT_ENHKEY_USAGE_PROP_ID: {
          std::size_t start = 0;
          while (start <= prop.text.size()) {
            auto comma = prop.text.find(',', start);
            if (comma == std::string::npos) comma = prop.text.size();
            const auto item = trim(std::string_view(prop.text).substr(start, comma - start));
            if (!item.empty()) prop.ekus.emplace_back(item);
            start = comma + 1;
          }
          auto der = encode_eku_list(prop.ekus);
          if (!der) return error(p.line, label + ": " + der.error().message);
          prop.value = std::move(*der);
          break;
        }
        case PropertyId::CERT_FRIENDLY_NAME_PROP_ID:
        case PropertyId::CERT_DESCRIPTION_PROP_ID: {
          auto wide = utf8_to_utf16le(prop.text);
          if (!wide) return error(p.line, label + ": text is not valid UTF-8");
          wide->push_back(0);
          wide->push_back(0);
          prop.value = std::move(*wide);
          break;
        }
        default:
          return error(p.line, label +
                                   ": {text} is defined only for properties 2, 9, 11 and 13; "
                                   "write this one as {hex}");
      }
    } else {
      return error(p.line, label +
                               ": expected \"{text}...\", \"{hex}...\", Empty or nothing "
                               "(to delete), found \"" +
                               std::string(trim(raw)) + "\"");
    }
    // A repeated id: the later line wins, as applying the file in order would do.
    auto same = std::find_if(out.properties.begin(), out.properties.end(),
                             [&](const InfProperty& q) { return q.id == prop.id; });
    if (same != out.properties.end()) {
      out.warnings.push_back(InfWarning{p.line, label + " is given again (first on line " +
                                                    std::to_string(same->line) +
                                                    "); this later value replaces it"});
      out.properties.erase(same);
    }
    out.properties.push_back(std::move(prop));
  }
  return out;
}

}  // namespace certbed::repair
