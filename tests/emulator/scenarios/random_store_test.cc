#include "certbed/emulator/scenarios/random_store.h"

#include <gtest/gtest.h>

#include <set>

#include "certbed/emulator/snapshot/snapshot.h"

namespace certbed::emulator {
namespace {

TEST(RandomMachine, IsReproducibleAndCoversEveryProviderKindAndKeySpec) {
  RandomStoreOptions options;
  options.certificates = 300;
  options.seed = 7;
  auto a = generate_random_machine(options);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  auto b = generate_random_machine(options).value();
  EXPECT_EQ(serialize_snapshot(*a, SnapshotFormat::kBinary).value(),
            serialize_snapshot(b, SnapshotFormat::kBinary).value());

  const auto& my = *a->find_store(StoreLocation::kLocalMachine, "My");
  ASSERT_EQ(my.size(), 300u);
  std::set<std::pair<std::uint32_t, std::uint32_t>> type_and_spec;
  std::size_t without_info = 0;
  bool odd_name = false;
  for (std::size_t i = 0; i < my.size(); ++i) {
    auto info = my.at(i).facts.key_prov_info().value();
    if (!info) {
      ++without_info;
      continue;
    }
    type_and_spec.insert({info->provider_type == 0 ? 0u : 1u, info->key_spec});
    odd_name = odd_name || info->container.find_first_of("&\"%^") != std::string::npos;
  }
  EXPECT_GT(without_info, 0u);
  EXPECT_TRUE(odd_name);
  for (auto expected : {std::pair{0u, 0u}, {0u, 1u}, {0u, 2u}, {1u, 1u}, {1u, 2u}}) {
    EXPECT_EQ(type_and_spec.count(expected), 1u) << expected.first << "/" << expected.second;
  }
  options.seed = 8;
  EXPECT_NE(
      serialize_snapshot(generate_random_machine(options).value(), SnapshotFormat::kBinary).value(),
      serialize_snapshot(b, SnapshotFormat::kBinary).value());
}

}  // namespace
}  // namespace certbed::emulator
