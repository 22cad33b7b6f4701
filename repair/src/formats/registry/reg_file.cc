// .reg files: a line reader over the decoded text, and the writer that folds hex as reg.exe.
#include "certbed/repair/formats/registry/reg_file.h"

#include <optional>

#include "certbed/repair/formats/text_file.h"
#include "certbed/repair/model/printable.h"

namespace certbed::repair {

namespace {

constexpr std::string_view kHeader5 = "Windows Registry Editor Version 5.00";
constexpr std::string_view kHeader4 = "REGEDIT4";
// reg.exe breaks a hex line once it reaches this many characters (the backslash comes after).
constexpr std::size_t kMaxHexLine = 77;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Reader {
 public:
  Reader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Result<RegFile> read() {
    auto header = next_line();
    if (!header || (trim(*header) != kHeader5 && trim(*header) != kHeader4)) {
      return fail(std::string("expected the header \"") + std::string(kHeader5) +
                  "\" (or REGEDIT4) on the first line");
    }
    RegFile file;
    while (auto raw = next_line()) {
      const std::string_view line = trim(*raw);
      if (line.empty() || line.front() == ';') continue;
      if (line.front() == '[') {
        auto key = read_key(line);
        if (!key) return key.error();
        file.keys.push_back(std::move(*key));
        continue;
      }
      if (file.keys.empty()) return fail("a value before the first [key] line");
      auto value = read_value(line);
      if (!value) return value.error();
      file.keys.back().values.push_back(std::move(*value));
    }
    return file;
  }

 private:
  std::optional<std::string_view> next_line() {
    if (pos_ >= text_.size()) return std::nullopt;
    const std::size_t end = text_.find('\n', pos_);
    std::string_view line =
        text_.substr(pos_, end == std::string_view::npos ? text_.npos : end - pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_;
    return line;
  }

  Error fail(const std::string& what) const {
    return make_error(ErrorCode::kParse, what, SourceLocation{source_, line_, 0});
  }

  Result<RegKey> read_key(std::string_view line) {
    if (line.back() != ']') return fail("a [key] line without its closing ']'");
    std::string_view path = line.substr(1, line.size() - 2);
    if (!path.empty() && path.front() == '-') {
      return fail("[-" + printable(path.substr(1)) +
                  "] deletes a key; certbed reads keys to import, not deletions");
    }
    if (path.empty()) return fail("an empty [] key");
    return RegKey{std::string(path), {}, line_};
  }

  Result<RegValue> read_value(std::string_view line) {
    RegValue value;
    value.line = line_;
    std::size_t i = 0;
    if (line.front() == '@') {
      i = 1;
    } else if (line.front() == '"') {
      auto name = read_quoted(line, i);
      if (!name) return name.error();
      value.name = std::move(*name);
    } else {
      return fail("expected a value (\"name\"=data or @=data), a [key], or a ; comment");
    }
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size() || line[i] != '=') return fail("expected '=' after the value name");
    std::string_view data = trim(line.substr(i + 1));
    if (data == "-") {
      return fail("\"" + printable(value.name) +
                  "\"=- deletes a value; certbed reads values to import, not deletions");
    }
    if (!data.empty() && data.front() == '"') {
      std::size_t j = 0;
      auto text = read_quoted(data, j);
      if (!text) return text.error();
      if (!trim(data.substr(j)).empty()) return fail("text after a string value's closing quote");
      auto utf16 = utf8_to_utf16le(*text);
      if (!utf16) return fail("a string value that is not valid text");
      utf16->push_back(0);
      utf16->push_back(0);
      value.type = kRegSz;
      value.data = std::move(*utf16);
      return value;
    }
    if (data.starts_with("dword:")) {
      const std::string_view digits = data.substr(6);
      if (digits.empty() || digits.size() > 8) return fail("dword: takes 1 to 8 hex digits");
      std::uint32_t number = 0;
      for (char c : digits) {
        const int d = hex_digit(c);
        if (d < 0) return fail("dword: takes 1 to 8 hex digits");
        number = number << 4 | static_cast<std::uint32_t>(d);
      }
      value.type = kRegDword;
      for (int b = 0; b < 4; ++b) value.data.push_back(static_cast<std::uint8_t>(number >> 8 * b));
      return value;
    }
    if (data.starts_with("hex:")) {
      value.type = kRegBinary;
      data.remove_prefix(4);
    } else if (data.starts_with("hex(")) {
      const std::size_t close = data.find("):");
      if (close == std::string_view::npos || close == 4 || close > 12) {
        return fail("expected hex(TYPE): with TYPE in hex digits");
      }
      std::uint32_t type = 0;
      for (char c : data.substr(4, close - 4)) {
        const int d = hex_digit(c);
        if (d < 0 || type > 0x0FFFFFFF) return fail("expected hex(TYPE): with TYPE in hex digits");
        type = type << 4 | static_cast<std::uint32_t>(d);
      }
      value.type = type;
      data.remove_prefix(close + 2);
    } else {
      return fail("data of an unknown form: expected \"text\", dword:, hex: or hex(TYPE):");
    }
    auto bytes = read_hex(data);
    if (!bytes) return bytes.error();
    value.data = std::move(*bytes);
    return value;
  }

  // Comma-separated hex bytes, continued over lines that end with a backslash.
  Result<Bytes> read_hex(std::string_view data) {
    Bytes out;
    while (true) {
      data = trim(data);
      const bool continued = !data.empty() && data.back() == '\\';
      if (continued) data.remove_suffix(1);
      std::size_t i = 0;
      while (i < data.size()) {
        while (i < data.size() && data[i] == ' ') ++i;
        if (i >= data.size()) break;
        const int high = hex_digit(data[i]);
        if (high < 0)
          return fail("expected a hex byte, found '" + printable(data.substr(i, 1)) + "'");
        int byte = high;
        ++i;
        if (i < data.size() && hex_digit(data[i]) >= 0) byte = byte << 4 | hex_digit(data[i++]);
        if (i < data.size() && hex_digit(data[i]) >= 0) {
          return fail("a hex byte of more than two digits");
        }
        out.push_back(static_cast<std::uint8_t>(byte));
        while (i < data.size() && data[i] == ' ') ++i;
        if (i < data.size()) {
          if (data[i] != ',') return fail("expected ',' between hex bytes");
          ++i;
        }
      }
      if (!continued) return out;
      auto next = next_line();
      if (!next) return fail("the file ends inside hex data continued with '\\'");
      data = *next;
    }
  }

  // A "..." string starting at line[i]; i ends past the closing quote.
  Result<std::string> read_quoted(std::string_view line, std::size_t& i) {
    std::string out;
    for (++i; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"') {
        ++i;
        return out;
      }
      if (c == '\\' && i + 1 < line.size()) {
        const char e = line[++i];
        switch (e) {
          case '\\':
            out += '\\';
            break;
          case '"':
            out += '"';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case '0':
            out += '\0';
            break;
          default:
            return fail(std::string("an unknown escape \\") + printable(std::string(1, e)));
        }
        continue;
      }
      out += c;
    }
    return fail("a quoted name or string without its closing '\"'");
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
};

bool unrepresentable(std::string_view text, bool key_path) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
    if (key_path && c == ']') return true;
  }
  return false;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

constexpr char kHex[] = "0123456789abcdef";

// `prefix` is what comes before the bytes on the first line ("\"Blob\"=hex:").
void append_hex(std::string& out, std::string_view prefix, ByteView data) {
  out += prefix;
  // reg.exe counts UTF-16 code units; a name outside ASCII is shorter than its UTF-8.
  const auto units = utf8_to_utf16le(prefix);
  std::size_t line_length = units ? units->size() / 2 : prefix.size();
  for (std::size_t i = 0; i < data.size(); ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
    if (i + 1 == data.size()) break;
    out += ',';
    line_length += 3;
    if (line_length >= kMaxHexLine) {
      out += "\\\r\n  ";
      line_length = 2;
    }
  }
  out += "\r\n";
}

// A REG_SZ as reg.exe writes it in quotes: one NUL at the end and none before.
std::optional<std::string> plain_string(const RegValue& value) {
  if (value.type != kRegSz || value.data.size() < 2 || value.data.size() % 2 != 0) {
    return std::nullopt;
  }
  const ByteView text(value.data.data(), value.data.size() - 2);
  if (value.data[value.data.size() - 1] != 0 || value.data[value.data.size() - 2] != 0) {
    return std::nullopt;
  }
  auto utf8 = utf16le_to_utf8(text);
  if (!utf8 || utf8->find('\0') != std::string::npos || unrepresentable(*utf8, false)) {
    return std::nullopt;
  }
  return utf8;
}

}  // namespace

