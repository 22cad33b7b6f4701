// "Renew CA Certificate" on emulated CAs: the documented failure with KeySpec 2 on a KSP key,
// and what a successful renewal makes (root certificate or subordinate request).
#include "certbed/emulator/ca/ca_service.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {
namespace {

namespace wc = repair::wincrypt;

std::string bytes_of(const Machine& machine) {
  return serialize_snapshot(machine, SnapshotFormat::kBinary).value();
}

Machine scenario(const std::string& name) {
  auto machine = build_scenario(name);
  EXPECT_TRUE(machine.ok()) << machine.error().to_string();
  return std::move(machine).value();
}

const StoredCertificate& in_my(const Machine& machine, const std::string& sha1) {
  const auto* my = machine.find_store(StoreLocation::kLocalMachine, "My");
  const auto position = my->find_by_sha1(sha1);
  EXPECT_TRUE(position.has_value()) << sha1;
  return my->at(position.value_or(0));
}

repair::KeyProvInfo key_prov_info(const StoredCertificate& cert) {
  return cert.facts.key_prov_info().value().value();
}

EVP_PKEY* container_key(const Machine& machine, const repair::KeyProvInfo& info) {
  const auto* provider = machine.find_provider(info.provider);
  if (provider == nullptr) return nullptr;
  const auto* container = provider->find_container(info.container);
  if (container == nullptr || container->keys.empty()) return nullptr;
  return container->keys.front().key.get();
}

// The DER value (inside the extension's OCTET STRING) of the extension `oid`, or empty.
repair::Bytes extension_value(const X509* cert, std::string_view oid) {
  ossl::Asn1ObjectPtr object(OBJ_txt2obj(std::string(oid).c_str(), 1));
  const int at = X509_get_ext_by_OBJ(cert, object.get(), -1);
  if (at < 0) return {};
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert, at));
  return repair::Bytes(data->data, data->data + data->length);
}

