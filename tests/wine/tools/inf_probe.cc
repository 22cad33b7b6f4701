// inf_probe.exe INF...: prints, one JSON object per line and file, every section and line of each
// INF the way SetupAPI reads it (key, field count, each field, the line text), or SetupAPI's error.
// windows.h first: the other Windows headers need its types.
// clang-format off
#include <windows.h>
#include <setupapi.h>
// clang-format on

#include <cstdio>
#include <string>
#include <vector>

#include "json_out.h"

namespace {

// Field `index` of the line (0 is the key); false when the line has no such field.
bool string_field(INFCONTEXT& ctx, DWORD index, std::wstring& out) {
  DWORD size = 0;
  if (!SetupGetStringFieldW(&ctx, index, nullptr, 0, &size)) return false;
  std::vector<wchar_t> buf(size + 1);
  if (!SetupGetStringFieldW(&ctx, index, buf.data(), size, &size)) return false;
  out.assign(buf.data());
  return true;
}

bool line_text(INFCONTEXT& ctx, std::wstring& out) {
  DWORD size = 0;
  if (!SetupGetLineTextW(&ctx, nullptr, nullptr, nullptr, nullptr, 0, &size)) return false;
  std::vector<wchar_t> buf(size + 1);
  if (!SetupGetLineTextW(&ctx, nullptr, nullptr, nullptr, buf.data(), size, &size)) return false;
  out.assign(buf.data());
  return true;
}

std::string section_json(HINF inf, const std::wstring& name) {
  std::string out = "{\"name\":" + json_string(name) + ",\"lines\":[";
  const LONG count = SetupGetLineCountW(inf, name.c_str());
  for (LONG i = 0; i < count; ++i) {
    INFCONTEXT ctx;
    if (!SetupGetLineByIndexW(inf, name.c_str(), static_cast<DWORD>(i), &ctx)) break;
    std::wstring key, text;
    const bool has_key = string_field(ctx, 0, key);
    const DWORD fields = SetupGetFieldCount(&ctx);
    if (i) out += ",";
    out += "{\"key\":" + (has_key ? json_string(key) : std::string("null"));
    out += ",\"field_count\":" + std::to_string(fields) + ",\"fields\":[";
    for (DWORD f = 1; f <= fields; ++f) {
      std::wstring field;
      if (f > 1) out += ",";
      out += string_field(ctx, f, field) ? json_string(field) : std::string("null");
    }
    out += "],\"text\":" + (line_text(ctx, text) ? json_string(text) : std::string("null")) + "}";
  }
  return out + "]}";
}

// One file's JSON line; false when SetupAPI cannot open it.
bool probe(const wchar_t* path, std::string& out) {
  out = "{\"file\":" + json_string(path, wcslen(path));
  UINT error_line = 0;
  // certbed's INFs have no [Version] section, so open them as old NT style (no signature check).
  HINF inf = SetupOpenInfFileW(path, nullptr, INF_STYLE_OLDNT, &error_line);
  if (inf == INVALID_HANDLE_VALUE) {
    const DWORD err = GetLastError();
    out += ",\"error\":\"SetupOpenInfFileW failed\",\"last_error\":" + std::to_string(err) +
           ",\"error_line\":" + std::to_string(error_line) + "}\n";
    return false;
  }
  out += ",\"sections\":[";
  for (UINT index = 0;; ++index) {
    UINT size = 0;
    if (!SetupEnumInfSectionsW(inf, index, nullptr, 0, &size)) break;
    std::vector<wchar_t> name(size + 1);
    if (!SetupEnumInfSectionsW(inf, index, name.data(), size, &size)) break;
    if (index) out += ",";
    out += section_json(inf, name.data());
  }
  out += "]}\n";
  SetupCloseInfFile(inf);
  return true;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: inf_probe.exe FILE.inf...\n");
    return 2;
  }
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::string out;
    if (!probe(argv[i], out)) status = 1;
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return status;
}