Result<RegFile> parse_reg_file(std::string_view bytes, const std::string& source) {
  if (bytes.size() > kMaxRegFileBytes) {
    return make_error(ErrorCode::kParse, "larger than a .reg file certbed reads (1 GiB)",
                      SourceLocation{source, 0, 0});
  }
  auto text = decode_text_file(bytes, source);
  if (!text) return text.error();
  return Reader(text->utf8, source).read();
}

Result<Bytes> write_reg_file(const RegFile& file) {
  std::string text(kHeader5);
  text += "\r\n";
  for (const auto& key : file.keys) {
    if (key.path.empty() || unrepresentable(key.path, true) || key.path.front() == '-') {
      return make_error(ErrorCode::kUnsafe, "registry key \"" + printable(key.path) +
                                                "\" cannot be written to a "
                                                ".reg file: it would read back as another key");
    }
    text += "\r\n[" + key.path + "]\r\n";
    for (const auto& value : key.values) {
      if (unrepresentable(value.name, false)) {
        return make_error(ErrorCode::kUnsafe, "registry value name \"" + printable(value.name) +
                                                  "\" cannot be written to a .reg file");
      }
      const std::string name = value.name.empty() ? "@=" : quoted(value.name) + "=";
      if (auto s = plain_string(value)) {
        text += name + quoted(*s) + "\r\n";
      } else if (value.type == kRegDword && value.data.size() == 4) {
        const std::uint32_t n = static_cast<std::uint32_t>(value.data[0]) |
                                static_cast<std::uint32_t>(value.data[1]) << 8 |
                                static_cast<std::uint32_t>(value.data[2]) << 16 |
                                static_cast<std::uint32_t>(value.data[3]) << 24;
        std::string digits(8, '0');
        for (int d = 0; d < 8; ++d)
          digits[static_cast<std::size_t>(7 - d)] = kHex[(n >> 4 * d) & 0xF];
        text += name;
        text += "dword:";
        text += digits;
        text += "\r\n";
      } else if (value.type == kRegBinary) {
        append_hex(text, name + "hex:", value.data);
      } else {
        std::string type;
        for (std::uint32_t t = value.type; t != 0 || type.empty(); t >>= 4) {
          type.insert(type.begin(), kHex[t & 0xF]);
        }
        std::string prefix = name;
        prefix += "hex(";
        prefix += type;
        prefix += "):";
        append_hex(text, prefix, value.data);
      }
    }
  }
  text += "\r\n";
  auto utf16 = utf8_to_utf16le("\xEF\xBB\xBF" + text);  // the BOM, U+FEFF, comes out FF FE
  if (!utf16) {
    return make_error(ErrorCode::kUnsafe, "a registry key or value name is not valid UTF-8");
  }
  return std::move(*utf16);
}

}  // namespace certbed::repair