bool has_event_containing(const RenewalOutcome& outcome, std::string_view text) {
  for (const auto& e : outcome.events) {
    if (e.text.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string all_events(const RenewalOutcome& outcome) {
  std::string out;
  for (const auto& e : outcome.events) out += e.text + "\n";
  return out;
}

RenewalOutcome renew(Machine& machine, bool reuse_keys) {
  RenewOptions options;
  options.reuse_keys = reuse_keys;
  auto outcome = renew_ca_certificate(machine, options);
  EXPECT_TRUE(outcome.ok()) << outcome.error().to_string();
  return std::move(outcome).value();
}

TEST(CaService, SeedReuseKeysFailsWithKeySpecTwoAndChangesNothing) {
  auto machine = scenario("ca-ksp-keyspec2");
  const std::string before = bytes_of(machine);
  const auto outcome = renew(machine, /*reuse_keys=*/true);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kKeySpecMismatch);
  EXPECT_EQ(outcome.failing_indexes, std::vector<std::uint32_t>{0});
  EXPECT_TRUE(outcome.request_pem.empty());
  EXPECT_TRUE(outcome.certificate_der.empty());
  EXPECT_TRUE(has_event_containing(
      outcome, "CA certificate index 0 (serial 1f3a5c7e9b2d4f6081a3c5e7092b4d6f, thumbprint "))
      << all_events(outcome);
  EXPECT_TRUE(has_event_containing(outcome, "KeySpec 2 (AT_SIGNATURE)")) << all_events(outcome);
  EXPECT_TRUE(has_event_containing(outcome, "no request was created")) << all_events(outcome);
  EXPECT_TRUE(has_event_containing(outcome, "started again on CA certificate index 0"));
  for (const auto& e : outcome.events) EXPECT_FALSE(e.windows_text) << e.text;
  EXPECT_EQ(bytes_of(machine), before);
}

TEST(CaService, HealthyRootReuseKeysSignsTheSameKeyAsVersionOneZero) {
  auto machine = scenario("ca-ksp-healthy");
  const std::string old_sha1 = machine.ca_configuration()->ca_cert_hashes.at(0);
  const auto& old_cert = in_my(machine, old_sha1);
  auto old_x509 = certificate_from_der(old_cert.der).value();
  const auto containers_before = machine.key_container_facts();
  EVP_PKEY* ca_key = container_key(machine, key_prov_info(old_cert));
  ASSERT_NE(ca_key, nullptr);

  const auto outcome = renew(machine, /*reuse_keys=*/true);
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  EXPECT_FALSE(outcome.subordinate);
  EXPECT_FALSE(outcome.new_key);
  EXPECT_EQ(outcome.version.cert_index, 1);
  EXPECT_EQ(outcome.version.key_index, 0);

  auto renewed = certificate_from_der(outcome.certificate_der).value();
  EXPECT_EQ(X509_verify(renewed.get(), ca_key), 1) << "signed by the existing CA key";
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(renewed.get()), ca_key), 1) << "same public key";
  EXPECT_EQ(
      X509_NAME_cmp(X509_get_subject_name(renewed.get()), X509_get_subject_name(old_x509.get())),
      0);
  EXPECT_EQ(
      X509_NAME_cmp(X509_get_issuer_name(renewed.get()), X509_get_subject_name(renewed.get())), 0);
  EXPECT_EQ(ASN1_INTEGER_cmp(X509_get0_serialNumber(renewed.get()),
                             X509_get0_serialNumber(old_x509.get())) != 0,
            true);
  // CA Version V1.0: X509_INTEGER 1; Previous CA Certificate Hash: OCTET STRING of the old SHA-1.
  EXPECT_EQ(extension_value(renewed.get(), wc::szOID_CERTSRV_CA_VERSION),
            (repair::Bytes{0x02, 0x01, 0x01}));
  repair::Bytes previous{0x04, 0x14};
  const auto old_hash = repair::parse_hex(old_sha1).value();
  previous.insert(previous.end(), old_hash.begin(), old_hash.end());
  EXPECT_EQ(extension_value(renewed.get(), wc::szOID_CERTSRV_PREVIOUS_CERT_HASH), previous);

  // Installed: My with property 2 on the same container and KeySpec 0, Root, CACertHash.
  const auto& installed = in_my(machine, outcome.certificate_sha1);
  EXPECT_EQ(installed.der, outcome.certificate_der);
  EXPECT_EQ(installed.facts.ca_version, 1u);
  const repair::KeyProvInfo expected{"Contoso CA",     std::string(wc::MS_KEY_STORAGE_PROVIDER),
                                     wc::PROV_CNG_KSP, wc::CRYPT_MACHINE_KEYSET,
                                     wc::AT_NONE,      {}};
  EXPECT_EQ(key_prov_info(installed), expected);
  EXPECT_EQ(outcome.key, expected);
  EXPECT_TRUE(machine.find_store(StoreLocation::kLocalMachine, "Root")
                  ->find_by_sha1(outcome.certificate_sha1)
                  .has_value());
  EXPECT_EQ(machine.ca_configuration()->ca_cert_hashes,
            (std::vector<std::string>{old_sha1, outcome.certificate_sha1}));
  EXPECT_EQ(machine.key_container_facts(), containers_before) << "no key was made";
  // Dates come from the current certificate, not the clock: one year later, same lifetime.
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(old_x509.get()),
                           X509_get0_notBefore(renewed.get())),
            1);
  EXPECT_EQ(days, 365);
  EXPECT_EQ(seconds, 0);
}

