// Reading fixture files whole, for tests that compare them or parse them.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace certbed::testing {

// The file's bytes, unchanged; empty when it cannot be read (the comparison then fails).
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace certbed::testing
