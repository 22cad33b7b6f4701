#include "certbed/repair/formats/inf/property_inf.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CERTBED_SOURCE_DIR) + "/fixtures/inf/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

PropertyInf parse_ok(std::string_view text) {
  auto r = parse_property_inf(text, "test.inf");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? std::move(*r) : PropertyInf{};
}

Error parse_error(std::string_view text) {
  auto r = parse_property_inf(text, "test.inf");
  EXPECT_FALSE(r.ok()) << "expected an error for:\n" << text;
  return r.ok() ? Error{} : r.error();
}

const KeyProvText kSeedFix{"Contoso CA", std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20,
                           0};

TEST(PropertyInf, SeedKeyProvInfParsesToKeySpecZero) {
  const auto inf = parse_ok(fixture("KeyProv.inf"));
  ASSERT_EQ(inf.properties.size(), 1u);
  const auto& p = inf.properties[0];
  EXPECT_EQ(p.id, PropertyId::CERT_KEY_PROV_INFO_PROP_ID);
  EXPECT_EQ(p.kind, InfValueKind::kText);
  EXPECT_EQ(p.line, 2u);
  ASSERT_TRUE(p.key_provider.has_value());
  EXPECT_EQ(*p.key_provider, kSeedFix);
  auto decoded = decode_key_prov_info(p.value).value();
  EXPECT_EQ(
      decoded,
      (KeyProvInfo{"Contoso CA", std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20, 0, {}}));
  EXPECT_TRUE(inf.warnings.empty());
}

TEST(PropertyInf, Utf16NotepadFileParsesTheSameAsItsUtf8Twin) {
  const auto utf8 = parse_ok(fixture("KeyProv.inf"));
  const auto utf16 = parse_ok(fixture("KeyProv-utf16.inf"));
  EXPECT_EQ(utf16.encoding, "utf-16le");
  EXPECT_EQ(utf16.properties, utf8.properties);
  EXPECT_EQ(utf16.properties[0].line, utf8.properties[0].line);
}

TEST(PropertyInf, PastedDocumentationNoteIsAWarningNotPartOfTheValue) {
  const auto inf = parse_ok(fixture("KeyProv-article-verbatim.inf"));
  ASSERT_EQ(inf.properties.size(), 1u);
  EXPECT_EQ(inf.properties[0].key_provider->container, "CONTAINER_NAME");
  ASSERT_EQ(inf.warnings.size(), 1u);
  EXPECT_EQ(inf.warnings[0].line, 3u);
  EXPECT_NE(inf.warnings[0].message.find("// Replace"), std::string::npos);
}

TEST(PropertyInf, CertutilHelpExampleQuotedAndUnquotedFormsAgree) {
  const auto quoted = parse_ok(fixture("certutil-help-example.inf"));
  const auto unquoted = parse_ok(fixture("certutil-learn-unquoted.inf"));
  EXPECT_EQ(quoted.properties, unquoted.properties);
  ASSERT_EQ(quoted.properties.size(), 5u);
  // "19 = Empty" then "19 =": the later line wins, with a warning.
  const auto& archived = quoted.properties[0];
  EXPECT_EQ(to_number(archived.id), 19u);
  EXPECT_EQ(archived.kind, InfValueKind::kDelete);
  ASSERT_EQ(quoted.warnings.size(), 1u);
  EXPECT_EQ(quoted.warnings[0].line, 3u);
  const auto& friendly = quoted.properties[1];
  EXPECT_EQ(friendly.text, "Friendly Name");
  EXPECT_EQ(friendly.value, (Bytes{'F', 0, 'r', 0, 'i', 0, 'e', 0, 'n', 0, 'd', 0, 'l', 0,
                                   'y', 0, ' ', 0, 'N', 0, 'a', 0, 'm', 0, 'e', 0, 0,   0}));
  const auto& custom = quoted.properties[2];
  EXPECT_EQ(to_number(custom.id), 127u);
  ASSERT_EQ(custom.value.size(), 32u);
  EXPECT_EQ(custom.value[31], 0x1f);
  const auto& kp = quoted.properties[3];
  EXPECT_EQ(*kp.key_provider,
            (KeyProvText{"Container Name", "Microsoft Strong Cryptographic Provider", 1, 0, 2}));
  const auto& eku = quoted.properties[4];
  EXPECT_EQ(eku.ekus, (std::vector<std::string>{"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"}));
  EXPECT_EQ(decode_eku_list(eku.value).value(), eku.ekus);
}