TEST(CaService, NewKeysGiveVersionOneOneInContainerCaNameOne) {
  auto machine = scenario("ca-ksp-healthy");
  const std::string old_sha1 = machine.ca_configuration()->ca_cert_hashes.at(0);
  const std::string old_key_id = in_my(machine, old_sha1).facts.public_key_id;
  const auto outcome = renew(machine, /*reuse_keys=*/false);
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  EXPECT_TRUE(outcome.new_key);
  EXPECT_EQ(outcome.version.cert_index, 1);
  EXPECT_EQ(outcome.version.key_index, 1);
  const auto& installed = in_my(machine, outcome.certificate_sha1);
  EXPECT_EQ(installed.facts.ca_version, 0x00010001u);
  const auto info = key_prov_info(installed);
  EXPECT_EQ(info.container, "Contoso CA(1)");
  EXPECT_EQ(info.key_spec, wc::AT_NONE);
  EXPECT_EQ(info.flags, wc::CRYPT_MACHINE_KEYSET);
  EVP_PKEY* new_key = container_key(machine, info);
  ASSERT_NE(new_key, nullptr);
  EXPECT_EQ(public_key_id(new_key), installed.facts.public_key_id);
  EXPECT_NE(installed.facts.public_key_id, old_key_id);
  auto renewed = certificate_from_der(outcome.certificate_der).value();
  EXPECT_EQ(X509_verify(renewed.get(), new_key), 1);
  // The old container is still there (the CA keeps its old keys for its old CRLs).
  EXPECT_NE(container_key(machine, key_prov_info(in_my(machine, old_sha1))), nullptr);
}

TEST(CaService, IndexesFollowTheCertificationAuthorityRenewalTable) {
  // install 0/0, new key 1/1, reuse 2/1, reuse 3/1, new key 4/4.
  auto machine = scenario("ca-ksp-healthy");
  const std::vector<std::pair<bool, std::string>> steps = {
      {false, "V1.1"}, {true, "V2.1"}, {true, "V3.1"}, {false, "V4.4"}};
  const std::vector<std::string> containers = {"Contoso CA(1)", "Contoso CA(1)", "Contoso CA(1)",
                                               "Contoso CA(4)"};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto outcome = renew(machine, steps[i].first);
    ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
    EXPECT_EQ(ca_version_string(outcome.version), steps[i].second);
    EXPECT_EQ(outcome.key.container, containers[i]);
  }
  EXPECT_EQ(machine.ca_configuration()->ca_cert_hashes.size(), 5u);
  EXPECT_EQ(machine.find_store(StoreLocation::kLocalMachine, "My")->size(), 5u);
}

TEST(CaService, NewKeysStillRenewWhenKeySpecIsTwoButWarn) {
  auto machine = scenario("ca-ksp-keyspec2");
  const auto outcome = renew(machine, /*reuse_keys=*/false);
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  bool warned = false;
  for (const auto& e : outcome.events) {
    warned = warned || (e.level == CaEvent::Level::kWarning &&
                        e.text.find("KeySpec 2 (AT_SIGNATURE)") != std::string::npos);
  }
  EXPECT_TRUE(warned) << all_events(outcome);
  EXPECT_EQ(key_prov_info(in_my(machine, outcome.certificate_sha1)).key_spec, wc::AT_NONE);
}

TEST(CaService, CspRootReuseKeepsTheCspKeySpec) {
  auto machine = scenario("ca-csp-keyspec1");
  const auto outcome = renew(machine, /*reuse_keys=*/true);
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  const auto info = key_prov_info(in_my(machine, outcome.certificate_sha1));
  EXPECT_EQ(info.provider, wc::MS_STRONG_PROV);
  EXPECT_EQ(info.provider_type, wc::PROV_RSA_FULL);
  EXPECT_EQ(info.key_spec, wc::AT_KEYEXCHANGE);
}

