// Prints a store as a table (the `store` and `demo` commands share it).
#pragma once

#include <ostream>

#include "certbed/repair/store/store.h"

namespace certbed::cli {

void print_store_table(std::ostream& out, const repair::ReadOnlyStore& store);

}  // namespace certbed::cli
