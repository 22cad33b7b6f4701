// Built-in emulated machines, each a support situation (the seed case first). All are
// deterministic: the same scenario always yields byte-identical certificates and thumbprints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certbed/emulator/machine/machine.h"

namespace certbed::emulator {

struct ScenarioInfo {
  std::string name;
  std::string description;
};

const std::vector<ScenarioInfo>& list_scenarios();
repair::Result<Machine> build_scenario(std::string_view name);

}  // namespace certbed::emulator
