// The emulated key-opening APIs: each documented path of CryptAcquireCertificatePrivateKey,
// CryptAcquireContext, CryptGetUserKey and NCryptOpenKey, its HRESULT, and the caller's rights.
#include "certbed/emulator/keys/key_access.h"

#include <gtest/gtest.h>

#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::emulator {
namespace {

namespace wc = repair::wincrypt;
namespace hr = hresult;

repair::CertFacts seed_ca(const Machine& machine) {
  return machine.find_store(StoreLocation::kLocalMachine, "My")->at(0).facts;
}

// The web scenarios' server certificate (after the CA's).
repair::CertFacts web_server(const Machine& machine) {
  return machine.find_store(StoreLocation::kLocalMachine, "My")->at(1).facts;
}

repair::CertFacts with_key_prov_info(repair::CertFacts facts, const repair::KeyProvInfo& info) {
  facts.properties.set(repair::PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
                       repair::encode_key_prov_info(info).value());
  return facts;
}

TEST(Hresult, ValuesSymbolsAndMessagesAreWindows) {
  EXPECT_EQ(certutil_hresult(hr::NTE_BAD_KEYSET), "0x80090016 (-2146893802 NTE_BAD_KEYSET)");
  EXPECT_EQ(hresult_message(hr::NTE_BAD_KEYSET), "Keyset does not exist");
  EXPECT_EQ(certutil_hresult(hr::NTE_BAD_PUBLIC_KEY),
            "0x80090015 (-2146893803 NTE_BAD_PUBLIC_KEY)");
  EXPECT_EQ(certutil_hresult(hr::CRYPT_E_NO_KEY_PROPERTY),
            "0x8009200b (-2146885621 CRYPT_E_NO_KEY_PROPERTY)");
  EXPECT_EQ(certutil_hresult(hr::E_ACCESSDENIED), "0x80070005 (-2147024891 E_ACCESSDENIED)");
  EXPECT_EQ(hresult_symbol(hr::NTE_KEYSET_NOT_DEF), "NTE_KEYSET_NOT_DEF");
  EXPECT_EQ(hresult_symbol(hr::NTE_PROV_TYPE_NOT_DEF), "NTE_PROV_TYPE_NOT_DEF");
  EXPECT_EQ(hresult_symbol(hr::NTE_BAD_PROV_TYPE), "NTE_BAD_PROV_TYPE");
  EXPECT_EQ(hresult_symbol(hr::NTE_NO_KEY), "NTE_NO_KEY");
  EXPECT_EQ(hresult_symbol(hr::NTE_PERM), "NTE_PERM");
  EXPECT_EQ(certutil_hresult(0x80091234), "0x80091234 (-2146889164)");
}

TEST(KeyAccess, WithoutNcryptFlagsAKspKeyDoesNotOpenThroughCryptoApi) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  const KeyAccess access(machine, Caller::administrator());
  const auto r = access.acquire_certificate_private_key(seed_ca(machine), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.hresult, hr::NTE_BAD_PROV_TYPE);
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_NE(r.steps[0].call.find("CryptAcquireContext"), std::string::npos);
}

TEST(KeyAccess, AllowNcryptTriesCryptoApiThenCngAndReturnsTheNcryptKeySpec) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  const KeyAccess access(machine, Caller::administrator());
  const auto r = access.acquire_certificate_private_key(
      seed_ca(machine), CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_COMPARE_KEY_FLAG);
  ASSERT_TRUE(r.ok()) << certutil_hresult(r.hresult);
  // A type-0 key with KeySpec 2 opens: the documented API has no failure for it.
  EXPECT_EQ(r.key->key_spec, CERT_NCRYPT_KEY_SPEC);
  EXPECT_TRUE(r.key->cng);
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[0].hresult, hr::NTE_BAD_PROV_TYPE);
  EXPECT_EQ(r.steps[1].call,
            "NCryptOpenStorageProvider(\"Microsoft Software Key Storage Provider\")");
  EXPECT_EQ(r.steps[2].call,
            "NCryptOpenKey(\"Contoso CA\", dwLegacyKeySpec 2, NCRYPT_MACHINE_KEY_FLAG)");
}

