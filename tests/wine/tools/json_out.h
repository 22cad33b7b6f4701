// UTF-16 text as a JSON string literal in pure ASCII (every non-ASCII or control character as
// \uXXXX), so the Linux side reads back exactly what the Windows API returned.
#pragma once

#include <cstdio>
#include <string>

inline std::string json_string(const wchar_t* text, std::size_t size) {
  std::string out = "\"";
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned c = static_cast<unsigned short>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    }
  }
  return out + "\"";
}

inline std::string json_string(const std::wstring& text) {
  return json_string(text.data(), text.size());
}
