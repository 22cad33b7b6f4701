// Random machines: many certificates across KSPs and CSPs, every KeySpec, odd names.
#include "certbed/emulator/scenarios/random_store.h"

#include <random>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {

namespace wc = repair::wincrypt;
using repair::Result;

namespace {

const char* const kOddPieces[] = {
    "R&D",
    "\"quoted\"",
    "caf\xC3\xA9",
    "\xE6\x9C\xAC\xE5\x90\x8D",
    "100% sure",
    "a^b",
    "O'Brien",
    "semi;colon",
    "comma, here",
    "\xF0\x9F\x94\x91",
    "tab\tseparated",
    "inner  double  space",
    "x=y",
    "<angle>",
    "back\\slash",
    "plus+sign",
};

// X.509 caps a CN at 64 characters, so long names go only into containers and friendly names.
std::string pick_name(std::mt19937_64& rng, std::size_t index, bool odd, bool allow_long = true) {
  std::string name = "host" + std::to_string(index);
  if (!odd) return name;
  switch (rng() % 4) {
    case 0:
      return name;
    case 1:
      return name + " " + kOddPieces[rng() % std::size(kOddPieces)];
    case 2:
      return std::string(kOddPieces[rng() % std::size(kOddPieces)]) + " " + name;
    default:
      return allow_long ? name + "-" + std::string(200 + rng() % 200, 'L') : name;
  }
}

}  // namespace

Result<Machine> generate_random_machine(const RandomStoreOptions& options) {
  Machine machine;
  std::mt19937_64 rng(options.seed);
  auto keys = KeySource::deterministic();

  const bool deterministic = options.issuer_algorithm == KeyAlgorithm::kRsa2048 ||
                             options.issuer_algorithm == KeyAlgorithm::kRsa3072 ||
                             options.issuer_algorithm == KeyAlgorithm::kRsa4096;
  auto ca_key = keys.next(options.issuer_algorithm);
  if (!ca_key) return ca_key.error();
  CertificateSpec ca_spec;
  ca_spec.profile = CertificateProfile::kRootCa;
  ca_spec.subject = DistinguishedName{{{"CN", "Fabrikam Test Root"}, {"O", "Fabrikam"}}};
  ca_spec.serial_hex = "5a" + std::to_string(options.seed % 1000000);
  if (ca_spec.serial_hex.size() % 2) ca_spec.serial_hex += "0";
  ca_spec.not_before = utc_seconds(2023, 6, 1);
  ca_spec.not_after = utc_seconds(2043, 6, 1);
  auto ca = issue_certificate(ca_spec, ca_key->get(), std::nullopt, deterministic);
  if (!ca) return ca.error();
  auto root =
      machine.store(StoreLocation::kLocalMachine, "Root").add(certificate_der(ca->get()), {});
  if (!root) return root.error();

  const std::string third_party = "Contoso HSM Key Storage Provider";
  const std::vector<std::string> providers = {std::string(wc::MS_KEY_STORAGE_PROVIDER),
                                              std::string(wc::MS_PLATFORM_CRYPTO_PROVIDER),
                                              std::string(wc::MS_SMART_CARD_KEY_STORAGE_PROVIDER),
                                              third_party,
                                              std::string(wc::MS_ENHANCED_PROV),
                                              std::string(wc::MS_STRONG_PROV),
                                              std::string(wc::MS_ENH_RSA_AES_PROV)};
  const KeyAlgorithm algorithms[] = {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcP256,
                                     KeyAlgorithm::kRsa3072, KeyAlgorithm::kEcP384,
                                     KeyAlgorithm::kRsa4096};

  auto& my = machine.store(StoreLocation::kLocalMachine, "My");
  for (std::size_t i = 0; i < options.certificates; ++i) {
    const bool forced = options.keyspec2_at == i;
    const std::string& picked = providers[rng() % providers.size()];
    const std::string& provider_name = forced ? providers[0] : picked;
    auto& provider = machine.provider(provider_name);
    const bool csp = provider.info().kind == ProviderKind::kCsp;
    const KeyAlgorithm algorithm =
        csp ? KeyAlgorithm::kRsa2048 : algorithms[rng() % std::size(algorithms)];
    auto key = keys.next(algorithm);
    if (!key) return key.error();

    CertificateSpec spec;
    spec.subject = DistinguishedName{
        {{"CN", pick_name(rng, i, options.odd_names, false)},
         {"O", options.odd_names && rng() % 3 == 0 ? "Fabrikam & Co \"EU\"" : "Fabrikam"}}};
    // 8..19-byte serials with a fixed positive first byte, unique by index.
    char serial[48];
    std::snprintf(serial, sizeof(serial), "1%07zx%016llx", i,
                  static_cast<unsigned long long>(rng()));
    spec.serial_hex = serial;
    spec.not_before = utc_seconds(2025, 1, 1) + static_cast<std::int64_t>(rng() % 86400 * 30);
    spec.not_after = spec.not_before + 86400LL * 365;
    spec.ekus = {
        std::string(rng() % 2 ? wc::szOID_PKIX_KP_SERVER_AUTH : wc::szOID_PKIX_KP_CLIENT_AUTH)};
    auto cert =
        issue_certificate(spec, key->get(), IssuerRef{ca->get(), ca_key->get()}, deterministic);
    if (!cert) return cert.error();

    const std::string container =
        "c" + std::to_string(i) + "-" +
        (options.odd_names ? pick_name(rng, i, true) : std::string("key"));
    std::uint32_t key_spec = 0;
    std::vector<ContainerKey> container_keys;
    if (csp) {
      key_spec = rng() % 2 ? wc::AT_KEYEXCHANGE : wc::AT_SIGNATURE;
      container_keys.push_back(ContainerKey{key_spec, *key});
    } else {
      container_keys.push_back(ContainerKey{0, *key});
      // Mostly right (0), sometimes the seed's mistake (1 or 2).
      const auto roll = rng() % 10;
      key_spec = roll == 0 ? wc::AT_SIGNATURE : roll == 1 ? wc::AT_KEYEXCHANGE : wc::AT_NONE;
      if (options.healthy) key_spec = wc::AT_NONE;
      if (forced) key_spec = wc::AT_SIGNATURE;
    }
    auto created = machine.create_container(
        provider_name, container, std::move(container_keys),
        rng() % 5 ? repair::KeyScope::kMachine : repair::KeyScope::kUser, rng() % 2 == 0);
    if (!created) return created.error();

    repair::PropertyBag bag;
    auto link = rng() % 20;
    if (options.healthy || forced) link = 2;  // linked to the right container
    if (link != 0) {                          // 1 in 20 has lost its key association
      repair::KeyProvInfo info{link == 1 ? container + "-gone" : container,
                               provider_name,
                               provider.info().type,
                               wc::CRYPT_MACHINE_KEYSET,
                               key_spec,
                               {}};
      auto value = repair::encode_key_prov_info(info);
      if (!value) return value.error();
      bag.set(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID, std::move(*value));
    }
    if (rng() % 4 == 0) {
      auto friendly = repair::utf8_to_utf16le(pick_name(rng, i, options.odd_names));
      if (friendly) {
        friendly->push_back(0);
        friendly->push_back(0);
        bag.set(repair::PropertyId::CERT_FRIENDLY_NAME_PROP_ID, std::move(*friendly));
      }
    }
    auto added = my.add(cert->get(), certificate_der(cert->get()), std::move(bag));
    if (!added) return added.error();
  }
  return machine;
}

}  // namespace certbed::emulator