TEST(PropertyInf, SectionAndKeyNamesAreCaseInsensitiveAndOtherSectionsAreSkipped) {
  const auto inf = parse_ok(
      "[Version]\nSignature=\"$Windows NT$\"\n[PROPERTIES]\n19 = EMPTY\n"
      "[Extensions]\n2.5.29.17 = \"{text}\"\n_CONTINUE_ = \"dns=x\"\n");
  ASSERT_EQ(inf.properties.size(), 1u);
  EXPECT_EQ(inf.properties[0].kind, InfValueKind::kEmpty);
  EXPECT_TRUE(inf.properties[0].value.empty());
}

TEST(PropertyInf, EmptyValueAndEmptyQuotesDelete) {
  const auto inf = parse_ok("[Properties]\n19 =\n11 = \"\" ; remove the friendly name\n");
  ASSERT_EQ(inf.properties.size(), 2u);
  EXPECT_EQ(inf.properties[0].kind, InfValueKind::kDelete);
  EXPECT_EQ(inf.properties[1].kind, InfValueKind::kDelete);
}

TEST(PropertyInf, QuotingRules) {
  // "" inside quotes is a quote; quoted and unquoted pieces join; ';' inside quotes is text;
  // tabs read as spaces; unquoted edge spaces go.
  const auto inf = parse_ok("[Properties]\n11 = \"{text}a \"\"b\"\"; c\"\n13 =\t{text}x\t y  \n");
  ASSERT_EQ(inf.properties.size(), 2u);
  EXPECT_EQ(inf.properties[0].text, "a \"b\"; c");
  EXPECT_EQ(inf.properties[1].text, "x  y");
}

TEST(PropertyInf, KeyProviderTextAcceptsSpacesCaseAndNumberBases) {
  const auto inf = parse_ok(
      "[Properties]\n2 = \"{text}\"\n _continue_ = \"  container =  My Key  &\"\n"
      " _continue_ = \"PROVIDER=Fabrikam HSM KSP&providertype = 0&FLAGS=0x60&keyspec=0&\"\n");
  EXPECT_EQ(*inf.properties[0].key_provider,
            (KeyProvText{"My Key", "Fabrikam HSM KSP", 0, 0x60, 0}));
}

TEST(PropertyInf, KeyProviderTextWithoutNumbersLeavesThemUnset) {
  const auto inf = parse_ok("[Properties]\n2 = \"{text}Container=c&Provider=p\"\n");
  const auto& kp = *inf.properties[0].key_provider;
  EXPECT_FALSE(kp.provider_type.has_value());
  EXPECT_FALSE(kp.key_spec.has_value());
  EXPECT_EQ(decode_key_prov_info(inf.properties[0].value).value().key_spec, 0u);
}

TEST(PropertyInf, BackslashContinuesALine) {
  const auto inf = parse_ok("[Properties]\n11 = \"{text}one \\\n two\"\n");
  EXPECT_EQ(inf.properties[0].text, "one  two");
}

TEST(PropertyInf, StringsSectionSubstitutes) {
  const auto inf =
      parse_ok("[Strings]\nname = \"Web Key\"\n[Properties]\n11 = \"{text}%name% 100%%\"\n");
  ASSERT_EQ(inf.properties.size(), 1u);
  EXPECT_EQ(inf.properties[0].text, "Web Key 100%");
}

struct BadInf {
  const char* text;
  std::size_t line;
  const char* message;
};

