// .reg files: read and written back byte for byte against a file Wine's reg.exe exported, and
// every malformed form a hand-edited export takes.
#include "certbed/repair/formats/registry/reg_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace certbed::repair {
namespace {

std::string read_fixture(const std::string& name) {
  const std::string path = std::string(CERTBED_SOURCE_DIR) + "/fixtures/registry/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string utf16(const std::string& ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

Result<RegFile> parse(const std::string& ascii) { return parse_reg_file(utf16(ascii), "t.reg"); }

Bytes sequence(std::size_t size, unsigned step) {
  Bytes out;
  for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<std::uint8_t>(i * step));
  return out;
}

TEST(RegFile, ReadsWhatWinesRegExportWrote) {
  auto file = parse_reg_file(read_fixture("wine-reg-export.reg"), "wine-reg-export.reg");
  ASSERT_TRUE(file) << file.error().to_string();
  ASSERT_EQ(file->keys.size(), 3u);
  EXPECT_EQ(file->keys[0].path, "HKEY_LOCAL_MACHINE\\SOFTWARE\\certbed-test");
  EXPECT_EQ(file->keys[0].line, 3u);
  EXPECT_EQ(file->keys[1].path, "HKEY_LOCAL_MACHINE\\SOFTWARE\\certbed-test\\Sub");
  EXPECT_TRUE(file->keys[1].values.empty());
  const auto& values = file->keys[0].values;
  ASSERT_EQ(values.size(), 6u);
  EXPECT_EQ(values[0].name, "");
  EXPECT_EQ(values[0].type, kRegSz);
  EXPECT_EQ(values[0].data, (Bytes{'d', 0, 'e', 0, 'f', 0, 'a', 0, 'u', 0, 'l', 0, 't', 0, 0, 0}));
  EXPECT_EQ(values[1].name, "Blob");
  EXPECT_EQ(values[1].type, kRegBinary);
  EXPECT_EQ(values[1].data, sequence(130, 7));
  EXPECT_EQ(values[2].name, "Empty");
  EXPECT_TRUE(values[2].data.empty());
  EXPECT_EQ(values[3].type, 7u);  // REG_MULTI_SZ as hex(7):
  EXPECT_EQ(values[3].data.size(), 18u);
  EXPECT_EQ(values[4].type, kRegDword);
  EXPECT_EQ(values[4].data, (Bytes{0x20, 0, 0, 0}));
  EXPECT_EQ(values[5].name, "Text");
  auto text = utf16le_to_utf8(ByteView(values[5].data.data(), values[5].data.size() - 2));
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "a \"quoted\" back\\slash");
  ASSERT_EQ(file->keys[2].values.size(), 1u);
  Bytes one_to_31;
  for (int i = 1; i <= 31; ++i) one_to_31.push_back(static_cast<std::uint8_t>(i));
  EXPECT_EQ(file->keys[2].values[0].data, one_to_31);
}

TEST(RegFile, WritesWhatWinesRegExportWroteByteForByte) {
  const std::string real = read_fixture("wine-reg-export.reg");
  auto file = parse_reg_file(real, "wine-reg-export.reg");
  ASSERT_TRUE(file) << file.error().to_string();
  auto written = write_reg_file(*file);
  ASSERT_TRUE(written) << written.error().to_string();
  EXPECT_EQ(std::string(written->begin(), written->end()), real);
}

TEST(RegFile, FoldsHexAfterTheCommaThatReaches77Characters) {
  RegFile file{
      {RegKey{"HKEY_LOCAL_MACHINE\\K", {RegValue{"Blob", kRegBinary, sequence(48, 1), 0}}, 0}}};
  auto written = write_reg_file(file);
  ASSERT_TRUE(written);
  auto text = utf16le_to_utf8(ByteView(written->data() + 2, written->size() - 2));
  ASSERT_TRUE(text);
  // "Blob"=hex: is 11 characters, so 22 bytes fill the first line to 77; then 25 a line.
  EXPECT_EQ(*text,
            "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\K]\r\n"
            "\"Blob\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,\\\r\n"
            "  16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a,2b,2c,2d,2e,\\\r\n"
            "  2f\r\n\r\n");
}

