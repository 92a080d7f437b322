#pragma once
// Twirp error codes, their wire names and HTTP statuses. Pure, any thread.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace huddle::server {

enum class TwirpCode {
  Canceled,
  Unknown,
  InvalidArgument,
  Malformed,
  DeadlineExceeded,
  NotFound,
  BadRoute,
  AlreadyExists,
  PermissionDenied,
  Unauthenticated,
  ResourceExhausted,
  FailedPrecondition,
  Aborted,
  OutOfRange,
  Unimplemented,
  Internal,
  Unavailable,
  DataLoss,
};
inline constexpr std::size_t kTwirpCodeCount = 18;

// The snake_case name sent in the error body's "code".
[[nodiscard]] std::string_view twirpCodeName(TwirpCode code);
[[nodiscard]] std::optional<TwirpCode> twirpCodeFromName(std::string_view name);
// The status Twirp pairs with each code (canceled 408, not_found 404, ...).
[[nodiscard]] int twirpHttpStatus(TwirpCode code);

// The error body: {"code":"...","msg":"..."}.
[[nodiscard]] std::string twirpErrorJson(TwirpCode code, std::string_view msg);

}  // namespace huddle::server
