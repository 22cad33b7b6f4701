// render (emulator) -> parse (repair) gives back the facts of every certificate.
#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/scenarios/random_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/formats/dump/dump_parser.h"
#include "support/scenario_list.h"

namespace certbed::emulator {
namespace {

// Checks one store rendered in one layout; returns the number of certificates compared.
void expect_round_trip(const Machine& machine, const CertificateStore& store, bool verbose,
                       bool crlf) {
  DumpOptions options;
  options.verbose = verbose;
  options.crlf = crlf;
  options.typed_store_name = store.name();
  const std::string text = render_store_dump(machine, store, options);
  auto parsed = repair::parse_store_dump(text, "rendered");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const auto& [certs, summary] = *parsed;
  EXPECT_TRUE(summary.warnings.empty())
      << summary.warnings.size() << " warnings, first: " << summary.warnings[0].to_string();
  EXPECT_TRUE(summary.saw_completion_line);
  EXPECT_EQ(summary.store_name, store.name());
  ASSERT_EQ(certs.size(), store.size());
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto& facts = store.at(i).facts;
    const auto& c = certs[i];
    SCOPED_TRACE("certificate " + std::to_string(i) + " " + facts.subject);
    EXPECT_TRUE(c.complete);
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(c.serial, facts.serial);
    EXPECT_EQ(c.subject, facts.subject);
    EXPECT_EQ(c.issuer, facts.issuer);
    EXPECT_EQ(c.sha1, facts.sha1);
    EXPECT_EQ(c.not_before, certutil_date(facts.not_before));
    EXPECT_EQ(c.not_after, certutil_date(facts.not_after));
    if (verbose) {
      EXPECT_EQ(c.md5, facts.md5);
      EXPECT_EQ(c.sha256, facts.sha256);
      EXPECT_EQ(c.signature_hash, facts.signature_hash);
      EXPECT_EQ(c.key_id_hash_rfc_sha1, facts.public_key_id);
      EXPECT_EQ(c.is_ca, facts.is_ca);
      EXPECT_EQ(c.ekus, facts.ekus);
      ASSERT_EQ(c.properties.size(), facts.properties.size());
      for (std::size_t p = 0; p < c.properties.size(); ++p) {
        EXPECT_EQ(c.properties[p].id, repair::to_number(facts.properties.entries()[p].id));
      }
    }
    if (facts.ca_version) {
      EXPECT_EQ(c.ca_version, facts.ca_version);
    }
    auto info = facts.key_prov_info().value();
    ASSERT_EQ(c.key_provider.has_value(), info.has_value());
    if (info) {
      EXPECT_EQ(c.key_provider->container, info->container);
      EXPECT_EQ(c.key_provider->provider, info->provider);
      if (verbose) {
        EXPECT_EQ(c.key_provider->provider_type, info->provider_type);
        EXPECT_EQ(c.key_provider->flags, info->flags);
        EXPECT_EQ(c.key_provider->key_spec, info->key_spec);
        // The engine's view of the parsed record carries the same property 2.
        EXPECT_EQ(c.to_cert_facts().key_prov_info().value(), info);
      } else {
        EXPECT_FALSE(c.key_provider->key_spec.has_value());
      }
    } else {
      EXPECT_TRUE(c.no_key_provider_info);
    }
    EXPECT_FALSE(c.key_status.empty());
  }
}

class ScenarioRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioRoundTrip, EveryStoreInEveryLayout) {
  auto machine = build_scenario(GetParam()).value();
  for (const auto& [key, store] : machine.stores()) {
    if (store.size() == 0) continue;
    SCOPED_TRACE(store.description());
    for (bool verbose : {false, true}) {
      for (bool crlf : {false, true}) expect_round_trip(machine, store, verbose, crlf);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, ScenarioRoundTrip,
                         ::testing::ValuesIn(certbed::testing::scenario_names()),
                         certbed::testing::ScenarioTestName());

TEST(RandomStoreRoundTrip, ThousandCertificatesWithOddNamesVerboseAndNot) {
  RandomStoreOptions options;
  options.certificates = 1000;
  options.seed = 2026;
  auto machine = generate_random_machine(options);
  ASSERT_TRUE(machine.ok()) << machine.error().to_string();
  const auto& my = *machine->find_store(StoreLocation::kLocalMachine, "My");
  ASSERT_EQ(my.size(), 1000u);
  expect_round_trip(*machine, my, false, true);
  expect_round_trip(*machine, my, true, false);
}

}  // namespace
}  // namespace certbed::emulator
