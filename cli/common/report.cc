// Error reports on stderr, with the exit status each kind of error gets.
#include "common/report.h"

#include <iostream>

namespace certbed::cli {

int report(const repair::Error& error) {
  std::cerr << "certbed: " << error.to_string() << "\n";
  return error.code == repair::ErrorCode::kInternal ? kExitFailure : kExitInputError;
}

}  // namespace certbed::cli
