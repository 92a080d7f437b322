#include "auth/access_token.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace huddle::auth {
namespace {

using namespace std::chrono_literals;
using testing::goldenKeys;
using testing::kApiKey;
using testing::withIdentity;

// Minted by livekit-server-sdk's jose (alg HS256, no typ) with secret kSecret at a fixed time:
// nbf 1700000000, exp 1700003600.
constexpr const char* kLiveKitToken =
    "eyJhbGciOiJIUzI1NiJ9."
    "eyJuYW1lIjoiQWxpY2UiLCJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6ImRlbW8iLCJjYW5QdWJsaXNoIjpmYW"
    "xz"
    "ZSwiY2FuUHVibGlzaFNvdXJjZXMiOlsiY2FtZXJhIl19LCJtZXRhZGF0YSI6Im0iLCJhdHRyaWJ1dGVzIjp7ImEiOiIxIn"
    "0s"
    "ImlzcyI6IkFQSWdvbGRlbiIsInN1YiI6ImFsaWNlIiwibmJmIjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDB9."
    "c6uSYqhjcmmwABAACFBG6hmDFpyHFKDZVCXJnmjcMgE";

ClaimGrants fullGrants() {
  ClaimGrants g;
  g.identity = "alice";
  g.name = "Alice A.";
  g.metadata = R"({"role":"host"})";
  g.attributes = {{"team", "blue"}, {"seat", "3"}};
  g.kind = "agent";
  g.kindDetails = {"forwarded"};
  VideoGrant v;
  v.roomCreate = v.roomList = v.roomRecord = v.roomAdmin = v.roomJoin = true;
  v.room = "standup";
  v.canPublish = true;
  v.canSubscribe = false;
  v.canPublishData = false;
  v.canPublishSources = {"camera", "screen_share"};
  v.canUpdateOwnMetadata = true;
  v.canSubscribeMetrics = true;
  v.canManageAgentSession = false;
  v.ingressAdmin = v.hidden = v.recorder = v.agent = true;
  v.destinationRoom = "overflow";
  g.video = v;
  g.sip = SipGrant{.admin = true, .call = true};
  g.roomPreset = "small";
  g.roomConfig = R"({"emptyTimeout":60,"maxParticipants":4})";
  g.extraClaims = R"({"observability":{"write":true}})";
  return g;
}

TEST(AccessToken, MintThenVerifyKeepsEveryClaim) {
  const KeyProvider keys = goldenKeys();
  ManualClock clock;
  MintOptions options;
  options.apiKey = kApiKey;
  options.jwtId = "tok-1";
  auto token = mintToken(fullGrants(), options, *keys.find(kApiKey), clock);
  ASSERT_TRUE(token) << token.message();

  const auto verified = TokenVerifier(keys, clock).verify(*token);
  ASSERT_TRUE(verified) << verified.message();
  EXPECT_EQ(verified->apiKey, kApiKey);
  EXPECT_EQ(verified->grants, fullGrants());
  EXPECT_EQ(verified->jwtId, "tok-1");
  EXPECT_EQ(verified->notBefore, clock.unixSeconds());
  EXPECT_EQ(verified->issuedAt, clock.unixSeconds());
  EXPECT_EQ(verified->expiresAt, clock.unixSeconds() + 6 * 3600);
}

TEST(AccessToken, VerifiesTokenMintedByLiveKitServerSdk) {
  const KeyProvider keys = goldenKeys();
  ManualClock clock(std::chrono::system_clock::time_point{1'700'000'100s});
  const auto verified = TokenVerifier(keys, clock).verify(kLiveKitToken);
  ASSERT_TRUE(verified) << verified.message();
  const ClaimGrants& g = verified->grants;
  EXPECT_EQ(g.identity, "alice");
  EXPECT_EQ(g.name, "Alice");
  EXPECT_EQ(g.metadata, "m");
  EXPECT_EQ(g.attributes.at("a"), "1");
  ASSERT_TRUE(g.video);
  EXPECT_TRUE(g.video->roomJoin);
  EXPECT_EQ(g.video->room, "demo");
  EXPECT_FALSE(g.video->effectiveCanPublish());
  EXPECT_FALSE(g.video->canPublishSource("camera"));  // publishing is off altogether
  EXPECT_EQ(verified->notBefore, 1'700'000'000);
  EXPECT_EQ(verified->expiresAt, 1'700'003'600);
}

TEST(AccessToken, RefusesJoinGrantWithoutIdentity) {
  const KeyProvider keys = goldenKeys();
  ClaimGrants g;
  g.video = VideoGrant{};
  g.video->roomJoin = true;
  MintOptions options;
  options.apiKey = kApiKey;
  const auto token = mintToken(g, options, *keys.find(kApiKey));
  ASSERT_FALSE(token);
  EXPECT_EQ(token.code(), TokenError::InvalidArgument);
}

TEST(AccessToken, RefusesClaimsThatAreNotUtf8) {
  const KeyProvider keys = goldenKeys();
  MintOptions options;
  options.apiKey = kApiKey;
  const auto token = mintToken(withIdentity("bad\xff\xfe"), options, *keys.find(kApiKey));
  ASSERT_FALSE(token);
  EXPECT_EQ(token.code(), TokenError::InvalidArgument);
}

TEST(AccessToken, LeewayAcceptsSmallClockSkew) {
  const KeyProvider keys = goldenKeys();
  ManualClock minter;
  MintOptions options;
  options.apiKey = kApiKey;
  options.ttl = 10s;
  const auto token = mintToken(withIdentity("bob"), options, *keys.find(kApiKey), minter);
  ASSERT_TRUE(token);

  ManualClock early = minter;
  early.advance(-30s);  // verifier's clock behind the minter's
  EXPECT_TRUE(TokenVerifier(keys, early, 60s).verify(*token));
  EXPECT_EQ(TokenVerifier(keys, early, 5s).verify(*token).code(), TokenError::NotYetValid);

  ManualClock late = minter;
  late.advance(40s);  // 30 s past exp
  EXPECT_TRUE(TokenVerifier(keys, late, 60s).verify(*token));
  EXPECT_EQ(TokenVerifier(keys, late, 5s).verify(*token).code(), TokenError::Expired);
}

TEST(VideoGrant, DefaultsFollowLiveKit) {
  const VideoGrant unset;
  EXPECT_TRUE(unset.effectiveCanPublish());
  EXPECT_TRUE(unset.effectiveCanSubscribe());
  EXPECT_TRUE(unset.effectiveCanPublishData());
  EXPECT_FALSE(unset.effectiveCanUpdateOwnMetadata());
  EXPECT_TRUE(unset.canPublishSource("screen_share"));

  VideoGrant noPublish;
  noPublish.canPublish = false;
  EXPECT_FALSE(noPublish.effectiveCanPublishData());  // data follows publish unless set
  noPublish.canPublishData = true;
  EXPECT_TRUE(noPublish.effectiveCanPublishData());

  VideoGrant cameraOnly;
  cameraOnly.canPublishSources = {"camera"};
  EXPECT_TRUE(cameraOnly.canPublishSource("camera"));
  EXPECT_FALSE(cameraOnly.canPublishSource("microphone"));
}

}  // namespace
}  // namespace huddle::auth