TEST(PropertyInf, ErrorsNameTheLineAndWhatWasExpected) {
  const BadInf cases[] = {
      {"[Properties]\n2 = \"{text}\n", 2, "closing '\"'"},
      {"19 = Empty\n", 1, "section name"},
      {"[Properties\n", 1, "']'"},
      {"[Properties]\n_continue_ = \"x\"\n", 2, "before any property"},
      {"[Properties]\nabc = Empty\n", 2, "property id"},
      {"[Properties]\n32 = Empty\n", 2, "property id"},
      {"[Properties]\n70000 = Empty\n", 2, "property id"},
      {"[Properties]\n11 = Friendly\n", 2, "expected \"{text}"},
      {"[Properties]\n127 = \"{hex}0g\"\n", 2, "hex byte pairs"},
      {"[Properties]\n127 = \"{hex}012\"\n", 2, "hex byte pairs"},
      {"[Properties]\n20 = \"{text}abc\"\n", 2, "{hex}"},
      {"[Properties]\n\n2 = \"{text}Container=c&Provider=p&KeySpec=AT_NONE\"\n", 3,
       "KeySpec must be a decimal or 0x hex number, found \"AT_NONE\""},
      {"[Properties]\n2 = \"{text}Container=c&Provider=p&KeySpec=3\"\n", 2,
       "KeySpec must be 0, 1 or 2"},
      {"[Properties]\n2 = \"{text}Container=c&Provider=p&Flags=020\"\n", 2, "Flags must be"},
      {"[Properties]\n2 = \"{text}Container=c&Provider=p&Colour=red\"\n", 2, "unknown key"},
      {"[Properties]\n2 = \"{text}Container=c&Container=d&Provider=p\"\n", 2, "twice"},
      {"[Properties]\n2 = \"{text}Provider=p\"\n", 2, "no Container"},
      {"[Properties]\n2 = \"{text}Container=c&&Provider=p\"\n", 2, "empty item"},
      {"[Properties]\n2 = \"{text}Container\"\n", 2, "Name=Value"},
      {"[Properties]\n9 = \"{text}1.3.6.1.5.5.7.3.1,serverAuth\"\n", 2, "dotted object identifier"},
      {"[Version]\n", 0, "no [Properties]"},
  };
  for (const auto& c : cases) {
    const auto e = parse_error(c.text);
    EXPECT_EQ(e.code, ErrorCode::kParse) << c.text;
    ASSERT_TRUE(e.location.has_value()) << c.text;
    EXPECT_EQ(e.location->file, "test.inf");
    EXPECT_EQ(e.location->line, c.line) << c.text << " -> " << e.to_string();
    EXPECT_NE(e.message.find(c.message), std::string::npos) << c.text << " -> " << e.to_string();
  }
}

TEST(PropertyInf, NonTextFilesAreRejected) {
  const auto e = parse_error(std::string("[Properties]\n11 = \"{text}\xff\xfe\"\n", 25));
  EXPECT_NE(e.to_string().find("test.inf"), std::string::npos);
}

TEST(PropertyInfWriter, WritesTheSeedFixThatParsesBack) {
  const KeyProvInfo info{
      "Contoso CA", std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20, 0, {}};
  const auto text = write_property_inf({inf_key_provider(info)}).value();
  EXPECT_EQ(text,
            "[Properties]\r\n2 = \"{text}\"\r\n"
            "  _continue_ = \"Container=Contoso CA&\"\r\n"
            "  _continue_ = \"Provider=Microsoft Software Key Storage Provider&\"\r\n"
            "  _continue_ = \"ProviderType=0&\"\r\n"
            "  _continue_ = \"Flags=0x20&\"\r\n"
            "  _continue_ = \"KeySpec=0\"\r\n");
  const auto back = parse_ok(text);
  ASSERT_EQ(back.properties.size(), 1u);
  EXPECT_EQ(back.properties[0], inf_key_provider(info));
  EXPECT_EQ(decode_key_prov_info(back.properties[0].value).value(), info);
}

TEST(PropertyInfWriter, EveryKindRoundTrips) {
  auto parsed = parse_ok(fixture("certutil-help-example.inf"));
  const auto text = write_property_inf(parsed.properties).value();
  EXPECT_EQ(parse_ok(text).properties, parsed.properties);
  std::vector<InfProperty> more = {inf_hex(static_cast<PropertyId>(0x8001), Bytes(100, 0xab)),
                                   inf_hex(PropertyId::CERT_ARCHIVED_PROP_ID, {})};
  more[1].kind = InfValueKind::kEmpty;
  EXPECT_EQ(parse_ok(write_property_inf(more).value()).properties, more);
}

