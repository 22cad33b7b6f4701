// Errors as values: every fallible call at a module boundary returns Result<T>.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace certbed::repair {

enum class ErrorCode {
  kInvalidArgument,  // the caller asked for something malformed
  kParse,            // input text or bytes do not follow their format
  kNotFound,         // a certificate, container, store or file does not exist
  kAmbiguous,        // an identifier matches more than one thing
  kConflict,         // the change would break an invariant (duplicate name, ...)
  kUnsafe,           // a value cannot be represented without risk of injection
  kUnsupported,      // valid, but this backend cannot do it
  kIo,               // reading or writing a file failed
  kInternal,         // a backend failed in a way the caller cannot fix
};

std::string_view error_code_name(ErrorCode code);

struct SourceLocation {
  std::string file;  // may be empty for in-memory input
  std::size_t line = 0;
  std::size_t column = 0;  // 0 when unknown

  bool operator==(const SourceLocation&) const = default;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::optional<SourceLocation> location;

  bool operator==(const Error&) const = default;
  // "file:line:col: message" (the location parts that are known).
  std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message), std::nullopt};
}
inline Error make_error(ErrorCode code, std::string message, SourceLocation location) {
  return Error{code, std::move(message), std::move(location)};
}

// A broken precondition (the value of an error, the error of a success, an index past the end) is
// a bug in the caller: it stops the program with "certbed: internal error: <what>" instead of
// being undefined or throwing across a module boundary.
[[noreturn]] void precondition_failed(const char* what);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return *checked_value(); }
  const T& value() const& { return *checked_value(); }
  T&& value() && { return std::move(*checked_value()); }
  const Error& error() const {
    const Error* error = std::get_if<1>(&state_);
    if (error == nullptr) precondition_failed("Result::error() called on a success");
    return *error;
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  T* checked_value() {
    T* value = std::get_if<0>(&state_);
    if (value == nullptr) precondition_failed("Result::value() called on an error");
    return value;
  }
  const T* checked_value() const {
    const T* value = std::get_if<0>(&state_);
    if (value == nullptr) precondition_failed("Result::value() called on an error");
    return value;
  }

  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (!error_) precondition_failed("Result<void>::error() called on a success");
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace certbed::repair
