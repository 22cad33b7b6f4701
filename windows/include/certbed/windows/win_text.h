// UTF-8 <-> UTF-16 for the wide-character Windows APIs, and Windows' own text for an error code.
#pragma once

// clang-format off
#include <windows.h>
// clang-format on

#include <optional>
#include <string>
#include <string_view>

namespace certbed::windows {

// nullopt when `utf8` is not valid UTF-8.
std::optional<std::wstring> to_wide(std::string_view utf8);
// Unpaired surrogates become U+FFFD.
std::string to_utf8(std::wstring_view wide);
// FormatMessageW's text for `code` (an HRESULT or a Win32 error), without the trailing newline;
// "" when the system has none.
std::string error_message(DWORD code);

}  // namespace certbed::windows
