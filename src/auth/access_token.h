#pragma once
// LiveKit access tokens: JWT (JWS compact) signed with HS256, minted and verified.
// Pure, any thread: TokenVerifier only reads its key set and clock.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "auth/errors.h"
#include "auth/grants.h"
#include "auth/key_provider.h"
#include "common/clock.h"
#include "common/result.h"

namespace huddle::auth {

// Far above any real token (a few KiB with room config and attributes), far below what would
// let a client make us parse megabytes of JSON.
inline constexpr std::size_t kMaxTokenBytes = 64 * 1024;
inline constexpr std::chrono::seconds kDefaultTokenTtl = std::chrono::hours(6);
// LiveKit's server tolerates one minute of clock skew on exp/nbf.
inline constexpr std::chrono::seconds kDefaultLeeway = std::chrono::seconds(60);

struct MintOptions {
  std::string apiKey;
  std::chrono::seconds ttl = kDefaultTokenTtl;
  std::string jwtId;  // `jti`, written only when set (LiveKit's Node minter never sets it)
  bool setIssuedAt = true;
};

// Signs `grants` with the secret behind `options.apiKey`. Refuses a join grant without identity,
// as LiveKit's minters do.
[[nodiscard]] Result<std::string, TokenError> mintToken(
    const ClaimGrants& grants, const MintOptions& options, const HmacSha256Key& secret,
    const Clock& clock = SystemClock::instance());

class TokenVerifier final {
 public:
  // borrowed: keys and clock outlive the verifier
  TokenVerifier(const KeyProvider& keys, const Clock& clock,
                std::chrono::seconds leeway = kDefaultLeeway)
      : keys_(keys), clock_(clock), leeway_(leeway) {}

  [[nodiscard]] Result<VerifiedToken, TokenError> verify(std::string_view token) const;

 private:
  const KeyProvider& keys_;
  const Clock& clock_;
  std::chrono::seconds leeway_;
};

}  // namespace huddle::auth
