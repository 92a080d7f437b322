#include "auth/webhook_auth.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace huddle::auth {
namespace {

using testing::goldenKeys;
using testing::kApiKey;

TEST(WebhookAuth, BodyHashIsStandardBase64OfSha256) {
  // SHA-256("abc") from FIPS 180-2, base64-encoded.
  EXPECT_EQ(bodySha256Base64("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

TEST(WebhookAuth, SignedBodyVerifiesAndOtherBodiesDoNot) {
  const KeyProvider keys = goldenKeys();
  ManualClock clock;
  const std::string body = R"({"event":"room_started","room":{"name":"demo"}})";
  const auto header = signWebhook(body, kApiKey, *keys.find(kApiKey), clock);
  ASSERT_TRUE(header);
  const TokenVerifier verifier(keys, clock);

  const auto ok = verifyWebhook(body, *header, verifier);
  ASSERT_TRUE(ok) << ok.message();
  EXPECT_EQ(ok->expiresAt - ok->notBefore, kWebhookTokenTtl.count());

  EXPECT_EQ(verifyWebhook(body + " ", *header, verifier).code(), TokenError::BodyHashMismatch);
  EXPECT_EQ(verifyWebhook(body, "Bearer " + *header, verifier).code(), TokenError::InvalidEncoding);
}

}  // namespace
}  // namespace huddle::auth
