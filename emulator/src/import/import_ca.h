// The CA configuration of an imported machine, when its dump shows a CA's own certificates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certbed/emulator/machine/machine.h"
#include "record_plan.h"

namespace certbed::emulator::import {

// A CA shows in a dump as CA certificates (printed or inferred) with property 2 in
// LocalMachine\My (AD CS keeps its certificates there with their keys). With several such subjects,
// the one whose key opened, then the one with the latest certificate, is taken; each choice is
// noted. `imported_sha1[i]` is plans[i]'s new thumbprint, nullopt when it was not imported.
void set_ca_configuration(Machine& machine, const std::vector<PlannedCertificate>& plans,
                          const std::vector<std::optional<std::string>>& imported_sha1,
                          std::vector<std::string>& notes);

}  // namespace certbed::emulator::import
