#include <gtest/gtest.h>

#include <fstream>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/certificates/certificate_facts.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/keys/key_source.h"
#include "support/process.h"

namespace certbed::emulator {
namespace {

using repair::PropertyId;

CertificateSpec root_spec() {
  CertificateSpec spec;
  spec.profile = CertificateProfile::kRootCa;
  spec.subject = DistinguishedName{{{"CN", "Contoso CA"}, {"DC", "Contoso"}, {"DC", "com"}}};
  spec.serial_hex = "1f3a5c7e9b2d4f6081a3c5e7092b4d6f";
  spec.not_before = utc_seconds(2024, 1, 15, 10);
  spec.not_after = utc_seconds(2034, 1, 15, 10);
  return spec;
}

ossl::SharedPkey pool_key(KeyAlgorithm algorithm, std::size_t skip = 0) {
  auto keys = KeySource::deterministic();
  for (std::size_t i = 0; i < skip; ++i) (void)keys.next(algorithm);
  return keys.next(algorithm).value();
}

TEST(CertificateFactory, RootCaHasTheExpectedFacts) {
  auto key = pool_key(KeyAlgorithm::kRsa2048);
  auto cert = issue_certificate(root_spec(), key.get(), std::nullopt, true);
  ASSERT_TRUE(cert.ok()) << cert.error().to_string();
  auto facts = decode_certificate_facts(certificate_der(cert->get()));
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->serial, "1f3a5c7e9b2d4f6081a3c5e7092b4d6f");
  EXPECT_EQ(facts->subject, "CN=Contoso CA, DC=Contoso, DC=com");
  EXPECT_EQ(facts->issuer, facts->subject);
  EXPECT_EQ(facts->not_before, "2024-01-15T10:00:00Z");
  EXPECT_EQ(facts->not_after, "2034-01-15T10:00:00Z");
  EXPECT_EQ(facts->is_ca, true);
  ASSERT_TRUE(facts->ca_version.has_value());
  EXPECT_EQ(*facts->ca_version, 0u);
  EXPECT_EQ(facts->public_key_id, public_key_id(key.get()));
  EXPECT_EQ(facts->sha1.size(), 40u);
  EXPECT_EQ(facts->sha256.size(), 64u);
  EXPECT_EQ(facts->signature_hash.size(), 64u);  // sha256RSA: a SHA-256 signature hash
}

TEST(CertificateFactory, DeterministicModeReproducesByteIdenticalCertificates) {
  auto key = pool_key(KeyAlgorithm::kRsa2048);
  auto a = issue_certificate(root_spec(), key.get(), std::nullopt, true);
  auto b = issue_certificate(root_spec(), key.get(), std::nullopt, true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(certificate_der(a->get()), certificate_der(b->get()));
}

TEST(CertificateFactory, DeterministicModeRefusesEcdsaSignaturesAndRandomSerials) {
  auto ec = pool_key(KeyAlgorithm::kEcP256);
  auto signed_by_ec = issue_certificate(root_spec(), ec.get(), std::nullopt, true);
  ASSERT_FALSE(signed_by_ec.ok());
  EXPECT_EQ(signed_by_ec.error().code, repair::ErrorCode::kUnsupported);

  auto spec = root_spec();
  spec.serial_hex.clear();
  auto rsa = pool_key(KeyAlgorithm::kRsa2048);
  EXPECT_FALSE(issue_certificate(spec, rsa.get(), std::nullopt, true).ok());
  EXPECT_TRUE(issue_certificate(spec, rsa.get(), std::nullopt, false).ok());
}

TEST(CertificateFactory, SubordinateAndEndEntityChainToTheirIssuer) {
  auto root_key = pool_key(KeyAlgorithm::kRsa2048);
  auto root = issue_certificate(root_spec(), root_key.get(), std::nullopt, true).value();

  auto sub_key = pool_key(KeyAlgorithm::kRsa3072);
  CertificateSpec sub = root_spec();
  sub.profile = CertificateProfile::kSubordinateCa;
  sub.subject = DistinguishedName{{{"CN", "Contoso Issuing CA 01"}, {"O", "Contoso"}}};
  sub.serial_hex = "610000000a";
  sub.path_length = 0;
  sub.ca_version = CaVersion{2, 1};
  auto sub_cert =
      issue_certificate(sub, sub_key.get(), IssuerRef{root.get(), root_key.get()}, true);
  ASSERT_TRUE(sub_cert.ok()) << sub_cert.error().to_string();
  EXPECT_EQ(X509_verify(sub_cert->get(), root_key.get()), 1);
  auto sub_facts = decode_certificate_facts(certificate_der(sub_cert->get())).value();
  EXPECT_EQ(sub_facts.issuer, "CN=Contoso CA, DC=Contoso, DC=com");
  EXPECT_EQ(sub_facts.is_ca, true);
  EXPECT_EQ(sub_facts.ca_version, (1u << 16) | 2u);

  auto leaf_key = pool_key(KeyAlgorithm::kEcP384);
  CertificateSpec leaf;
  leaf.subject = DistinguishedName{{{"CN", "sql01.contoso.com"}}};
  leaf.serial_hex = "0400ff";
  leaf.not_before = utc_seconds(2025, 1, 1);
  leaf.not_after = utc_seconds(2026, 1, 1);
  leaf.ekus = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"};
  leaf.dns_names = {"sql01.contoso.com"};
  auto leaf_cert =
      issue_certificate(leaf, leaf_key.get(), IssuerRef{sub_cert->get(), sub_key.get()}, true);
  ASSERT_TRUE(leaf_cert.ok()) << leaf_cert.error().to_string();
  EXPECT_EQ(X509_verify(leaf_cert->get(), sub_key.get()), 1);
  auto leaf_facts = decode_certificate_facts(certificate_der(leaf_cert->get())).value();
  EXPECT_EQ(leaf_facts.is_ca, false);
  EXPECT_FALSE(leaf_facts.ca_version.has_value());
  EXPECT_EQ(leaf_facts.serial, "0400ff");  // leading zero byte kept, as certutil prints it
  EXPECT_EQ(leaf_facts.ekus, (std::vector<std::string>{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}));
  EXPECT_EQ(leaf_facts.public_key_id, public_key_id(leaf_key.get()));
}

TEST(CertificateFactory, RejectsValuesThatWouldInjectConfigurationSyntax) {
  auto key = pool_key(KeyAlgorithm::kRsa2048);
  auto spec = root_spec();
  spec.dns_names = {"evil.com,DNS:other.com"};
  EXPECT_FALSE(issue_certificate(spec, key.get(), std::nullopt, true).ok());
  spec.dns_names.clear();
  spec.ekus = {"1.3.6.1.5.5.7.3.1,critical"};
  EXPECT_FALSE(issue_certificate(spec, key.get(), std::nullopt, true).ok());
}

TEST(CertificateFactory, NamesWithSeparatorsAreQuotedAsWindowsDisplaysThem) {
  auto key = pool_key(KeyAlgorithm::kRsa2048);
  auto spec = root_spec();
  spec.subject = DistinguishedName{{{"CN", "Contoso, \"Test\" CA"}, {"O", "R&D \xC3\x9C"}}};
  auto cert = issue_certificate(spec, key.get(), std::nullopt, true);
  ASSERT_TRUE(cert.ok()) << cert.error().to_string();
  auto facts = decode_certificate_facts(certificate_der(cert->get())).value();
  EXPECT_EQ(facts.subject, "CN=\"Contoso, \"\"Test\"\" CA\", O=R&D \xC3\x9C");
}

TEST(DerivedProperties, HashesMatchOpenSslCommandLine) {
  auto key = pool_key(KeyAlgorithm::kRsa2048);
  auto cert = issue_certificate(root_spec(), key.get(), std::nullopt, true).value();
  const auto der = certificate_der(cert.get());
  testing::TempDir dir;
  const auto path = dir.file("ca.der");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  auto out = testing::run_command("openssl x509 -inform DER -noout -fingerprint -sha1 -in " +
                                  testing::shell_quote(path));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  std::string fingerprint;
  for (char c : out.output.substr(out.output.find('=') + 1)) {
    if (c != ':' && c != '\n') fingerprint += static_cast<char>(std::tolower(c));
  }
  auto props = derived_properties(der).value();
  ASSERT_EQ(props[0].id, PropertyId::CERT_SHA1_HASH_PROP_ID);
  EXPECT_EQ(repair::to_hex(props[0].value), fingerprint);
  // The key identifier equals the SKI, which OpenSSL prints too.
  auto ski = testing::run_command("openssl x509 -inform DER -noout -ext subjectKeyIdentifier -in " +
                                  testing::shell_quote(path));
  std::string ski_hex;
  const auto body = ski.output.substr(ski.output.find('\n') + 1);
  for (char c : body) {
    if (std::isxdigit(static_cast<unsigned char>(c))) ski_hex += static_cast<char>(std::tolower(c));
  }
  ASSERT_EQ(props[1].id, PropertyId::CERT_KEY_IDENTIFIER_PROP_ID);
  EXPECT_EQ(repair::to_hex(props[1].value), ski_hex);
  ASSERT_EQ(props[3].id, PropertyId::CERT_MD5_HASH_PROP_ID);
  EXPECT_EQ(props[3].value, md5(der));
}

TEST(KeySource, PoolHasEveryAlgorithmAndCyclesDeterministically) {
  for (auto alg : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072, KeyAlgorithm::kRsa4096,
                   KeyAlgorithm::kEcP256, KeyAlgorithm::kEcP384}) {
    ASSERT_GT(KeySource::pool_size(alg), 0u) << key_algorithm_name(alg);
    auto a = KeySource::deterministic();
    auto b = KeySource::deterministic();
    auto ka = a.next(alg).value();
    auto kb = b.next(alg).value();
    EXPECT_EQ(public_key_id(ka.get()), public_key_id(kb.get()));
    EXPECT_EQ(key_algorithm_of(ka.get()).value(), alg);
  }
  auto keys = KeySource::deterministic();
  const auto first = public_key_id(keys.next(KeyAlgorithm::kRsa2048).value().get());
  const auto second = public_key_id(keys.next(KeyAlgorithm::kRsa2048).value().get());
  EXPECT_NE(first, second);
}

TEST(KeySource, RandomModeGeneratesFreshKeys) {
  auto keys = KeySource::random();
  auto a = keys.next(KeyAlgorithm::kEcP256).value();
  auto b = keys.next(KeyAlgorithm::kEcP256).value();
  EXPECT_NE(public_key_id(a.get()), public_key_id(b.get()));
}

}  // namespace
}  // namespace certbed::emulator
