#include "server/twirp/twirp_errors.h"

#include <array>
#include <nlohmann/json.hpp>

namespace huddle::server {
namespace {

struct CodeInfo {
  TwirpCode code;
  std::string_view name;
  int status;
};

// Statuses as twirp v8 pairs them with codes; several codes share one status, so the code in
// the body is what a client must look at.
constexpr std::array<CodeInfo, kTwirpCodeCount> kCodes{{
    {TwirpCode::Canceled, "canceled", 408},
    {TwirpCode::Unknown, "unknown", 500},
    {TwirpCode::InvalidArgument, "invalid_argument", 400},
    {TwirpCode::Malformed, "malformed", 400},
    {TwirpCode::DeadlineExceeded, "deadline_exceeded", 408},
    {TwirpCode::NotFound, "not_found", 404},
    {TwirpCode::BadRoute, "bad_route", 404},
    {TwirpCode::AlreadyExists, "already_exists", 409},
    {TwirpCode::PermissionDenied, "permission_denied", 403},
    {TwirpCode::Unauthenticated, "unauthenticated", 401},
    {TwirpCode::ResourceExhausted, "resource_exhausted", 429},
    {TwirpCode::FailedPrecondition, "failed_precondition", 412},
    {TwirpCode::Aborted, "aborted", 409},
    {TwirpCode::OutOfRange, "out_of_range", 400},
    {TwirpCode::Unimplemented, "unimplemented", 501},
    {TwirpCode::Internal, "internal", 500},
    {TwirpCode::Unavailable, "unavailable", 503},
    {TwirpCode::DataLoss, "dataloss", 500},
}};

const CodeInfo& info(TwirpCode code) { return kCodes[static_cast<std::size_t>(code)]; }

}  // namespace

std::string_view twirpCodeName(TwirpCode code) { return info(code).name; }

std::optional<TwirpCode> twirpCodeFromName(std::string_view name) {
  for (const auto& entry : kCodes) {
    if (entry.name == name) return entry.code;
  }
  return std::nullopt;
}

int twirpHttpStatus(TwirpCode code) { return info(code).status; }

std::string twirpErrorJson(TwirpCode code, std::string_view msg) {
  nlohmann::json body;
  body["code"] = std::string(twirpCodeName(code));
  // Messages may quote request input; replace invalid UTF-8 rather than throw.
  body["msg"] = std::string(msg);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace huddle::server
