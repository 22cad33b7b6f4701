// The built-in scenarios as test parameters, for suites that run once per scenario.
#pragma once

#include <string>
#include <vector>

#include "certbed/emulator/scenarios/scenarios.h"

namespace certbed::testing {

inline std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& s : emulator::list_scenarios()) names.push_back(s.name);
  return names;
}

// GoogleTest parameter names allow only letters, digits and '_': "ca-ksp-keyspec2" becomes
// "ca_ksp_keyspec2".
struct ScenarioTestName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    std::string name = info.param;
    for (auto& c : name) c = (c == '-') ? '_' : c;
    return name;
  }
};

}  // namespace certbed::testing
