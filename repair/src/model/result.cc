// Error codes' names, error messages, and the stop on a misused Result.
#include "certbed/repair/model/result.h"

#include <cstdio>
#include <cstdlib>

namespace certbed::repair {

void precondition_failed(const char* what) {
  std::fputs("certbed: internal error: ", stderr);
  std::fputs(what, stderr);
  std::fputs("\n", stderr);
  std::abort();
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid-argument";
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kAmbiguous:
      return "ambiguous";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnsafe:
      return "unsafe";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out;
  if (location) {
    if (!location->file.empty()) out += location->file + ":";
    if (location->line != 0) {
      out += std::to_string(location->line) + ":";
      if (location->column != 0) out += std::to_string(location->column) + ":";
    }
    if (!out.empty()) out += " ";
  }
  out += message;
  return out;
}

}  // namespace certbed::repair