TEST(PropertyInfWriter, UnicodeNamesSurvive) {
  const KeyProvInfo info{"cl\xC3\xA9 \xE6\x9C\xAC \xF0\x9F\x94\x91", "Fabrikam KSP", 0, 0, 0, {}};
  const auto back = parse_ok(write_property_inf({inf_key_provider(info)}).value());
  EXPECT_EQ(decode_key_prov_info(back.properties[0].value).value(), info);
}

TEST(PropertyInfWriter, RefusesValuesItCannotRepresentSafely) {
  for (const char* container : {"R&D key", "a \"quoted\" key", "line\r\nbreak", "x=y", "100%",
                                " leading", "trailing ", "bell\x07", "\xff"}) {
    const KeyProvInfo info{container, "Microsoft Software Key Storage Provider", 0, 0x20, 0, {}};
    auto r = write_property_inf({inf_key_provider(info)});
    ASSERT_FALSE(r.ok()) << container;
    EXPECT_EQ(r.error().code, ErrorCode::kUnsafe) << container;
  }
  InfProperty friendly;
  friendly.id = PropertyId::CERT_FRIENDLY_NAME_PROP_ID;
  friendly.kind = InfValueKind::kText;
  friendly.text = "name\" ; 19 = ";
  EXPECT_FALSE(write_property_inf({friendly}).ok());
  friendly.text = "ok name, with ; separators";
  EXPECT_TRUE(write_property_inf({friendly}).ok());
}

TEST(PropertyInfWriter, NonAsciiTextIsWrittenAsUtf16LeWithBomAndCrlf) {
  const KeyProvInfo info{"M\xC3\xBCller", "Fabrikam KSP", 0, 0x20, 0, {}};
  const auto text = write_property_inf({inf_key_provider(info)}).value();
  ASSERT_GE(text.size(), 2u);
  EXPECT_EQ(text.substr(0, 2), "\xFF\xFE");
  const auto utf8 = utf16le_to_utf8(to_bytes(text.substr(2))).value();
  EXPECT_EQ(utf8.substr(0, 14), "[Properties]\r\n");
  EXPECT_NE(utf8.find("  _continue_ = \"Container=M\xC3\xBCller&\"\r\n"), std::string::npos);
  for (std::size_t at = 0; (at = utf8.find('\n', at)) != std::string::npos; ++at) {
    EXPECT_EQ(utf8[at - 1], '\r') << "line end at " << at;
  }
  const auto back = parse_ok(text);
  EXPECT_EQ(back.encoding, "utf-16le");
  EXPECT_EQ(decode_key_prov_info(back.properties[0].value).value(), info);
}

TEST(PropertyInfWriter, AsciiOnlyTextStaysAscii) {
  const KeyProvInfo info{"Contoso CA", "Fabrikam KSP", 0, 0x20, 0, {}};
  const auto text = write_property_inf({inf_key_provider(info)}).value();
  EXPECT_EQ(text.substr(0, 12), "[Properties]");
}

