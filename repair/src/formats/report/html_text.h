// Text into HTML: the five characters that mean markup become references, and control
// characters become visible \xNN escapes, so no input value can open a tag or an attribute.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace certbed::repair::report {

inline std::string html_text(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) {
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out;
}

// A number as text: integers plainly, a coordinate with one decimal at most ("12", "12.5").
inline std::string text_of(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string out(buf);
  if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
  return out;
}
inline std::string text_of(std::string_view s) { return std::string(s); }
inline std::string text_of(const std::string& s) { return s; }
inline std::string text_of(const char* s) { return s; }
template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
std::string text_of(T v) {
  return std::to_string(v);
}

// `pattern` with each "{}" replaced by the next argument (already escaped where it must be).
// The engine is built without fmt (its Windows build has no package of it), so this is the
// little of it the report needs.
template <typename... Args>
std::string fill(std::string_view pattern, const Args&... args) {
  const std::initializer_list<std::string> values{text_of(args)...};
  std::string out;
  auto next = values.begin();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}' &&
        next != values.end()) {
      out += *next++;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace certbed::repair::report