TEST(KeyAccess, PreferNcryptTriesCngFirstAndOnlyNcryptNeverUsesCryptoApi) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  const KeyAccess access(machine, Caller::administrator());
  const auto prefer = access.acquire_certificate_private_key(seed_ca(machine),
                                                             CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG);
  ASSERT_TRUE(prefer.ok());
  EXPECT_EQ(prefer.steps.size(), 2u);  // CNG succeeded first
  auto csp = build_scenario("ca-csp-keyspec1").value();
  const KeyAccess csp_access(csp, Caller::administrator());
  const auto only =
      csp_access.acquire_certificate_private_key(seed_ca(csp), CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG);
  // CNG opens a Microsoft RSA CSP's key, and says so with CERT_NCRYPT_KEY_SPEC.
  ASSERT_TRUE(only.ok()) << certutil_hresult(only.hresult);
  EXPECT_EQ(only.key->key_spec, CERT_NCRYPT_KEY_SPEC);
  const auto capi = csp_access.acquire_certificate_private_key(seed_ca(csp), 0);
  ASSERT_TRUE(capi.ok());
  EXPECT_EQ(capi.key->key_spec, wc::AT_KEYEXCHANGE);
  EXPECT_FALSE(capi.key->cng);
}

TEST(KeyAccess, NoKeyProvInfoIsCryptENoKeyProperty) {
  auto machine = build_scenario("web-lost-key-association").value();
  const KeyAccess access(machine, Caller::administrator());
  const auto r = access.acquire_certificate_private_key(web_server(machine),
                                                        CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG);
  EXPECT_EQ(r.hresult, hr::CRYPT_E_NO_KEY_PROPERTY);
}

TEST(KeyAccess, AMissingContainerIsNteBadKeyset) {
  auto machine = build_scenario("web-missing-keyset").value();
  const KeyAccess access(machine, Caller::administrator());
  const auto r = access.acquire_certificate_private_key(web_server(machine),
                                                        CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.hresult, hr::NTE_BAD_KEYSET);
}

TEST(KeyAccess, CryptAcquireContextChecksTypeProviderContainerAndSlot) {
  auto machine = build_scenario("ca-csp-keyspec1").value();
  const KeyAccess access(machine, Caller::administrator());
  const auto csp = seed_ca(machine).key_prov_info().value().value();
  EXPECT_EQ(access
                .crypt_acquire_context(csp.container, "Microsoft Software Key Storage Provider", 1,
                                       wc::CRYPT_MACHINE_KEYSET, 1)
                .hresult,
            hr::NTE_KEYSET_NOT_DEF);
  EXPECT_EQ(
      access.crypt_acquire_context(csp.container, csp.provider, 24, wc::CRYPT_MACHINE_KEYSET, 1)
          .hresult,
      hr::NTE_PROV_TYPE_NO_MATCH);
  EXPECT_EQ(access
                .crypt_acquire_context("no such container", csp.provider, csp.provider_type,
                                       wc::CRYPT_MACHINE_KEYSET, 1)
                .hresult,
            hr::NTE_BAD_KEYSET);
  // The user key set does not hold a machine key.
  EXPECT_EQ(
      access.crypt_acquire_context(csp.container, csp.provider, csp.provider_type, 0, 1).hresult,
      hr::NTE_BAD_KEYSET);
  // The container holds AT_KEYEXCHANGE only: CryptGetUserKey(AT_SIGNATURE) has no key.
  const auto slot = access.crypt_acquire_context(csp.container, csp.provider, csp.provider_type,
                                                 wc::CRYPT_MACHINE_KEYSET, wc::AT_SIGNATURE);
  EXPECT_EQ(slot.hresult, hr::NTE_NO_KEY);
  ASSERT_EQ(slot.steps.size(), 2u);
  EXPECT_EQ(slot.steps[0].hresult, hr::S_OK);
}