TEST(PropertyInfWriter, RefusesAFieldLongerThanTheSetupApiLimit) {
  // "Container=" + name + "&" is one field: 500 characters of name make it 511.
  const KeyProvInfo fits{std::string(500, 'a'), "Fabrikam KSP", 0, 0, 0, {}};
  EXPECT_TRUE(write_property_inf({inf_key_provider(fits)}).ok());
  const KeyProvInfo too_long{std::string(501, 'a'), "Fabrikam KSP", 0, 0, 0, {}};
  auto r = write_property_inf({inf_key_provider(too_long)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsafe);
  EXPECT_NE(r.error().message.find("512 characters is longer than 511"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("4096"), std::string::npos);
  // Characters outside the BMP count twice, as UTF-16 code units.
  std::string astral;
  for (int i = 0; i < 250; ++i) astral += "\xF0\x9F\x94\x91";
  const KeyProvInfo units{astral + "aa", "Fabrikam KSP", 0, 0, 0, {}};  // 10 + 502 + 1
  EXPECT_FALSE(write_property_inf({inf_key_provider(units)}).ok());
  InfProperty friendly;
  friendly.id = PropertyId::CERT_FRIENDLY_NAME_PROP_ID;
  friendly.kind = InfValueKind::kText;
  friendly.text = std::string(3'000'000, 'x');
  EXPECT_FALSE(write_property_inf({friendly}).ok());
}

TEST(PropertyInfWriter, RefusesPropertyTwoWithProviderParameters) {
  KeyProvInfo info{"Contoso CA", "Fabrikam KSP", 0, 0x20, 0, {}};
  info.params.push_back(KeyProvParam{0x10, Bytes{1, 2, 3}, 0});
  auto r = write_property_inf({inf_key_provider(info)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsafe);
  EXPECT_NE(r.error().message.find("provider parameter"), std::string::npos) << r.error().message;
}

TEST(PropertyInf, NulCharacterIsALocatedError) {
  const std::string text =
      std::string("[Properties]\r\n2 = \"{text}Container=Con") + '\0' + "toso CA&Provider=P\"\r\n";
  const auto e = parse_error(text);
  EXPECT_EQ(e.location.value_or(SourceLocation{}).line, 2u);
  EXPECT_NE(e.message.find("NUL"), std::string::npos) << e.message;
  // The same in UTF-16.
  auto utf16 = utf8_to_utf16le(text).value();
  std::string bytes = "\xFF\xFE" + std::string(utf16.begin(), utf16.end());
  EXPECT_EQ(parse_error(bytes).location.value_or(SourceLocation{}).line, 2u);
}

TEST(PropertyInf, NonAsciiTextOutsideUtf16IsALocatedError) {
  const std::string utf8 =
      "[Properties]\r\n; ok\r\n2 = \"{text}Container=M\xC3\xBCller&Provider=P\"\r\n";
  for (const std::string& text : {utf8, "\xEF\xBB\xBF" + utf8}) {
    const auto e = parse_error(text);
    EXPECT_EQ(e.location.value_or(SourceLocation{}).line, 3u);
    EXPECT_NE(e.message.find("UTF-16LE"), std::string::npos) << e.message;
  }
  auto utf16 = utf8_to_utf16le(utf8).value();
  const auto back = parse_ok("\xFF\xFE" + std::string(utf16.begin(), utf16.end()));
  EXPECT_EQ(back.properties[0].key_provider->container, "M\xC3\xBCller");
}

TEST(PropertyInf, FieldLongerThanTheSetupApiLimitIsALocatedError) {
  const std::string ok = "[Properties]\r\n11 = \"{text}" + std::string(505, 'n') + "\"\r\n";
  EXPECT_EQ(parse_ok(ok).properties.size(), 1u);
  const std::string cut = "[Properties]\r\n11 = \"{text}" + std::string(506, 'n') + "\"\r\n";
  const auto e = parse_error(cut);
  EXPECT_EQ(e.location.value_or(SourceLocation{}).line, 2u);
  EXPECT_NE(e.message.find("longer than 511"), std::string::npos) << e.message;
}

TEST(Eku, EncodesAndDecodesDer) {
  const auto der = encode_eku_list({"1.3.6.1.5.5.7.3.1", "2.999.1"}).value();
  EXPECT_EQ(to_hex(der),
            "300f"
            "06082b06010505070301"
            "0603883701");
  EXPECT_EQ(decode_eku_list(der).value(),
            (std::vector<std::string>{"1.3.6.1.5.5.7.3.1", "2.999.1"}));
  EXPECT_FALSE(decode_eku_list(Bytes{0x30, 0x05, 0x06, 0x03, 0x2b}).ok());
  EXPECT_FALSE(encode_eku_list({"3.1"}).ok());
  EXPECT_FALSE(encode_eku_list({"1.40"}).ok());
}

}  // namespace
}  // namespace certbed::repair
