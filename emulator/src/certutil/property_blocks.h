// The property blocks of `certutil -v -store`: one per property of a certificate, decoded the way
// certutil decodes each property id.
#pragma once

#include "certbed/emulator/machine/machine.h"
#include "certbed/repair/model/property_bag.h"
#include "dump_text.h"

namespace certbed::emulator::certutil {

void property_block(LineWriter& w, const repair::PropertyEntry& entry, const Machine& machine);

}  // namespace certbed::emulator::certutil