TEST(CaService, SubordinateReuseMakesAVerifiableRequestAndInstallsNothing) {
  auto machine = scenario("subca-ksp-healthy");
  const std::string before = bytes_of(machine);
  const auto& ca = in_my(machine, machine.ca_configuration()->ca_cert_hashes.at(0));
  auto ca_x509 = certificate_from_der(ca.der).value();
  EVP_PKEY* ca_key = container_key(machine, key_prov_info(ca));
  ASSERT_NE(ca_key, nullptr);

  const auto outcome = renew(machine, /*reuse_keys=*/true);
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  EXPECT_TRUE(outcome.subordinate);
  EXPECT_TRUE(outcome.certificate_der.empty());
  EXPECT_EQ(outcome.request_file_name, "ca01.contoso.com_Contoso Issuing CA(1).req");
  EXPECT_EQ(outcome.request_pem.rfind("-----BEGIN NEW CERTIFICATE REQUEST-----\n", 0), 0u)
      << outcome.request_pem;

  ossl::BioPtr bio(
      BIO_new_mem_buf(outcome.request_pem.data(), static_cast<int>(outcome.request_pem.size())));
  ossl::X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(request);
  EXPECT_EQ(X509_REQ_verify(request.get(), ca_key), 1) << "signed with the CA's existing key";
  EXPECT_EQ(
      X509_NAME_cmp(X509_REQ_get_subject_name(request.get()), X509_get_subject_name(ca_x509.get())),
      0);
  // The extension request carries CA Version V1.0.
  ossl::X509ExtStackPtr extensions(X509_REQ_get_extensions(request.get()));
  ossl::Asn1ObjectPtr ca_version(OBJ_txt2obj(std::string(wc::szOID_CERTSRV_CA_VERSION).c_str(), 1));
  const int at = X509v3_get_ext_by_OBJ(extensions.get(), ca_version.get(), -1);
  ASSERT_GE(at, 0);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509v3_get_ext(extensions.get(), at));
  EXPECT_EQ(repair::Bytes(value->data, value->data + value->length),
            (repair::Bytes{0x02, 0x01, 0x01}));

  EXPECT_EQ(bytes_of(machine), before) << "nothing is installed until the parent issues";
  EXPECT_TRUE(has_event_containing(outcome, "keeps CA certificate index 0"));
}

TEST(CaService, SubordinateWithKeySpecTwoMakesNoRequest) {
  auto machine = scenario("subca-ksp-keyspec2");
  const std::string before = bytes_of(machine);
  const auto outcome = renew(machine, /*reuse_keys=*/true);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kKeySpecMismatch);
  EXPECT_TRUE(outcome.request_pem.empty());
  EXPECT_TRUE(outcome.request_file_name.empty());
  EXPECT_EQ(bytes_of(machine), before);
}

TEST(CaService, SubordinateNewKeysRequestTheNewKeyAndKeepItsContainer) {
  auto machine = scenario("subca-ksp-healthy");
  const auto stores_before = machine.stores().size();
  const auto my_before = machine.find_store(StoreLocation::kLocalMachine, "My")->size();
  const auto hashes_before = machine.ca_configuration()->ca_cert_hashes;
  const auto outcome = renew(machine, /*reuse_keys=*/false);
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  EXPECT_EQ(outcome.key.container, "Contoso Issuing CA(1)");
  EXPECT_EQ(ca_version_string(outcome.version), "V1.1");
  EVP_PKEY* new_key = container_key(machine, outcome.key);
  ASSERT_NE(new_key, nullptr);
  ossl::BioPtr bio(
      BIO_new_mem_buf(outcome.request_pem.data(), static_cast<int>(outcome.request_pem.size())));
  ossl::X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(request);
  EXPECT_EQ(X509_REQ_verify(request.get(), new_key), 1);
  EXPECT_EQ(machine.stores().size(), stores_before);
  EXPECT_EQ(machine.find_store(StoreLocation::kLocalMachine, "My")->size(), my_before);
  EXPECT_EQ(machine.ca_configuration()->ca_cert_hashes, hashes_before);
}

