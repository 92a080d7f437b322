#include "auth/webhook_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>

#include "common/base64.h"

namespace huddle::auth {

std::string bodySha256Base64(std::string_view body) {
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data());
  return encodeBase64(digest);
}

Result<std::string, TokenError> signWebhook(std::string_view body, const std::string& apiKey,
                                            const HmacSha256Key& secret, const Clock& clock) {
  ClaimGrants grants;
  grants.sha256 = bodySha256Base64(body);
  MintOptions options;
  options.apiKey = apiKey;
  options.ttl = kWebhookTokenTtl;
  return mintToken(grants, options, secret, clock);
}

Result<VerifiedToken, TokenError> verifyWebhook(std::string_view body,
                                                std::string_view authorization,
                                                const TokenVerifier& verifier) {
  auto verified = verifier.verify(authorization);
  if (!verified) return verified;
  const std::string actual = bodySha256Base64(body);
  const std::string& claimed = verified->grants.sha256;
  if (claimed.size() != actual.size() ||
      CRYPTO_memcmp(claimed.data(), actual.data(), actual.size()) != 0) {
    return Error{TokenError::BodyHashMismatch,
                 "webhook body does not match the token's sha256 claim"};
  }
  return verified;
}

}  // namespace huddle::auth
