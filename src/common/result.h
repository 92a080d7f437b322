#pragma once
// Result<T, E>: the return type of fallible control-path calls. Pure, any thread.
// Network input never throws; setup errors are values until they reach one boundary.

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace huddle {

// An error value: a module-specific code plus a sentence that names what failed and why.
template <typename Code>
struct Error {
  Code code;
  std::string message;
};

template <typename Code>
Error(Code, std::string) -> Error<Code>;

template <typename T, typename Code>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = Error<Code>;

  Result(T value)
      : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error<Code> error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] T& value() & {
    assert(ok());
    return std::get<0>(storage_);
  }
  [[nodiscard]] const T& value() const& {
    assert(ok());
    return std::get<0>(storage_);
  }
  [[nodiscard]] T&& value() && {
    assert(ok());
    return std::get<0>(std::move(storage_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const Error<Code>& error() const {
    assert(!ok());
    return std::get<1>(storage_);
  }
  [[nodiscard]] Code code() const { return error().code; }
  [[nodiscard]] const std::string& message() const { return error().message; }

 private:
  std::variant<T, Error<Code>> storage_;
};

// For calls that produce no value on success.
struct Ok {};

}  // namespace huddle
