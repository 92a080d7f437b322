#pragma once
// Reading a token's JSON payload into typed claims. Pure, any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/grants.h"

namespace huddle::auth {

// What verification needs from a payload. Type problems are recorded, not reported, so that the
// verifier can keep its order of checks (issuer, signature, dates, claims).
struct TokenPayload {
  std::string issuer;  // empty when absent or not a string
  std::optional<std::int64_t> expiresAt;
  std::optional<std::int64_t> notBefore;
  std::optional<std::int64_t> issuedAt;
  std::string jwtId;
  ClaimGrants grants;

  bool datesMalformed = false;  // exp, nbf or iat present but not a number
  bool jwtIdMalformed = false;
  std::optional<std::string> claimsError;  // a LiveKit claim of the wrong JSON type
};

// nullopt when the text is not a JSON object.
//
// Most tokens hold only string, integer, boolean and string-list claims; those are read by a
// streaming pass that builds no JSON tree. Anything else (unknown claims, roomConfig, sip,
// floats, nulls, wrong types, duplicated objects) is read through a full JSON tree.
[[nodiscard]] std::optional<TokenPayload> readTokenPayload(std::string_view text);

}  // namespace huddle::auth
