// Registry export files (.reg) as `reg export` and regedit write them: "Windows Registry Editor
// Version 5.00" in UTF-16LE with a byte order mark (or REGEDIT4 in 8-bit text), CRLF lines,
// `[key]` sections and `"name"=data` values, long hex data folded with a trailing backslash.
//
// The writer folds hex lines as reg.exe does: a line breaks after the comma that brings it to
// 77 characters, and each continuation starts with two spaces (Wine's programs/reg export.c,
// whose tests run against Windows' reg.exe; certbed's Wine tests compare the bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

// Registry value types (winnt.h).
inline constexpr std::uint32_t kRegSz = 1;
inline constexpr std::uint32_t kRegExpandSz = 2;
inline constexpr std::uint32_t kRegBinary = 3;
inline constexpr std::uint32_t kRegDword = 4;

struct RegValue {
  std::string name;  // "" is the key's default value, written @
  std::uint32_t type = kRegBinary;
  Bytes data;            // as the registry holds it: REG_SZ is UTF-16LE with its terminating NUL
  std::size_t line = 0;  // where it starts in the file read; 0 for one built in memory

  bool operator==(const RegValue&) const = default;
};

struct RegKey {
  std::string path;  // "HKEY_LOCAL_MACHINE\SOFTWARE\..."
  std::vector<RegValue> values;
  std::size_t line = 0;

  bool operator==(const RegKey&) const = default;
};

struct RegFile {
  std::vector<RegKey> keys;  // in file order

  bool operator==(const RegFile&) const = default;
};

// The most a .reg file may hold; larger input is refused before it is read.
inline constexpr std::size_t kMaxRegFileBytes = std::size_t{1} << 30;

// Reads a .reg file. Errors name `source` and the line: no header, a value before any key, a
// key or value that deletes ([-key], "name"=-: certbed imports, it does not delete), data of an
// unknown form, a hex byte that is not one or two hex digits, a string without its closing
// quote, a continuation at the end of the file.
Result<RegFile> parse_reg_file(std::string_view bytes, const std::string& source);

// The file reg.exe writes for these keys: UTF-16LE with BOM, the version 5 header, each key
// followed by its values and a blank line. A key path or value name with a character the format
// cannot carry (a line break, a NUL, a ']' in a key path) is a kUnsafe error: the file would
// mean something else when read.
Result<Bytes> write_reg_file(const RegFile& file);

}  // namespace certbed::repair