TEST(CaService, EveryCaCertificateIndexNeedsKeySpecZero) {
  auto machine = scenario("ca-ksp-keyspec2-renewed");
  const auto hashes = machine.ca_configuration()->ca_cert_hashes;
  ASSERT_EQ(hashes.size(), 3u);
  EXPECT_EQ(key_prov_info(in_my(machine, hashes[0])).key_spec, wc::AT_SIGNATURE);
  EXPECT_EQ(key_prov_info(in_my(machine, hashes[1])).key_spec, wc::AT_SIGNATURE);
  EXPECT_EQ(key_prov_info(in_my(machine, hashes[2])).key_spec, wc::AT_NONE);
  EXPECT_EQ(in_my(machine, hashes[2]).facts.ca_version, 0x00010002u) << "V2.1";

  const std::string before = bytes_of(machine);
  auto outcome = renew(machine, /*reuse_keys=*/true);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failing_indexes, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(bytes_of(machine), before);

  // Repairing one old certificate is not enough; repairing both is.
  for (std::size_t index : {0u, 1u}) {
    auto& my = machine.store(StoreLocation::kLocalMachine, "My");
    const auto position = my.find_by_sha1(hashes[index]).value();
    auto info = key_prov_info(my.at(position));
    info.key_spec = wc::AT_NONE;
    my.properties(position).set(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                                repair::encode_key_prov_info(info).value());
    outcome = renew(machine, /*reuse_keys=*/true);
    if (index == 0) {
      EXPECT_FALSE(outcome.succeeded);
      EXPECT_EQ(outcome.failing_indexes, std::vector<std::uint32_t>{1});
    }
  }
  ASSERT_TRUE(outcome.succeeded) << all_events(outcome);
  EXPECT_EQ(ca_version_string(outcome.version), "V3.1");
  EXPECT_EQ(outcome.key.container, "Contoso CA(1)");
}

TEST(CaService, MissingCaCertificateFailsWithTheDocumentedEvent) {
  auto machine = scenario("ca-ksp-healthy");
  auto& hashes = machine.ca_configuration()->ca_cert_hashes;
  hashes.insert(hashes.begin(), std::string(40, 'a'));
  const std::string before = bytes_of(machine);
  const auto outcome = renew(machine, /*reuse_keys=*/false);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kCertificateMissing);
  EXPECT_EQ(outcome.failing_indexes, std::vector<std::uint32_t>{0});
  ASSERT_GE(outcome.events.size(), 2u);
  EXPECT_TRUE(outcome.events[1].windows_text);
  EXPECT_EQ(outcome.events[1].text,
            "Active Directory Certificate Services did not start: Could not load or verify the "
            "current CA certificate.  Contoso CA Keyset does not exist 0x80090016 (-2146893802 "
            "NTE_BAD_KEYSET).");
  EXPECT_TRUE(has_event_containing(outcome, "is not in LocalMachine\\My"));
  EXPECT_EQ(bytes_of(machine), before);
}

TEST(CaService, MissingKeyContainerFailsAndChangesNothing) {
  auto machine = scenario("ca-ksp-healthy");
  ASSERT_TRUE(machine.provider(wc::MS_KEY_STORAGE_PROVIDER).remove_container("Contoso CA"));
  const std::string before = bytes_of(machine);
  for (const bool reuse : {true, false}) {
    const auto outcome = renew(machine, reuse);
    EXPECT_FALSE(outcome.succeeded);
    EXPECT_EQ(outcome.failure, RenewalFailure::kKeyMissing);
    EXPECT_TRUE(has_event_containing(outcome, "NTE_BAD_KEYSET"));
    EXPECT_TRUE(has_event_containing(outcome, "names key container \"Contoso CA\""));
    EXPECT_EQ(bytes_of(machine), before);
  }
}

TEST(CaService, ExistingNewKeyContainerIsNotOverwritten) {
  auto machine = scenario("ca-ksp-healthy");
  ASSERT_TRUE(
      machine
          .create_container(
              wc::MS_KEY_STORAGE_PROVIDER, "Contoso CA(1)",
              {ContainerKey{0, KeySource::deterministic().next(KeyAlgorithm::kRsa2048).value()}},
              repair::KeyScope::kMachine, false)
          .ok());
  const std::string before = bytes_of(machine);
  const auto outcome = renew(machine, /*reuse_keys=*/false);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kContainerExists);
  EXPECT_EQ(bytes_of(machine), before);
}

