// How every certbed program ends: its exit statuses, and an error reported on stderr.
#pragma once

#include "certbed/repair/model/result.h"

namespace certbed::cli {

// 0 ok; 1 findings or a failure; 2 a usage or input error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitInputError = 2;

// Prints "certbed: <error>" and returns the exit code for it (2 for input errors).
int report(const repair::Error& error);

}  // namespace certbed::cli