TEST(KeyAccess, CompareKeyFlagGivesNteBadPublicKeyForAnotherKey) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  auto facts = seed_ca(machine);
  facts.public_key_id = "00";  // stands for a certificate of another key pair
  const KeyAccess access(machine, Caller::administrator());
  EXPECT_TRUE(
      access.acquire_certificate_private_key(facts, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG).ok());
  EXPECT_EQ(access
                .acquire_certificate_private_key(
                    facts, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_COMPARE_KEY_FLAG)
                .hresult,
            hr::NTE_BAD_PUBLIC_KEY);
}

TEST(KeyAccess, MachineKeysAreReadableBySystemAndAdministratorsOnly) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  const auto facts = seed_ca(machine);
  for (const auto& caller : {Caller::system(), Caller::administrator()}) {
    EXPECT_TRUE(KeyAccess(machine, caller)
                    .acquire_certificate_private_key(facts, CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG)
                    .ok())
        << caller_name(caller);
  }
  for (const auto& caller :
       {Caller::standard_user(), Caller::service_account("NT AUTHORITY\\NETWORK SERVICE")}) {
    const auto r = KeyAccess(machine, caller)
                       .acquire_certificate_private_key(facts, CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG);
    EXPECT_EQ(r.hresult, hr::E_ACCESSDENIED) << caller_name(caller);
  }
  auto csp = build_scenario("ca-csp-keyspec1").value();
  EXPECT_EQ(KeyAccess(csp, Caller::standard_user())
                .acquire_certificate_private_key(seed_ca(csp), 0)
                .hresult,
            hr::NTE_BAD_KEYSET);
}

TEST(KeyAccess, AGrantedServiceAccountReadsTheKey) {
  auto machine = build_scenario("web-healthy").value();
  auto facts = web_server(machine);
  const auto info = facts.key_prov_info().value().value();
  auto& provider = machine.provider(info.provider);
  const KeyContainer* container = provider.find_container(info.container);
  ASSERT_NE(container, nullptr);
  KeyContainer copy = *container;
  copy.read_access = {"NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators", "nt service\\w3svc"};
  ASSERT_TRUE(provider.remove_container(info.container));
  ASSERT_TRUE(provider.add_container(copy).ok());
  EXPECT_TRUE(KeyAccess(machine, Caller::service_account("NT SERVICE\\W3SVC"))
                  .acquire_certificate_private_key(facts, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG)
                  .ok());
  EXPECT_FALSE(KeyAccess(machine, Caller::service_account("NT SERVICE\\MSSQLSERVER"))
                   .acquire_certificate_private_key(facts, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG)
                   .ok());
}

TEST(KeyAccess, ANotInstalledKspIsNotFound) {
  auto machine = build_scenario("ca-ksp-keyspec2").value();
  auto info = seed_ca(machine).key_prov_info().value().value();
  info.provider = "Contoso Missing HSM Key Storage Provider";
  const auto facts = with_key_prov_info(seed_ca(machine), info);
  const auto r = KeyAccess(machine, Caller::administrator())
                     .acquire_certificate_private_key(facts, CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG);
  EXPECT_EQ(r.hresult, hr::NTE_PROV_DLL_NOT_FOUND);
}

TEST(Caller, NamesParseBack) {
  for (const auto& caller : {Caller::system(), Caller::administrator(), Caller::standard_user(),
                             Caller::service_account("NT SERVICE\\W3SVC")}) {
    EXPECT_EQ(parse_caller(caller_name(caller)), caller);
  }
  EXPECT_FALSE(parse_caller("root"));
  EXPECT_FALSE(parse_caller("service:"));
}

}  // namespace
}  // namespace certbed::emulator
