// Every way a token can be wrong maps to its own TokenError, and none of them throws.
#include <gtest/gtest.h>

#include "auth/access_token.h"
#include "common/base64.h"
#include "test_keys.h"

namespace huddle::auth {
namespace {

using namespace std::chrono_literals;
using testing::goldenKeys;
using testing::kApiKey;
using testing::withIdentity;

class BadToken : public ::testing::Test {
 protected:
  std::string mint(const ClaimGrants& grants = withIdentity("carol"),
                   std::chrono::seconds ttl = 3600s) {
    MintOptions options;
    options.apiKey = kApiKey;
    options.ttl = ttl;
    return mintToken(grants, options, *keys_.find(kApiKey), clock_).value();
  }
  TokenError reject(std::string_view token) {
    const auto result = TokenVerifier(keys_, clock_).verify(token);
    EXPECT_FALSE(result) << "accepted: " << token;
    EXPECT_FALSE(result ? true : result.message().empty());
    return result ? TokenError::InvalidArgument : result.code();
  }
  // Signs an arbitrary header and payload with the right secret.
  std::string forge(std::string_view header, std::string_view payload) {
    std::string token = encodeBase64Url(header) + "." + encodeBase64Url(payload);
    const auto mac = keys_.find(kApiKey)->sign(token);
    return token + "." + encodeBase64Url(std::span<const std::uint8_t>(mac.data(), mac.size()));
  }
  static std::vector<std::string> parts(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
  }

  KeyProvider keys_ = goldenKeys();
  ManualClock clock_;
};

TEST_F(BadToken, Expired) {
  const std::string token = mint(withIdentity("carol"), 10s);
  clock_.advance(10s + kDefaultLeeway + 1s);
  EXPECT_EQ(reject(token), TokenError::Expired);
}

TEST_F(BadToken, NotYetValid) {
  const std::string token = mint();
  clock_.advance(-(kDefaultLeeway + 5s));
  EXPECT_EQ(reject(token), TokenError::NotYetValid);
}

TEST_F(BadToken, WrongSecret) {
  KeyProvider other;
  ASSERT_TRUE(other.add(kApiKey, std::string(32, 'z'), KeyPolicy{}));
  MintOptions options;
  options.apiKey = kApiKey;
  const std::string token =
      mintToken(withIdentity("eve"), options, *other.find(kApiKey), clock_).value();
  EXPECT_EQ(reject(token), TokenError::BadSignature);
}

TEST_F(BadToken, TamperedPayload) {
  auto p = parts(mint());
  auto payload = decodeBase64Url(p[1]).value();
  payload.replace(payload.find("carol"), 5, "admin");
  EXPECT_EQ(reject(p[0] + "." + encodeBase64Url(payload) + "." + p[2]), TokenError::BadSignature);
}

TEST_F(BadToken, TamperedHeader) {
  auto p = parts(mint());
  const std::string header =
      encodeBase64Url(std::string_view(R"({"alg":"HS256","typ":"JWT","x":1})"));
  EXPECT_EQ(reject(header + "." + p[1] + "." + p[2]), TokenError::BadSignature);
}

TEST_F(BadToken, AlgorithmSwaps) {
  const std::string payload = R"({"iss":"APIgolden","sub":"x","exp":1900000000})";
  for (const char* alg : {"none", "RS256", "ES256", "HS384", "HS512", "PS256", "hs256"}) {
    EXPECT_EQ(reject(forge(std::string(R"({"alg":")") + alg + "\"}", payload)),
              TokenError::UnsupportedAlgorithm)
        << alg;
  }
  EXPECT_EQ(reject(forge(R"({"typ":"JWT"})", payload)), TokenError::UnsupportedAlgorithm);
  // alg=none tokens usually come with an empty signature part.
  EXPECT_EQ(reject(encodeBase64Url(std::string_view(R"({"alg":"none"})")) + "." +
                   encodeBase64Url(payload) + ".x"),
            TokenError::UnsupportedAlgorithm);
}

TEST_F(BadToken, UnknownKey) {
  EXPECT_EQ(reject(forge(R"({"alg":"HS256"})", R"({"iss":"APIother","sub":"x","exp":1900000000})")),
            TokenError::UnknownApiKey);
  EXPECT_EQ(reject(forge(R"({"alg":"HS256","kid":"APIother"})",
                         R"({"iss":"APIgolden","exp":1900000000})")),
            TokenError::UnknownApiKey);
  EXPECT_EQ(reject(forge(R"({"alg":"HS256"})", R"({"sub":"x","exp":1900000000})")),
            TokenError::MissingIssuer);
}

TEST_F(BadToken, MissingExpiry) {
  EXPECT_EQ(reject(forge(R"({"alg":"HS256"})", R"({"iss":"APIgolden","sub":"x"})")),
            TokenError::MissingExpiry);
}

TEST_F(BadToken, Truncated) {
  const std::string token = mint();
  EXPECT_EQ(reject(token.substr(0, token.rfind('.'))), TokenError::Malformed);
  EXPECT_EQ(reject(token.substr(0, token.rfind('.') + 1)), TokenError::Malformed);
  EXPECT_EQ(reject(""), TokenError::Malformed);
  EXPECT_EQ(reject(token + ".extra"), TokenError::Malformed);
  EXPECT_EQ(reject(token.substr(0, token.size() - 3)), TokenError::BadSignature);
}

TEST_F(BadToken, NotBase64Url) {
  auto p = parts(mint());
  EXPECT_EQ(reject(p[0] + "." + p[1] + "." + "abc+/def"), TokenError::InvalidEncoding);
  EXPECT_EQ(reject("e*J." + p[1] + "." + p[2]), TokenError::InvalidEncoding);
}

TEST_F(BadToken, NotJson) {
  EXPECT_EQ(reject(forge("not json", "{}")), TokenError::InvalidJson);
  EXPECT_EQ(reject(forge(R"({"alg":"HS256"})", "[1,2,3]")), TokenError::InvalidJson);
  EXPECT_EQ(reject(forge(R"({"alg":"HS256"})", R"({"iss":"APIgolden","exp":"soon"})")),
            TokenError::InvalidJson);
  EXPECT_EQ(reject(forge(R"({"alg":"HS256"})",
                         R"({"iss":"APIgolden","exp":1900000000,"video":{"roomJoin":"yes"}})")),
            TokenError::InvalidJson);
}

TEST_F(BadToken, OneMegabyte) {
  ClaimGrants huge = withIdentity("mallory");
  huge.metadata.assign(1024 * 1024, 'a');
  MintOptions options;
  options.apiKey = kApiKey;
  const std::string token = mintToken(huge, options, *keys_.find(kApiKey), clock_).value();
  EXPECT_EQ(reject(token), TokenError::TooLarge);
}

}  // namespace
}  // namespace huddle::auth
