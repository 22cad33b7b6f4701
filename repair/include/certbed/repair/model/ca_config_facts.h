// What the engine knows of a CA's configuration (the CertSvc registry key) on the store's machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace certbed::repair {

struct CaConfigFacts {
  std::string ca_name;
  std::string provider;                     // CSP\Provider
  std::uint32_t provider_type = 0;          // CSP\ProviderType
  std::vector<std::string> ca_cert_hashes;  // CACertHash, index order, lower-case hex

  bool operator==(const CaConfigFacts&) const = default;
};

}  // namespace certbed::repair
