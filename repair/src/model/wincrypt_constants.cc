// The KeySpec names certutil prints.
#include "certbed/repair/model/wincrypt_constants.h"

namespace certbed::repair::wincrypt {

std::string_view key_spec_name(std::uint32_t key_spec) {
  switch (key_spec) {
    case AT_NONE:
      return "XCN_AT_NONE";
    case AT_KEYEXCHANGE:
      return "AT_KEYEXCHANGE";
    case AT_SIGNATURE:
      return "AT_SIGNATURE";
    default:
      return "unknown";
  }
}

}  // namespace certbed::repair::wincrypt
