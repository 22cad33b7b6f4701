// The Windows implementation of safe replacement, backups and the writers' lock
// (output_file.h, file_lock.h): a temporary file beside the target, flushed, then ReplaceFileW
// over an existing target (which keeps its ACL and attributes) or MoveFileExW with
// MOVEFILE_WRITE_THROUGH onto a new one; backups by hard link or an exclusive copy; LockFileEx
// on "<file>.lock". Descriptors in the shared headers are CRT descriptors over the HANDLEs
// (_open_osfhandle), so the headers stay the POSIX ones.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on
#include <fcntl.h>
#include <io.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "certbed/platform/file_lock.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/model/printable.h"

namespace certbed::platform {

using repair::ErrorCode;
using repair::make_error;

namespace {

constexpr int kMaxBackups = 1000;

std::wstring wide(const std::string& utf8) {
  if (utf8.empty()) return {};
  const int n =
      MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

repair::Error os_error(const std::string& path, const std::string& what, DWORD code) {
  wchar_t* text = nullptr;
  FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message;
  for (const wchar_t* p = text; p != nullptr && *p != 0 && *p != L'\r' && *p != L'\n'; ++p) {
    message += *p < 0x80 ? static_cast<char>(*p) : '?';
  }
  if (text != nullptr) LocalFree(text);
  return make_error(ErrorCode::kIo,
                    repair::printable(path) + ": " + what + ": " +
                        (message.empty() ? "error " + std::to_string(code) : message));
}

// A protected DACL for private files: full access for the owner, SYSTEM and Administrators,
// nothing inherited; the Windows counterpart of mode 0600.
struct PrivateSecurity {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), nullptr, FALSE};
  PrivateSecurity() {
    if (ConvertStringSecurityDescriptorToSecurityDescriptorW(
            L"D:P(A;;FA;;;OW)(A;;FA;;;SY)(A;;FA;;;BA)", SDDL_REVISION_1, &descriptor, nullptr)) {
      attributes.lpSecurityDescriptor = descriptor;
    }
  }
  ~PrivateSecurity() {
    if (descriptor != nullptr) LocalFree(descriptor);
  }
  PrivateSecurity(const PrivateSecurity&) = delete;
  PrivateSecurity& operator=(const PrivateSecurity&) = delete;
};

HANDLE handle_of(int fd) { return reinterpret_cast<HANDLE>(_get_osfhandle(fd)); }

}  // namespace

repair::Status check_file_target(const std::string& target) {
  const DWORD attributes = GetFileAttributesW(wide(target).c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    const DWORD code = GetLastError();
    if (code == ERROR_FILE_NOT_FOUND) return {};
    return os_error(target, "cannot inspect the target", code);
  }
  const std::string name = repair::printable(target);
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    return make_error(ErrorCode::kIo, name + ": Is a directory; give a file name");
  }
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return make_error(ErrorCode::kIo, name +
                                          ": is a symbolic link or junction; certbed replaces "
                                          "files, not links: give the path of the file it "
                                          "points to");
  }
  if ((attributes & FILE_ATTRIBUTE_DEVICE) != 0) {
    return make_error(ErrorCode::kIo,
                      name + ": a device, not a regular file; certbed writes only regular files");
  }
  return {};
}

repair::Result<StagedFile> StagedFile::create(const std::string& target, NewFileMode mode) {
  if (auto ok = check_file_target(target); !ok) return ok.error();
  const auto slash = target.find_last_of("\\/");
  const std::string folder = slash == std::string::npos ? "" : target.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
  std::random_device random;
  StagedFile staged;
  staged.target_ = target;
  staged.mode_ = mode;
  PrivateSecurity security;
  for (int attempt = 0; attempt < 16; ++attempt) {
    staged.temp_ = folder + "." + name + ".certbed-" + std::to_string(GetCurrentProcessId()) + "-" +
                   std::to_string(random()) + ".tmp";
    HANDLE h = CreateFileW(wide(staged.temp_).c_str(), GENERIC_WRITE, 0,
                           mode == NewFileMode::kPrivate ? &security.attributes : nullptr,
                           CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
      if (GetLastError() == ERROR_FILE_EXISTS) continue;
      return os_error(target, "cannot create a temporary file beside it", GetLastError());
    }
    staged.fd_ = _open_osfhandle(reinterpret_cast<intptr_t>(h), _O_BINARY);
    if (staged.fd_ < 0) {
      CloseHandle(h);
      return make_error(ErrorCode::kIo, repair::printable(target) +
                                            ": no descriptor for the "
                                            "temporary file");
    }
    return staged;
  }
  return make_error(ErrorCode::kIo,
                    repair::printable(target) + ": no free temporary file name beside it");
}

