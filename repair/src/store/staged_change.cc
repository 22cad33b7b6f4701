// The checks every writable Store backend makes when it stages a change.
#include "certbed/repair/store/staged_change.h"

#include <string>

#include "certbed/repair/model/key_prov_info.h"

namespace certbed::repair {

Status check_staged_property(PropertyId id) {
  if (is_settable_property_id(to_number(id))) return {};
  return make_error(ErrorCode::kInvalidArgument,
                    "property id " + std::to_string(to_number(id)) +
                        " cannot be set (valid ids are 1..65535 except 32..35)");
}

Status check_staged_value(PropertyId id, ByteView value) {
  if (auto ok = check_staged_property(id); !ok) return ok;
  if (id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
    if (auto decoded = decode_key_prov_info(value); !decoded) return decoded.error();
  }
  return {};
}

}  // namespace certbed::repair
