#include "certbed/repair/rules/key_container_index.h"

#include <gtest/gtest.h>

#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/random_store.h"

namespace certbed::repair {
namespace {

KeyContainerFacts container(std::string provider, std::string name, std::uint32_t type,
                            std::vector<KeyFacts> keys) {
  KeyContainerFacts c;
  c.provider = std::move(provider);
  c.container = std::move(name);
  c.provider_type = type;
  c.unique_container = "unique-" + c.container;
  c.keys = std::move(keys);
  return c;
}

TEST(KeyContainerIndex, FindsByNameWithoutRegardToAsciiCase) {
  const KeyContainerIndex index({
      container("Microsoft Software Key Storage Provider", "Contoso-CA", 0,
                {{0, "RSA", 2048, "aa"}}),
      container("Microsoft Enhanced Cryptographic Provider v1.0", "web", 1,
                {{1, "RSA", 2048, "bb"}, {2, "RSA", 2048, "cc"}}),
  });
  ASSERT_EQ(index.size(), 2u);
  auto found = index.find("microsoft software key storage provider", "CONTOSO-ca");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->container, "Contoso-CA");
  EXPECT_EQ(found->unique_container, "unique-Contoso-CA");
  EXPECT_FALSE(index.find("Microsoft Software Key Storage Provider", "web").has_value());
  EXPECT_FALSE(index.find("Microsoft Software Key Storage Provider", "Contoso-CA2").has_value());
  // The provider and container boundary is part of the key.
  EXPECT_FALSE(index.find("Microsoft Software Key Storage ProviderContoso", "-CA").has_value());
}

TEST(KeyContainerIndex, FindsAContainerNamedByItsUniqueName) {
  // Property 2 of a CryptoAPI enrollment key names the unique name (real dumps 07 and 08).
  const KeyContainerIndex index({
      container("Microsoft RSA SChannel Cryptographic Provider", "te-DomainController-1", 12,
                {{1, "RSA", 2048, "aa"}}),
  });
  auto found =
      index.find("Microsoft RSA SChannel Cryptographic Provider", "UNIQUE-te-DomainController-1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->container, "te-DomainController-1");
  EXPECT_FALSE(index.find("Microsoft Software Key Storage Provider", "unique-te-DomainController-1")
                   .has_value());
}

TEST(KeyContainerIndex, FirstAddedWinsAndKeysComeInOrderAdded) {
  const KeyContainerIndex index({
      container("P", "c", 0, {{0, "RSA", 2048, "k1"}}),
      container("p", "C", 0, {{0, "RSA", 4096, "k2"}}),
      container("Q", "d", 1, {{1, "RSA", 2048, "k1"}, {2, "RSA", 2048, "k3"}}),
  });
  EXPECT_EQ(index.find("P", "c")->keys.at(0).bits, 2048u);
  const auto matches = index.with_key("k1");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].container.container, "c");
  EXPECT_EQ(matches[1].container.container, "d");
  EXPECT_EQ(matches[1].key.key_spec, 1u);
  EXPECT_EQ(index.with_key("k3").at(0).key.key_spec, 2u);
  EXPECT_TRUE(index.with_key("k4").empty());
  EXPECT_TRUE(index.with_key("").empty());
}

// Every container of a random machine comes back from the index exactly as it went in.
TEST(KeyContainerIndex, GivesBackEveryContainerOfARandomMachineUnchanged) {
  emulator::RandomStoreOptions options;
  options.certificates = 300;
  options.seed = 7;
  auto machine = emulator::generate_random_machine(options).value();
  emulator::EmulatedStore store(machine, emulator::StoreLocation::kLocalMachine, "My");
  const auto containers = store.key_containers();
  ASSERT_GT(containers.size(), 100u);
  const KeyContainerIndex index(containers);
  ASSERT_EQ(index.size(), containers.size());
  for (const auto& c : containers) {
    const auto found = index.find(c.provider, c.container);
    ASSERT_TRUE(found.has_value()) << c.container;
    EXPECT_EQ(*found, c);
    for (const auto& k : c.keys) {
      const auto matches = index.with_key(k.public_key_id);
      ASSERT_FALSE(matches.empty());
      EXPECT_TRUE(std::any_of(matches.begin(), matches.end(),
                              [&](const auto& m) { return m.container == c && m.key == k; }));
    }
  }
  EXPECT_GT(index.memory_bytes(), 0u);
}

}  // namespace
}  // namespace certbed::repair

namespace certbed::repair {
namespace {

TEST(KeyContainerIndex, CountKeyGivesTheFirstAndHowManyWithoutTheRest) {
  std::vector<KeyContainerFacts> containers;
  containers.reserve(500);
  for (int i = 0; i < 500; ++i) {
    containers.push_back(container("P", "c" + std::to_string(i), 0,
                                   {{0, "RSA", 2048, i % 2 == 0 ? "even" : "odd"}}));
  }
  const KeyContainerIndex index(containers);
  const auto even = index.count_key("even");
  EXPECT_EQ(even.count, 250u);
  ASSERT_TRUE(even.first.has_value());
  EXPECT_EQ(even.first->container.container, "c0");
  EXPECT_EQ(index.count_key("odd").first->container.container, "c1");
  EXPECT_EQ(index.count_key("none").count, 0u);
  EXPECT_FALSE(index.count_key("none").first.has_value());
  EXPECT_EQ(index.with_key("odd").size(), 250u);
  EXPECT_EQ(index.with_key("odd").back().container.container, "c499");
}

}  // namespace
}  // namespace certbed::repair
