#pragma once
// Webhook request signing as LiveKit does it: the Authorization header carries a bare JWT
// (no "Bearer ") whose `sha256` claim is the base64 SHA-256 of the exact body. Pure, any thread.

#include <chrono>
#include <string>
#include <string_view>

#include "auth/access_token.h"

namespace huddle::auth {

inline constexpr std::chrono::seconds kWebhookTokenTtl = std::chrono::minutes(5);

// Standard base64 (padded) of SHA-256(body).
[[nodiscard]] std::string bodySha256Base64(std::string_view body);

[[nodiscard]] Result<std::string, TokenError> signWebhook(
    std::string_view body, const std::string& apiKey, const HmacSha256Key& secret,
    const Clock& clock = SystemClock::instance());

// Verifies the header token and that it covers this body.
[[nodiscard]] Result<VerifiedToken, TokenError> verifyWebhook(std::string_view body,
                                                              std::string_view authorization,
                                                              const TokenVerifier& verifier);

}  // namespace huddle::auth
