// CHECK for fuzz targets: an invariant violation prints what broke and aborts, so libFuzzer (and
// the replay program) report the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

// Always on (unlike assert): fuzz and replay builds may define NDEBUG.
#define CHECK(condition, message)                                                           \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s: %s\n", __FILE__, __LINE__, #condition, \
                   static_cast<const char*>(message));                                      \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