StagedFile::~StagedFile() { discard(); }

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, {})),
      mode_(other.mode_),
      fd_(std::exchange(other.fd_, -1)) {}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, {});
    mode_ = other.mode_;
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void StagedFile::discard() {
  if (fd_ >= 0) _close(fd_);
  fd_ = -1;
  if (!temp_.empty()) DeleteFileW(wide(temp_).c_str());
  temp_.clear();
}

repair::Status StagedFile::write(std::string_view data) {
  while (!data.empty()) {
    DWORD written = 0;
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(data.size(), 1u << 30));
    if (!WriteFile(handle_of(fd_), data.data(), chunk, &written, nullptr) || written == 0) {
      return os_error(target_, "cannot write the temporary file", GetLastError());
    }
    data.remove_prefix(written);
  }
  return {};
}

repair::Status StagedFile::flush() {
  if (fd_ < 0) return {};  // flushed already
  if (!FlushFileBuffers(handle_of(fd_))) {
    return os_error(target_, "cannot flush the temporary file", GetLastError());
  }
  _close(fd_);
  fd_ = -1;
  return {};
}

repair::Status StagedFile::commit() {
  if (auto ok = flush(); !ok) return ok;
  const std::wstring target = wide(target_);
  const std::wstring temp = wide(temp_);
  // ReplaceFileW keeps the replaced file's ACL and attributes, as the POSIX side keeps its mode.
  const bool exists = GetFileAttributesW(target.c_str()) != INVALID_FILE_ATTRIBUTES;
  const bool ok = exists ? ReplaceFileW(target.c_str(), temp.c_str(), nullptr,
                                        REPLACEFILE_IGNORE_MERGE_ERRORS, nullptr, nullptr) != 0
                         : MoveFileExW(temp.c_str(), target.c_str(), MOVEFILE_WRITE_THROUGH) != 0;
  if (!ok) {
    const DWORD code = GetLastError();
    discard();
    return os_error(target_, "cannot put the new file in place (the old one is unchanged)", code);
  }
  temp_.clear();
  return {};
}

repair::Status replace_file(const std::string& target, std::string_view data, NewFileMode mode) {
  auto staged = StagedFile::create(target, mode);
  if (!staged) return staged.error();
  if (auto ok = staged->write(data); !ok) return ok;
  return staged->commit();
}

repair::Result<std::string> back_up_file(const std::string& path) {
  for (int n = 0; n < kMaxBackups; ++n) {
    const std::string backup = path + (n == 0 ? ".bak" : ".bak." + std::to_string(n));
    // Both fail on anything at that name: a backup never replaces a file.
    if (CreateHardLinkW(wide(backup).c_str(), wide(path).c_str(), nullptr)) return backup;
    DWORD code = GetLastError();
    if (code == ERROR_ALREADY_EXISTS || code == ERROR_FILE_EXISTS) continue;
    if (CopyFileW(wide(path).c_str(), wide(backup).c_str(), /*bFailIfExists=*/TRUE)) {
      return backup;
    }
    code = GetLastError();
    if (code == ERROR_ALREADY_EXISTS || code == ERROR_FILE_EXISTS) continue;
    return os_error(path, "cannot back up to " + repair::printable(backup) + "; nothing written",
                    code);
  }
  return make_error(ErrorCode::kIo, repair::printable(path) + ": " + std::to_string(kMaxBackups) +
                                        " backups exist already; remove old ones");
}

void remove_backup(const std::string& backup) { DeleteFileW(wide(backup).c_str()); }

repair::Result<FileLock> FileLock::acquire(const std::string& file,
                                           std::chrono::milliseconds wait) {
  const std::string lock_path = file + ".lock";
  PrivateSecurity security;
  HANDLE h = CreateFileW(wide(lock_path).c_str(), GENERIC_READ | GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         &security.attributes, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    return os_error(lock_path, "cannot open the lock file", GetLastError());
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    OVERLAPPED whole{};
    if (LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, MAXDWORD, MAXDWORD,
                   &whole)) {
      break;
    }
    const DWORD code = GetLastError();
    if (code != ERROR_LOCK_VIOLATION && code != ERROR_IO_PENDING) {
      CloseHandle(h);
      return os_error(lock_path, "cannot lock", code);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      CloseHandle(h);
      return make_error(
          ErrorCode::kConflict,
          repair::printable(file) + ": locked by another certbed process for " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) +
              " s; nothing written");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FileLock lock;
  lock.fd_ = _open_osfhandle(reinterpret_cast<intptr_t>(h), _O_BINARY);
  if (lock.fd_ < 0) CloseHandle(h);
  return lock;
}

FileLock::~FileLock() {
  if (fd_ >= 0) _close(fd_);  // closing the handle releases the lock
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) _close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

}  // namespace certbed::platform
