// A stand-in for certutil.exe and reg.exe (the same source built under both names): appends its
// command line to the log file named by CERTBED_STUB_LOG and exits with a chosen code, so a test
// sees exactly what repair.cmd passed and how the script reacts to a failure.
//   CERTBED_STUB_LOG        the log file: one JSON object per call
//   CERTBED_STUB_FAIL_AT    fail on this call (1-based, counted over every stand-in in the log)
//   CERTBED_STUB_FAIL_CODE  the exit code of that call (default -2146893802, 0x80090016)
// windows.h first: the other Windows headers need its types.
// clang-format off
#include <windows.h>
#include <shellapi.h>
// clang-format on

#include <cstdio>
#include <cstdlib>
#include <string>

#include "json_out.h"

namespace {

std::wstring env(const wchar_t* name) {
  wchar_t buf[32768];
  const DWORD n = GetEnvironmentVariableW(name, buf, 32768);
  return n > 0 && n < 32768 ? std::wstring(buf, n) : std::wstring();
}

std::wstring module_name() {
  wchar_t path[MAX_PATH];
  const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH);
  return std::wstring(path, n);
}

// Number of lines already in the log: the calls before this one.
int previous_calls(HANDLE log) {
  int lines = 0;
  char buf[4096];
  DWORD got = 0;
  SetFilePointer(log, 0, nullptr, FILE_BEGIN);
  while (ReadFile(log, buf, sizeof buf, &got, nullptr) && got > 0) {
    for (DWORD i = 0; i < got; ++i) lines += buf[i] == '\n';
  }
  return lines;
}

}  // namespace

int wmain() {
  const std::wstring log_path = env(L"CERTBED_STUB_LOG");
  if (log_path.empty()) {
    std::fprintf(stderr, "CERTBED_STUB_LOG is not set\n");
    return 3;
  }
  HANDLE log = CreateFileW(log_path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  for (int tries = 0; log == INVALID_HANDLE_VALUE && tries < 1000; ++tries) {
    Sleep(10);  // another stand-in still holds the log (a loaded machine)
    log = CreateFileW(log_path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_ALWAYS,
                      FILE_ATTRIBUTE_NORMAL, nullptr);
  }
  if (log == INVALID_HANDLE_VALUE) {
    std::fprintf(stderr, "stand-in: cannot open the log (error %lu)\n", GetLastError());
    return 3;
  }
  const int call = previous_calls(log) + 1;
  const wchar_t* command_line = GetCommandLineW();
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(command_line, &argc);
  wchar_t cwd[MAX_PATH];
  const DWORD cwd_size = GetCurrentDirectoryW(MAX_PATH, cwd);
  std::string line =
      "{\"call\":" + std::to_string(call) + ",\"exe\":" + json_string(module_name()) +
      ",\"cwd\":" + json_string(cwd, cwd_size) +
      ",\"command_line\":" + json_string(command_line, wcslen(command_line)) + ",\"argv\":[";
  for (int i = 0; i < argc; ++i) {
    if (i) line += ",";
    line += json_string(argv[i], wcslen(argv[i]));
  }
  line += "]}\n";
  LocalFree(argv);
  SetFilePointer(log, 0, nullptr, FILE_END);
  DWORD written = 0;
  WriteFile(log, line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
  CloseHandle(log);

  // Something for a "> file" redirection to receive, as certutil -store prints the store.
  std::printf("stand-in call %d\n", call);
  const std::wstring fail_at = env(L"CERTBED_STUB_FAIL_AT");
  if (!fail_at.empty() && std::wcstol(fail_at.c_str(), nullptr, 10) == call) {
    const std::wstring code = env(L"CERTBED_STUB_FAIL_CODE");
    return code.empty() ? -2146893802 : static_cast<int>(std::wcstol(code.c_str(), nullptr, 10));
  }
  return 0;
}
