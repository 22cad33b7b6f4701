#include "certbed/emulator/scenarios/scenarios.h"

#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/snapshot/snapshot.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "support/scenario_list.h"

namespace certbed::emulator {
namespace {

namespace wc = repair::wincrypt;

TEST(Scenarios, SeedCaseHasAKspKeyWithKeySpecTwo) {
  auto machine = build_scenario("ca-ksp-keyspec2");
  ASSERT_TRUE(machine.ok()) << machine.error().to_string();
  EmulatedStore my(*machine, StoreLocation::kLocalMachine, "My");
  ASSERT_EQ(my.size(), 1u);
  const auto ca = my.certificate(0);
  EXPECT_EQ(ca.subject, "CN=Contoso CA, DC=Contoso, DC=com");
  EXPECT_EQ(ca.is_ca, true);
  const auto info = ca.key_prov_info().value().value();
  EXPECT_EQ(info.container, "Contoso CA");
  EXPECT_EQ(info.provider, wc::MS_KEY_STORAGE_PROVIDER);
  EXPECT_EQ(info.provider_type, 0u);
  EXPECT_EQ(info.flags, wc::CRYPT_MACHINE_KEYSET);
  EXPECT_EQ(info.key_spec, wc::AT_SIGNATURE);
  ASSERT_TRUE(machine->ca_configuration().has_value());
  EXPECT_EQ(machine->ca_configuration()->ca_cert_hashes, std::vector<std::string>{ca.sha1});
  EXPECT_EQ(machine->ca_configuration()->provider_type, 0u);
  // The CA certificate is trusted as a root as well, without a key link there.
  EmulatedStore root(*machine, StoreLocation::kLocalMachine, "Root");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root.certificate(0).sha1, ca.sha1);
  EXPECT_FALSE(root.certificate(0).key_prov_info().value().has_value());
}

TEST(Scenarios, HealthyTwinDiffersOnlyInKeySpec) {
  auto sick = build_scenario("ca-ksp-keyspec2").value();
  auto healthy = build_scenario("ca-ksp-healthy").value();
  EmulatedStore a(sick, StoreLocation::kLocalMachine, "My");
  EmulatedStore b(healthy, StoreLocation::kLocalMachine, "My");
  EXPECT_EQ(a.certificate(0).sha1, b.certificate(0).sha1);
  auto info_a = a.certificate(0).key_prov_info().value().value();
  auto info_b = b.certificate(0).key_prov_info().value().value();
  EXPECT_EQ(info_b.key_spec, 0u);
  info_a.key_spec = 0;
  EXPECT_EQ(info_a, info_b);
}

class EveryScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryScenario, IsDeterministic) {
  auto a = build_scenario(GetParam()).value();
  auto b = build_scenario(GetParam()).value();
  EXPECT_EQ(serialize_snapshot(a, SnapshotFormat::kBinary).value(),
            serialize_snapshot(b, SnapshotFormat::kBinary).value());
}

TEST_P(EveryScenario, EveryLinkedContainerHoldsTheCertificatesKey) {
  auto machine = build_scenario(GetParam()).value();
  for (const auto& [key, store] : machine.stores()) {
    for (std::size_t i = 0; i < store.size(); ++i) {
      const auto& facts = store.at(i).facts;
      auto info = facts.key_prov_info();
      ASSERT_TRUE(info.ok());
      if (!info->has_value()) continue;
      const auto* provider = machine.find_provider((*info)->provider);
      ASSERT_NE(provider, nullptr) << (*info)->provider;
      // CryptoAPI opens a container by its name or its unique name (PP_UNIQUE_CONTAINER).
      const auto* container = provider->find_container((*info)->container);
      if (container == nullptr)
        container = provider->find_container_by_unique_name((*info)->container);
      if (GetParam() == "web-missing-keyset" && facts.is_ca != true) {
        EXPECT_EQ(container, nullptr) << "this scenario's link must dangle";
        continue;
      }
      ASSERT_NE(container, nullptr) << (*info)->container;
      const auto container_facts = provider->facts(*container);
      const std::uint32_t spec =
          provider->info().kind == ProviderKind::kKsp ? 0 : (*info)->key_spec;
      ASSERT_NE(container_facts.find_key(spec), nullptr);
      EXPECT_EQ(container_facts.find_key(spec)->public_key_id, facts.public_key_id)
          << facts.subject;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, EveryScenario,
                         ::testing::ValuesIn(certbed::testing::scenario_names()),
                         certbed::testing::ScenarioTestName());

// The verbose dump's lines of the certificate at `index` of a store, from its X509 section.
std::string verbose_text_of(const Machine& machine, const std::string& store) {
  DumpOptions options;
  options.verbose = true;
  return render_store_dump(machine, *machine.find_store(StoreLocation::kLocalMachine, store),
                           options);
}

TEST(Scenarios, EnterpriseIssuedCertificatesCarryTheirTemplateCdpAndAia) {
  auto machine = build_scenario("enterprise-issued").value();
  const auto my = verbose_text_of(machine, "My");
  for (const char* line :
       {"        WebServer\n",
        "                       URL=ldap:///CN=Contoso Issuing CA 1,CN=PKI01,CN=CDP,CN=Public Key "
        "Services,CN=Services,CN=Configuration,DC=contoso,DC=com?certificateRevocationList?base?"
        "objectClass=cRLDistributionPoint (ldap:///CN=Contoso%20Issuing%20CA%201,CN=PKI01,CN=CDP,"
        "CN=Public%20Key%20Services,CN=Services,CN=Configuration,DC=contoso,DC=com?"
        "certificateRevocationList?base?objectClass=cRLDistributionPoint)\n",
        "             Access Method=Certification Authority Issuer (1.3.6.1.5.5.7.48.2)\n",
        "                  URL=http://PKI01.contoso.com/CertEnroll/PKI01.contoso.com_Contoso "
        "Issuing "
        "CA 1.crt (http://PKI01.contoso.com/CertEnroll/"
        "PKI01.contoso.com_Contoso%20Issuing%20CA%201.crt)\n"}) {
    EXPECT_NE(my.find(line), std::string::npos) << line << my;
  }
  const auto ca = verbose_text_of(machine, "CA");
  EXPECT_NE(ca.find("        SubCA\n"), std::string::npos) << ca;
  EXPECT_NE(ca.find("URL=http://pki.contoso.com/CertEnroll/Contoso Root CA.crl "
                    "(http://pki.contoso.com/CertEnroll/Contoso%20Root%20CA.crl)\n"),
            std::string::npos)
      << ca;
  // The domain controller's certificate carries its enterprise CA's locations too.
  const auto dc = verbose_text_of(build_scenario("dc-enterprise-my").value(), "My");
  EXPECT_NE(dc.find("URL=http://DC01.contoso.com/CertEnroll/Contoso-LTD-CA.crl\n"),
            std::string::npos)
      << dc;
}

TEST(Scenarios, UnknownNameListsTheKnownOnes) {
  auto r = build_scenario("nope");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ca-ksp-keyspec2"), std::string::npos);
}

}  // namespace
}  // namespace certbed::emulator
