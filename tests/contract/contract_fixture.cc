// The contract fixture's facts, as fixtures/contract/README.md describes how they were made.
#include "contract_fixture.h"

#include <algorithm>
#include <system_error>

#include "certbed/repair/model/wincrypt_constants.h"
#include "support/files.h"

namespace certbed::contract {

namespace wc = repair::wincrypt;
using repair::Bytes;
using repair::KeyProvInfo;
using repair::PropertyEntry;
using repair::PropertyId;

namespace {

KeyProvInfo ksp_info(std::string container, std::uint32_t key_spec) {
  return KeyProvInfo{std::move(container),
                     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                     wc::PROV_CNG_KSP,
                     wc::CRYPT_MACHINE_KEYSET,
                     key_spec,
                     {}};
}

// Friendly names are stored as UTF-16LE with the terminating NUL, as Windows writes them.
Bytes friendly_name(std::string_view utf8) {
  Bytes out = repair::utf8_to_utf16le(utf8).value();
  out.push_back(0);
  out.push_back(0);
  return out;
}

const std::string kContosoCa = "CN=Contoso CA, DC=Contoso, DC=com";
// The public keys of the committed pool's first two RSA keys (fixtures/keys/rsa2048-1.pem, -2).
const std::string kPoolKey1 = "739871542d097d60488c12efa7018e4a43efcf50";
const std::string kPoolKey2 = "07e00c276084b8d4b0a314ea76cf421a097c2ddf";

}  // namespace

std::vector<PropertyEntry> FixtureCertificate::properties() const {
  std::vector<PropertyEntry> out;
  if (key_prov_info) {
    out.push_back(PropertyEntry{PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                repair::encode_key_prov_info(*key_prov_info).value()});
  }
  out.insert(out.end(), other_properties.begin(), other_properties.end());
  return out;
}

const std::vector<FixtureCertificate>& fixture_certificates() {
  static const std::vector<FixtureCertificate> all = {
      {"contoso-ca-ksp.der",
       "1f3a5c7e9b2d4f6081a3c5e7092b4d6f",
       "5fb91336bddb21d9610a7045f4521fd52f0645fd",
       kContosoCa,
       kPoolKey1,
       ksp_info("Contoso CA", wc::AT_SIGNATURE),
       {PropertyEntry{kUnknownPropertyId,
                      Bytes{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 'c', 'e', 'r', 't', 0x0d, 0x0a}}}},
      {"contoso-ca-csp.der",
       "2b4d6f8091a3c5e7f9b1d3f5a7c9e1b3",
       "43d26ea5af388f6ba9fb455cc169a326d8a5a120",
       kContosoCa,
       kPoolKey1,
       KeyProvInfo{"Contoso CA",
                   std::string(wc::MS_STRONG_PROV),
                   wc::PROV_RSA_FULL,
                   wc::CRYPT_MACHINE_KEYSET,
                   wc::AT_KEYEXCHANGE,
                   {}},
       {}},
      {"web01.der",
       "610000000a1b2c3d4e5f60718293a4b5c6000a",
       "14ee7a7b9b68ca97f2d798db175c6775dfda28de",
       "CN=web01.contoso.com, O=Contoso",
       kPoolKey2,
       std::nullopt,
       {PropertyEntry{PropertyId::CERT_FRIENDLY_NAME_PROP_ID, friendly_name("web01 TLS")}}},
      {"contoso-ca-renewed-new-key.der",
       "0f76a6f12d84dfbcc5c2875b3ecaa186",
       "64ec77d8230322f4401aa013dd498f2cd0c411c6",
       kContosoCa,
       kPoolKey2,
       ksp_info("Contoso CA(1)", wc::AT_SIGNATURE),
       {}},
      {"contoso-ca-renewed-reused-key.der",
       "0f76a6f12d84dfbcc5c2875b3ecaa186",
       "7e46630dc0a50a038f4273ba339838057def3b64",
       kContosoCa,
       kPoolKey1,
       ksp_info("Contoso CA", wc::AT_NONE),
       {}},
  };
  return all;
}

std::vector<FixtureContainer> fixture_containers() {
  std::vector<FixtureContainer> out;
  for (const auto& cert : fixture_certificates()) {
    if (!cert.key_prov_info) continue;
    const auto& info = *cert.key_prov_info;
    out.push_back(FixtureContainer{info.provider, info.provider_type, info.container,
                                   info.is_ksp() ? wc::AT_NONE : info.key_spec,
                                   cert.public_key_id});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::filesystem::path fixture_dir() { return CERTBED_CONTRACT_FIXTURES; }

repair::Result<Bytes> read_fixture(const std::string& name) {
  const auto path = fixture_dir() / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return repair::make_error(repair::ErrorCode::kIo, path.string() + ": cannot read the file");
  }
  const std::string text = certbed::testing::slurp(path);
  return Bytes(text.begin(), text.end());
}

}  // namespace certbed::contract
