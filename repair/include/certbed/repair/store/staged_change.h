// The checks every writable Store backend makes when a change is staged, so the emulator and
// crypt32 refuse the same changes with the same message.
#pragma once

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/result.h"

namespace certbed::repair {

// kInvalidArgument unless `id` may be stored as a property (1..0xFFFF except 32..35).
Status check_staged_property(PropertyId id);

// The property id check, then the value: property 2 must decode as a serialized
// CRYPT_KEY_PROV_INFO, as only such bytes can come from a real API call.
Status check_staged_value(PropertyId id, ByteView value);

}  // namespace certbed::repair
