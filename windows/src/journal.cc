// The journal file: JSON, one object naming the store and listing the old property values in
// the order the commit touches them.
#include "certbed/windows/journal.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "certbed/repair/store/store_identity.h"
#include "certbed/windows/crypt_store.h"
#include "certbed/windows/win_text.h"

namespace certbed::windows {

using repair::ErrorCode;
using repair::make_error;

namespace {

constexpr std::string_view kFormat = "certbed-live-journal-1";

repair::Status os_error(const std::string& what) {
  const DWORD code = GetLastError();
  return make_error(ErrorCode::kIo, what + " failed: " + error_message(code));
}

}  // namespace

repair::Status write_journal(const std::string& path, const repair::StoreIdentity& store,
                             const std::vector<JournalEntry>& entries) {
  nlohmann::json doc;
  doc["format"] = kFormat;
  doc["store"] = store.name;
  doc["location"] = std::string(repair::location_name(store.location));
  doc["changes"] = nlohmann::json::array();
  for (const auto& e : entries) {
    doc["changes"].push_back(
        {{"sha1", e.sha1},
         {"id", repair::to_number(e.id)},
         {"before", e.value ? nlohmann::json(repair::to_hex(*e.value)) : nlohmann::json()}});
  }
  const std::string text = doc.dump(1) + "\n";
  const auto wide = to_wide(path);
  const auto temporary = to_wide(path + ".tmp");
  if (!wide || !temporary) return make_error(ErrorCode::kInvalidArgument, path + ": not UTF-8");
  HANDLE file = CreateFileW(temporary->c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                            FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return os_error("creating " + path + ".tmp");
  DWORD written = 0;
  const bool ok =
      WriteFile(file, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) &&
      written == text.size() && FlushFileBuffers(file);
  CloseHandle(file);
  if (!ok) return os_error("writing " + path + ".tmp");
  if (!MoveFileExW(temporary->c_str(), wide->c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    return os_error("moving the journal to " + path);
  }
  return {};
}

repair::Status remove_journal(const std::string& path) {
  const auto wide = to_wide(path);
  if (!wide) return make_error(ErrorCode::kInvalidArgument, path + ": not UTF-8");
  if (!DeleteFileW(wide->c_str()) && GetLastError() != ERROR_FILE_NOT_FOUND) {
    return os_error("removing the journal " + path);
  }
  return {};
}

repair::Result<std::optional<std::vector<std::string>>> recover_journal(const std::string& path) {
  const auto wide = to_wide(path);
  if (!wide) return make_error(ErrorCode::kInvalidArgument, path + ": not UTF-8");
  std::ifstream in(std::filesystem::path(*wide), std::ios::binary);
  if (!in) return std::optional<std::vector<std::string>>();
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kParse, path + ": " + why +
                                             "; the journal is kept: restore the store from the "
                                             ".sst backup beside it by hand");
  };
  if (!doc.is_object() || doc.value("format", "") != kFormat || !doc["store"].is_string() ||
      !doc["location"].is_string() || !doc["changes"].is_array()) {
    return bad("not a certbed live journal");
  }
  auto location = repair::parse_store_location(doc["location"].get<std::string>());
  if (!location) return bad("unknown location");
  auto store = CryptStore::open_system(*location, doc["store"].get<std::string>());
  if (!store) return bad(store.error().message);
  std::vector<std::string> lines;
  const auto& changes = doc["changes"];
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    const auto& c = *it;
    if (!c.is_object() || !c["sha1"].is_string() || !c["id"].is_number_unsigned()) {
      return bad("malformed change");
    }
    const std::string sha1 = c["sha1"].get<std::string>();
    const auto id = static_cast<repair::PropertyId>(c["id"].get<std::uint32_t>());
    auto index = store->find_by_sha1(sha1);
    if (!index) return bad("certificate " + sha1 + " is no longer in the store");
    std::optional<repair::Bytes> value;
    if (c["before"].is_string()) {
      auto bytes = repair::parse_hex(c["before"].get<std::string>());
      if (!bytes) return bad("malformed old value");
      value = std::move(*bytes);
    } else if (!c["before"].is_null()) {
      return bad("malformed old value");
    }
    if (auto ok = store->write_property(*index, id, value); !ok) return bad(ok.error().message);
    if (auto ok = store->flush(); !ok) return bad(ok.error().message);
    lines.push_back("restored property " + std::to_string(repair::to_number(id)) + " of " + sha1 +
                    (value ? "" : " (removed: it was absent)"));
  }
  if (auto ok = remove_journal(path); !ok) return ok.error();
  return std::optional<std::vector<std::string>>(std::move(lines));
}

}  // namespace certbed::windows