TEST(CaService, RenewingTheSameMachineTwiceGivesIdenticalBytes) {
  for (const bool reuse : {true, false}) {
    auto a = scenario("ca-ksp-healthy");
    auto b = scenario("ca-ksp-healthy");
    const auto first = renew(a, reuse);
    const auto second = renew(b, reuse);
    ASSERT_TRUE(first.succeeded && second.succeeded);
    EXPECT_EQ(first.certificate_der, second.certificate_der);
    EXPECT_EQ(bytes_of(a), bytes_of(b));
  }
  auto a = scenario("subca-ksp-healthy");
  auto b = scenario("subca-ksp-healthy");
  EXPECT_EQ(renew(a, false).request_pem, renew(b, false).request_pem);
}

TEST(CaService, WithoutDeterminismKeysAndSerialsAreFresh) {
  auto a = scenario("ca-ksp-healthy");
  auto b = scenario("ca-ksp-healthy");
  RenewOptions options;
  options.deterministic = false;
  const auto first = renew_ca_certificate(a, options).value();
  const auto second = renew_ca_certificate(b, options).value();
  ASSERT_TRUE(first.succeeded && second.succeeded);
  const auto& x = in_my(a, first.certificate_sha1).facts;
  const auto& y = in_my(b, second.certificate_sha1).facts;
  EXPECT_NE(x.serial, y.serial);
  EXPECT_NE(x.public_key_id, y.public_key_id);
  EXPECT_EQ(x.not_before, y.not_before) << "dates never come from the clock";
}

TEST(CaService, RenewedMachineSurvivesASnapshotRoundTrip) {
  auto machine = scenario("subca-ksp-healthy");
  ASSERT_TRUE(renew(machine, false).succeeded);
  const std::string text = serialize_snapshot(machine, SnapshotFormat::kText).value();
  auto loaded = parse_snapshot(text, SnapshotFormat::kText, "renewed.textproto");
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_EQ(loaded->ca_configuration(), machine.ca_configuration());
  EXPECT_EQ(loaded->ca_configuration()->ca_type, ENUM_ENTERPRISE_SUBCA);
  EXPECT_EQ(loaded->ca_configuration()->server_name, "ca01.contoso.com");
  EXPECT_EQ(loaded->key_container_facts(), machine.key_container_facts());
}

TEST(CaService, InputsThatCannotBeRenewedAreErrors) {
  Machine no_ca;
  auto r = renew_ca_certificate(no_ca, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, repair::ErrorCode::kNotFound);

  auto machine = scenario("ca-ksp-healthy");
  machine.ca_configuration()->ca_type = 2;  // ENUM_UNUSED2
  EXPECT_EQ(renew_ca_certificate(machine, {}).error().code, repair::ErrorCode::kUnsupported);
  machine.ca_configuration()->ca_type = ENUM_STANDALONE_ROOTCA;
  machine.ca_configuration()->hash_algorithm = "MD2";
  EXPECT_EQ(renew_ca_certificate(machine, {}).error().code, repair::ErrorCode::kUnsupported);
  machine.ca_configuration()->hash_algorithm = "SHA384";
  EXPECT_TRUE(renew_ca_certificate(machine, {}).value().succeeded);
}

TEST(CaService, RequestFileNameFollowsTheCertEnrollShape) {
  CaConfiguration config;
  config.ca_name = "Contoso Issuing CA";
  config.server_name = "ca01.contoso.com";
  EXPECT_EQ(renewal_request_file_name(config, 0), "ca01.contoso.com_Contoso Issuing CA.req");
  EXPECT_EQ(renewal_request_file_name(config, 3), "ca01.contoso.com_Contoso Issuing CA(3).req");
  config.server_name.clear();
  config.ca_name = "A/B:C";
  EXPECT_EQ(renewal_request_file_name(config, 1), "A!002fB!003aC(1).req");
}

