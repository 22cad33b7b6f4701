// Reading certutil's printed names, dates and key lengths back into the factory's terms.
#include "certbed/emulator/import/dump_values.h"

#include <charconv>
#include <vector>

namespace certbed::emulator::import {

using repair::ErrorCode;
using repair::make_error;
using repair::Result;

namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::optional<int> number(std::string_view digits) {
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// Splits "a/b/c" at `separator` into exactly `count` numbers.
std::optional<std::vector<int>> numbers(std::string_view text, char separator, std::size_t count) {
  std::vector<int> out;
  while (true) {
    const auto cut = text.find(separator);
    auto n = number(text.substr(0, cut));
    if (!n) return std::nullopt;
    out.push_back(*n);
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  if (out.size() != count) return std::nullopt;
  return out;
}

bool valid_date(int year, int month, int day, int hour, int minute) {
  return year >= 1950 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
}

}  // namespace

Result<DistinguishedName> parse_display_name(std::string_view text) {
  DistinguishedName dn;
  std::size_t i = 0;
  const auto fail = [&](const std::string& what) -> Result<DistinguishedName> {
    return make_error(ErrorCode::kParse, "name \"" + std::string(text) + "\", column " +
                                             std::to_string(i + 1) + ": expected " + what);
  };
  while (i < text.size()) {
    const auto eq = text.find('=', i);
    if (eq == std::string_view::npos) return fail("TYPE=value");
    const std::string type(trim_spaces(text.substr(i, eq - i)));
    if (type.empty()) return fail("an attribute type before '='");
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            value += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value += text[i++];
      }
      if (!closed) return fail("a closing '\"'");
      if (i < text.size() && text.substr(i, 2) != ", ") return fail("\", \" after a quoted value");
    } else {
      const auto cut = text.find(", ", i);
      value = std::string(text.substr(i, cut == std::string_view::npos ? cut : cut - i));
      i = cut == std::string_view::npos ? text.size() : cut;
    }
    if (i < text.size()) i += 2;  // ", "
    dn.attributes.push_back({type, std::move(value)});
  }
  return dn;
}

std::string common_name(const DistinguishedName& dn) {
  for (const auto& a : dn.attributes) {
    if (a.type == "CN") return a.value;
  }
  return {};
}

std::optional<std::int64_t> parse_certutil_date(std::string_view text) {
  text = trim_spaces(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto date = text.substr(0, space);
  auto time = trim_spaces(text.substr(space + 1));
  int hour_offset = 0;
  bool twelve_hour = false;
  if (time.ends_with(" AM") || time.ends_with(" PM")) {
    twelve_hour = true;
    hour_offset = time.ends_with(" PM") ? 12 : 0;
    time.remove_suffix(3);
  }
  auto hm = numbers(time, ':', 2);
  if (!hm) return std::nullopt;
  int hour = (*hm)[0];
  if (twelve_hour) {
    if (hour < 1 || hour > 12) return std::nullopt;
    hour = hour % 12 + hour_offset;
  }
  int year = 0, month = 0, day = 0;
  if (auto us = numbers(date, '/', 3); us && twelve_hour) {
    month = (*us)[0];
    day = (*us)[1];
    year = (*us)[2];
  } else if (auto eu = numbers(date, '.', 3); eu && !twelve_hour) {
    day = (*eu)[0];
    month = (*eu)[1];
    year = (*eu)[2];
  } else {
    return std::nullopt;
  }
  if (!valid_date(year, month, day, hour, (*hm)[1])) return std::nullopt;
  return utc_seconds(year, month, day, hour, (*hm)[1]);
}

ImportedKeyAlgorithm key_algorithm_for_length(std::optional<std::uint32_t> bits) {
  if (!bits) return {};
  switch (*bits) {
    case 256:
      return {KeyAlgorithm::kEcP256, true};
    case 384:
      return {KeyAlgorithm::kEcP384, true};
    case 2048:
      return {KeyAlgorithm::kRsa2048, true};
    case 3072:
      return {KeyAlgorithm::kRsa3072, true};
    case 4096:
      return {KeyAlgorithm::kRsa4096, true};
    default:
      return {};
  }
}

}  // namespace certbed::emulator::import
