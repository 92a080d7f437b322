#include "auth/token_payload.h"

#include <gtest/gtest.h>

namespace huddle::auth {
namespace {

constexpr const char* kCommon =
    R"({"iss":"APIk","sub":"alice","name":"Alice","metadata":"m","kind":"agent","jti":"j1",)"
    R"("sha256":"h","roomPreset":"p","nbf":1700000000,"exp":1700003600,"iat":-5,)"
    R"("attributes":{"a":"1","b":"2"},"video":{"roomJoin":true,"room":"r","roomCreate":true,)"
    R"("roomList":true,"roomRecord":true,"roomAdmin":true,"ingressAdmin":true,"hidden":true,)"
    R"("recorder":true,"agent":true,"canPublish":false,"canSubscribe":true,"canPublishData":false,)"
    R"("canUpdateOwnMetadata":true,"canSubscribeMetrics":false,"canManageAgentSession":true,)"
    R"("canPublishSources":["camera","microphone"],"destinationRoom":"d"}})";

// The same claims with one the streaming reader does not know, which sends the payload down the
// JSON-tree path: both paths must read every shared claim identically.
TEST(TokenPayload, StreamingAndTreeReadersAgree) {
  std::string withUnknown = kCommon;
  withUnknown.insert(1, R"("observability":{"write":true},)");
  const auto fast = readTokenPayload(kCommon);
  const auto tree = readTokenPayload(withUnknown);
  ASSERT_TRUE(fast && tree);
  EXPECT_EQ(tree->grants.extraClaims, R"({"observability":{"write":true}})");
  EXPECT_TRUE(fast->grants.extraClaims.empty());
  ClaimGrants treeGrants = tree->grants;
  treeGrants.extraClaims.clear();
  EXPECT_EQ(fast->grants, treeGrants);
  EXPECT_EQ(fast->issuer, "APIk");
  EXPECT_EQ(fast->issuer, tree->issuer);
  EXPECT_EQ(fast->expiresAt, tree->expiresAt);
  EXPECT_EQ(fast->notBefore, tree->notBefore);
  EXPECT_EQ(fast->issuedAt, std::optional<std::int64_t>(-5));
  EXPECT_EQ(fast->issuedAt, tree->issuedAt);
  EXPECT_EQ(fast->jwtId, tree->jwtId);
  ASSERT_TRUE(fast->grants.video);
  EXPECT_EQ(fast->grants.video->canPublishSources,
            (std::vector<std::string>{"camera", "microphone"}));
  EXPECT_EQ(fast->grants.video->canPublish, std::optional<bool>(false));
  EXPECT_FALSE(fast->claimsError || fast->datesMalformed || fast->jwtIdMalformed);
}

TEST(TokenPayload, DuplicatedKeysResolveAsTheJsonTreeDoes) {
  // A repeated object is handed to the tree reader: the last one wins whole.
  const auto twice = readTokenPayload(R"({"video":{"roomJoin":true},"video":{"room":"b"}})");
  ASSERT_TRUE(twice && twice->grants.video);
  EXPECT_FALSE(twice->grants.video->roomJoin);
  EXPECT_EQ(twice->grants.video->room, "b");
  const auto sources = readTokenPayload(
      R"({"video":{"canPublishSources":["camera"],"canPublishSources":["microphone"]}})");
  ASSERT_TRUE(sources && sources->grants.video);
  EXPECT_EQ(sources->grants.video->canPublishSources, std::vector<std::string>{"microphone"});
}

TEST(TokenPayload, RecordsTypeProblemsInsteadOfFailing) {
  const auto floatDates = readTokenPayload(R"({"exp":1700000000.9,"nbf":null})");
  ASSERT_TRUE(floatDates);
  EXPECT_EQ(floatDates->expiresAt, std::optional<std::int64_t>(1700000000));
  EXPECT_FALSE(floatDates->notBefore);

  const auto badDate = readTokenPayload(R"({"exp":"soon"})");
  ASSERT_TRUE(badDate);
  EXPECT_TRUE(badDate->datesMalformed);

  const auto badJti = readTokenPayload(R"({"jti":7})");
  ASSERT_TRUE(badJti);
  EXPECT_TRUE(badJti->jwtIdMalformed);

  const auto badGrant = readTokenPayload(R"({"video":{"roomJoin":"yes"}})");
  ASSERT_TRUE(badGrant);
  ASSERT_TRUE(badGrant->claimsError);
  EXPECT_NE(badGrant->claimsError->find("roomJoin"), std::string::npos);

  const auto numericIssuer = readTokenPayload(R"({"iss":5})");
  ASSERT_TRUE(numericIssuer);
  EXPECT_TRUE(numericIssuer->issuer.empty());
}

TEST(TokenPayload, RejectsWhatIsNotAJsonObject) {
  for (const char* text : {"", "[]", "\"s\"", "42", "{", R"({"a":1} trailing)", "{\"a\":\xff}"}) {
    EXPECT_FALSE(readTokenPayload(text)) << text;
  }
}

}  // namespace
}  // namespace huddle::auth