TEST(CaService, SeedStartsAndFailsInTheInferredReuseKeyStepWithTheLayersHresult) {
  auto machine = scenario("ca-ksp-keyspec2");
  // Start-up opens the key through CryptAcquireCertificatePrivateKey (CNG): the service runs.
  const auto started = start_ca_service(machine).value();
  EXPECT_TRUE(started.succeeded) << all_events(started);
  const auto outcome = renew(machine, /*reuse_keys=*/true);
  ASSERT_EQ(outcome.failure, RenewalFailure::kKeySpecMismatch);
  EXPECT_TRUE(has_event_containing(outcome, reuse_key_step_name())) << all_events(outcome);
  EXPECT_TRUE(has_event_containing(outcome, "[inferred")) << all_events(outcome);
  EXPECT_TRUE(has_event_containing(
      outcome,
      "CryptAcquireContext(\"Contoso CA\", \"Microsoft Software Key Storage Provider\", "
      "0, CRYPT_MACHINE_KEYSET) failed: Invalid provider type specified. 0x80090014 "
      "(-2146893804 NTE_BAD_PROV_TYPE)"))
      << all_events(outcome);
}

TEST(CaService, ContradictingCspProviderFailsStartUpAndRenewal) {
  auto machine = scenario("ca-csp-provider-mismatch");
  const std::string before = bytes_of(machine);
  const auto started = start_ca_service(machine).value();
  EXPECT_FALSE(started.succeeded);
  EXPECT_EQ(started.failure, RenewalFailure::kConfigurationMismatch);
  EXPECT_TRUE(has_event_containing(started,
                                   "names Provider \"Microsoft Strong Cryptographic "
                                   "Provider\" (ProviderType 1)"))
      << all_events(started);
  const auto outcome = renew(machine, /*reuse_keys=*/true);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kConfigurationMismatch);
  // No documented event text exists for this: every event is certbed's.
  for (const auto& e : outcome.events) EXPECT_FALSE(e.windows_text) << e.text;
  EXPECT_EQ(bytes_of(machine), before);
  // With a new key pair the configuration names where the new key is made.
  const auto moved = renew(machine, /*reuse_keys=*/false);
  ASSERT_TRUE(moved.succeeded) << all_events(moved);
  EXPECT_EQ(moved.key.provider, wc::MS_STRONG_PROV);
}

TEST(CaService, NewKeysInAProviderThatIsNotInstalledFail) {
  auto machine = scenario("ca-ksp-healthy");
  // The key stays where it is; only the provider for new keys is one the machine lacks.
  machine.ca_configuration()->provider = "Contoso Missing HSM Key Storage Provider";
  machine.ca_configuration()->provider_type = 0;
  const std::string before = bytes_of(machine);
  const auto outcome = renew(machine, /*reuse_keys=*/false);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kProviderMissing);
  EXPECT_TRUE(has_event_containing(outcome, "which is not installed")) << all_events(outcome);
  EXPECT_EQ(bytes_of(machine), before);
}

TEST(CaService, KeyOpenFailureNamesTheCallAndIsWindowsTextOnlyForNteBadKeyset) {
  auto machine = scenario("ca-csp-keyspec1");
  auto& my = machine.store(StoreLocation::kLocalMachine, "My");
  auto info = key_prov_info(my.at(0));
  info.key_spec = wc::AT_SIGNATURE;  // the container holds AT_KEYEXCHANGE only
  my.properties(0).set(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                       repair::encode_key_prov_info(info).value());
  const auto outcome = start_ca_service(machine).value();
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.failure, RenewalFailure::kKeyMissing);
  EXPECT_TRUE(has_event_containing(outcome,
                                   "failed: Key does not exist. 0x8009000d (-2146893811 "
                                   "NTE_NO_KEY)"))
      << all_events(outcome);
  for (const auto& e : outcome.events) EXPECT_FALSE(e.windows_text) << e.text;
}

}  // namespace
}  // namespace certbed::emulator