TEST(RegFile, ReadsRegedit4AndLfLineEndings) {
  auto file =
      parse_reg_file("REGEDIT4\n\n[HKEY_CURRENT_USER\\X]\n\"v\"=hex:01,02,\\\n  03\n", "t.reg");
  ASSERT_TRUE(file) << file.error().to_string();
  ASSERT_EQ(file->keys.size(), 1u);
  EXPECT_EQ(file->keys[0].values[0].data, (Bytes{1, 2, 3}));
}

void expect_error(const std::string& body, std::size_t line, const std::string& fragment) {
  auto file = parse(body);
  ASSERT_FALSE(file) << body;
  ASSERT_TRUE(file.error().location);
  EXPECT_EQ(file.error().location->file, "t.reg");
  EXPECT_EQ(file.error().location->line, line) << file.error().to_string();
  EXPECT_NE(file.error().message.find(fragment), std::string::npos) << file.error().to_string();
}

TEST(RegFile, MalformedInputIsALocatedError) {
  const std::string h = "Windows Registry Editor Version 5.00\r\n\r\n";
  expect_error("[HKEY_LOCAL_MACHINE\\X]\r\n", 1, "header");
  expect_error(h + "\"v\"=hex:01\r\n", 3, "before the first [key]");
  expect_error(h + "[HKEY_LOCAL_MACHINE\\X\r\n", 3, "closing ']'");
  expect_error(h + "[-HKEY_LOCAL_MACHINE\\X]\r\n", 3, "deletes a key");
  expect_error(h + "[K]\r\n\"v\"=-\r\n", 4, "deletes a value");
  expect_error(h + "[K]\r\n\"v\"=hex:01,2x\r\n", 4, "expected ',' between hex bytes");
  expect_error(h + "[K]\r\n\"v\"=hex:123\r\n", 4, "more than two digits");
  expect_error(h + "[K]\r\n\"v\"=hex:01,\\\r\n", 4, "ends inside hex data");
  expect_error(h + "[K]\r\n\"v=hex:01\r\n", 4, "closing '\"'");
  expect_error(h + "[K]\r\n\"v\"=qword:01\r\n", 4, "unknown form");
  expect_error(h + "[K]\r\n\"v\"=dword:123456789\r\n", 4, "1 to 8 hex digits");
  expect_error(h + "[K]\r\nv=1\r\n", 4, "expected a value");
  expect_error(h + "[K]\r\n\"v\"=hex(zz):01\r\n", 4, "hex(TYPE)");
}

TEST(RegFile, RefusesToWriteNamesThatWouldReadBackAsOthers) {
  for (const std::string path : {"HKEY_LOCAL_MACHINE\\A]\r\n[B", "A\nB", "-HKEY_LOCAL_MACHINE"}) {
    RegFile file{{RegKey{path, {}, 0}}};
    auto written = write_reg_file(file);
    ASSERT_FALSE(written) << path;
    EXPECT_EQ(written.error().code, ErrorCode::kUnsafe);
  }
  RegFile value{{RegKey{"K", {RegValue{"a\r\n[B]", kRegBinary, {}, 0}}, 0}}};
  EXPECT_FALSE(write_reg_file(value));
}

TEST(RegFile, QuotesInValueNamesRoundTrip) {
  RegFile file{{RegKey{"K", {RegValue{"say \"hi\" \\ there", kRegBinary, {1}, 0}}, 0}}};
  auto written = write_reg_file(file);
  ASSERT_TRUE(written);
  auto back = parse_reg_file(std::string(written->begin(), written->end()), "t.reg");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->keys[0].values[0].name, "say \"hi\" \\ there");
}

}  // namespace
}  // namespace certbed::repair
