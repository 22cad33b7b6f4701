// The serialized element format on a real Windows-written .sst, on every cut of it, and on
// hand-built elements for what that file does not hold (property 2, unknown ids, other
// encodings, a registry Blob).
#include "certbed/repair/formats/serialized/serialized_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "certbed/repair/model/key_prov_info.h"

namespace certbed::repair {
namespace {

const std::string kRealSst = "disallowedcert.sst";

Bytes read_real_sst() {
  const std::string path = std::string(CERTBED_SOURCE_DIR) + "/fixtures/sst/real/" + kRealSst;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void put_u32(Bytes& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

Bytes element(std::uint32_t id, std::uint32_t encoding, const Bytes& value) {
  Bytes out;
  put_u32(out, id);
  put_u32(out, encoding);
  put_u32(out, static_cast<std::uint32_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Bytes kHeader = {0, 0, 0, 0, 'C', 'E', 'R', 'T'};
const Bytes kEnd(12, 0);
const Bytes kDer = {0x30, 0x03, 0x02, 0x01, 0x01};  // stands for a certificate's DER

Bytes utf16z(const std::string& ascii) {
  Bytes out;
  for (char c : ascii) {
    out.push_back(static_cast<std::uint8_t>(c));
    out.push_back(0);
  }
  out.insert(out.end(), {0, 0});
  return out;
}

// The seed state's property 2 value as property-model.md 3.4 gives its bytes (verified on Wine
// 8): container at 0x1c, provider at 0x32, type 0, flags 0x20, no params, KeySpec 2.
Bytes seed_key_prov_value() {
  Bytes value;
  for (std::uint32_t v : {0x1cu, 0x32u, 0u, 0x20u, 0u, 0u, 2u}) put_u32(value, v);
  const Bytes container = utf16z("Contoso CA");
  const Bytes provider = utf16z("Microsoft Software Key Storage Provider");
  value.insert(value.end(), container.begin(), container.end());
  value.insert(value.end(), provider.begin(), provider.end());
  return value;
}

TEST(SerializedStore, RealWindowsFileReadsAs95CertificatesEachWithItsSha1Property) {
  auto store = parse_serialized_store(read_real_sst(), kRealSst);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ(store->form, SerializedForm::kStore);
  EXPECT_TRUE(store->end_element);
  ASSERT_EQ(store->contexts.size(), 95u);
  for (const auto& c : store->contexts) {
    EXPECT_EQ(c.id, kSerializedCertificateId);
    EXPECT_EQ(c.encoding, kSerializedEncoding);
    ASSERT_EQ(c.properties.size(), 1u);
    EXPECT_EQ(c.properties[0].id, 3u);
    EXPECT_EQ(c.properties[0].encoding, kSerializedEncoding);
    EXPECT_EQ(c.properties[0].value.size(), 20u);
    ASSERT_FALSE(c.encoded.empty());
    EXPECT_EQ(c.encoded[0], 0x30) << "a DER certificate starts with SEQUENCE";
  }
  // The first certificate's stored SHA-1, as the file's bytes 0x14..0x28 hold it.
  EXPECT_EQ(to_hex(store->contexts[0].properties[0].value),
            "9feb091e053d1c453c789e8e9c446d31cb177ed9");
  EXPECT_EQ(store->contexts[0].offset, 8u);
}

TEST(SerializedStore, RealWindowsFileWritesBackByteForByte) {
  const Bytes bytes = read_real_sst();
  auto store = parse_serialized_store(bytes, kRealSst);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ(write_serialized_store(*store), bytes);
}

// A cut file must never crash or read past its end: it is a located error, or (cut exactly
// after a context) a store without its end element that writes back as the same cut bytes.
TEST(SerializedStore, EveryCutOfTheRealFileIsALocatedErrorOrWritesBackAsTheCut) {
  const Bytes bytes = read_real_sst();
  std::size_t errors = 0, stores = 0;
  for (std::size_t n = 0; n < bytes.size(); n += (n < 4096 || n > bytes.size() - 4096) ? 1 : 97) {
    const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto store = parse_serialized_store(cut, kRealSst);
    if (store.ok()) {
      ++stores;
      EXPECT_EQ(write_serialized_store(*store), cut) << "cut at " << n;
      continue;
    }
    ++errors;
    EXPECT_EQ(store.error().code, ErrorCode::kParse) << "cut at " << n;
    ASSERT_TRUE(store.error().location.has_value()) << "cut at " << n;
    EXPECT_EQ(store.error().location->file, kRealSst);
    EXPECT_NE(store.error().message.find("offset 0x"), std::string::npos)
        << "cut at " << n << ": " << store.error().message;
  }
  EXPECT_GT(errors, 0u);
  EXPECT_GT(stores, 1u);  // the bare header, and each cut right after a certificate
}

TEST(SerializedStore, LengthPastTheEndIsALocatedErrorNamingTheElement) {
  Bytes bytes = read_real_sst();
  // The second certificate's SHA-1 element: header 8, then 12 + 20 + 12 + DER of the first.
  auto store = parse_serialized_store(bytes, kRealSst);
  ASSERT_TRUE(store.ok());
  const std::size_t second = store->contexts[1].offset;
  bytes[second + 8] = 0xf0;
  bytes[second + 9] = 0xff;
  bytes[second + 10] = 0xff;
  bytes[second + 11] = 0x0f;
  auto broken = parse_serialized_store(bytes, kRealSst);
  ASSERT_FALSE(broken.ok());
  char where[32];
  std::snprintf(where, sizeof where, "offset 0x%zx: ", second);
  EXPECT_EQ(broken.error().to_string(),
            kRealSst + ": " + where + "context 1, element 0 (id 3): its length 268435440 runs " +
                "past the end of the input (" + std::to_string(bytes.size() - second - 12) +
                " bytes are left after its header)");
}

TEST(SerializedStore, DataAfterTheEndElementIsRefused) {
  auto store =
      parse_serialized_store(concat({kHeader, element(32, 1, kDer), kEnd, Bytes{0x41}}), "x.sst");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().to_string(),
            "x.sst: offset 0x25: 1 byte(s) after the end element, which nothing reads");
}

TEST(SerializedStore, PropertiesWithNoCertificateAfterThemAreRefused) {
  const Bytes sha1(20, 0xab);
  auto before_end = parse_serialized_store(
      concat({kHeader, element(32, 1, kDer), element(3, 1, sha1), kEnd}), "x.sst");
  ASSERT_FALSE(before_end.ok());
  EXPECT_NE(before_end.error().message.find("offset 0x19: 1 property element(s) with no "
                                            "certificate, CRL or CTL element after them"),
            std::string::npos)
      << before_end.error().message;
  auto at_eof = parse_serialized_store(concat({kHeader, element(3, 1, sha1)}), "x.sst");
  ASSERT_FALSE(at_eof.ok());
  EXPECT_NE(at_eof.error().message.find("(the input is cut short)"), std::string::npos);
}

TEST(SerializedStore, IdZeroThatIsNotTheAllZeroEndElementIsRefused) {
  auto store = parse_serialized_store(concat({kHeader, element(0, 1, {})}), "x.sst");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("id 0 that is not the 12-byte all-zero end element"),
            std::string::npos);
}

TEST(SerializedStore, VersionZeroWithoutTheCertFileTypeIsRefused) {
  auto store = parse_serialized_store(Bytes{0, 0, 0, 0, 'C', 'E', 'R', 'X', 0, 0, 0, 0}, "x.sst");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().to_string(),
            "x.sst: offset 0x0: not a serialized store: it starts with version 0 but not with the "
            "file type \"CERT\"");
}

TEST(SerializedStore, UnknownIdsEncodingsAndElementOrderAreKept) {
  const Bytes input =
      concat({kHeader, element(0x8001, 7, {1, 2, 3}), element(2, 1, seed_key_prov_value()),
              element(1000, 1, {}), element(3, 1, Bytes(20, 0x11)), element(32, 2, kDer),
              element(33, 1, kDer), kEnd});
  auto store = parse_serialized_store(input, "x.sst");
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  ASSERT_EQ(store->contexts.size(), 2u);
  const auto& cert = store->contexts[0];
  ASSERT_EQ(cert.properties.size(), 4u);
  EXPECT_EQ(cert.properties[0], (SerializedProperty{0x8001, 7, {1, 2, 3}}));
  EXPECT_EQ(cert.properties[1].id, 2u);
  EXPECT_EQ(cert.properties[2], (SerializedProperty{1000, 1, {}}));
  EXPECT_EQ(cert.properties[3].id, 3u);
  EXPECT_EQ(cert.encoding, 2u);
  EXPECT_EQ(store->contexts[1].id, kSerializedCrlId);
  EXPECT_EQ(write_serialized_store(*store), input);

  auto info = decode_key_prov_info(cert.properties[1].value);
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->container, "Contoso CA");
  EXPECT_EQ(info->provider, "Microsoft Software Key Storage Provider");
  EXPECT_EQ(info->provider_type, 0u);
  EXPECT_EQ(info->flags, 0x20u);
  EXPECT_EQ(info->key_spec, 2u);
}

TEST(SerializedStore, OneSerializedCertificateIsReadAsARegistryBlob) {
  auto real = parse_serialized_store(read_real_sst(), kRealSst);
  ASSERT_TRUE(real.ok());
  const Bytes blob = write_serialized_element(real->contexts[4]);
  auto store = parse_serialized_store(blob, "Blob");
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ(store->form, SerializedForm::kElement);
  ASSERT_EQ(store->contexts.size(), 1u);
  EXPECT_EQ(store->contexts[0].properties, real->contexts[4].properties);
  EXPECT_EQ(store->contexts[0].encoded, real->contexts[4].encoded);
  EXPECT_EQ(write_serialized_store(*store), blob);

  auto context = parse_serialized_element(blob, "Blob");
  ASSERT_TRUE(context.ok()) << context.error().to_string();
  EXPECT_EQ(write_serialized_element(*context), blob);
}

TEST(SerializedStore, ElementReaderRefusesAStoreAndTwoCertificates) {
  auto store = parse_serialized_element(read_real_sst(), kRealSst);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("a serialized store"), std::string::npos);
  auto two = parse_serialized_element(concat({element(32, 1, kDer), element(32, 1, kDer)}), "b");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().to_string(),
            "b: offset 0x11: 2 contexts where one serialized certificate has one");
}

TEST(SerializedStore, NeitherAStoreNorAnElementSaysBoth) {
  auto store = parse_serialized_store(Bytes{'h', 'e', 'l', 'l', 'o'}, "notes.txt");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().to_string(),
            "notes.txt: neither a serialized store (no 00 00 00 00 \"CERT\" header) nor one "
            "serialized certificate: offset 0x0: context 0, element 0: the element header needs "
            "12 bytes, 5 are left (the file is cut short)");
}

}  // namespace
}  // namespace certbed::repair
