// The dev token endpoint's pieces and DemoRoutes itself: validation, the minted token's grants
// and lifetime, HTTP semantics (methods, HEAD, ETag), and no /api/token outside --dev.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "auth/access_token.h"
#include "server/demo/demo_routes.h"
#include "server/demo/dev_token.h"

namespace huddle::server::demo {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

ServerConfig configWith(bool development, std::map<std::string, std::string> keys) {
  ServerConfig config;
  config.development = development;
  for (const auto& [k, v] : keys) {
    EXPECT_TRUE(config.keyProvider.add(k, v, auth::KeyPolicy{true}).ok());
  }
  config.keys = std::move(keys);
  return config;
}

DemoRequest get(const std::string& target, http::verb method = http::verb::get) {
  DemoRequest request(method, target, 11);
  request.set(http::field::host, "127.0.0.1:7880");
  return request;
}

TEST(DevTokenQuery, AcceptsRoomIdentityAndName) {
  auto r = parseDevTokenQuery("room=standup&identity=alice-1f2e&name=Alice%20Liddell");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->room, "standup");
  EXPECT_EQ(r->identity, "alice-1f2e");
  EXPECT_EQ(r->name, "Alice Liddell");
  auto utf8 = parseDevTokenQuery("room=caf%C3%A9&identity=%E6%97%A5%E6%9C%AC");
  ASSERT_TRUE(utf8.ok()) << utf8.message();
  EXPECT_EQ(utf8->room, "caf\xC3\xA9");
  EXPECT_TRUE(utf8->name.empty());
}

TEST(DevTokenQuery, RejectsWithAMessageNamingTheField) {
  const std::string longValue(kMaxRoomBytes + 1, 'r');
  const std::string maxValue(kMaxRoomBytes, 'r');
  struct Case {
    std::string query;
    std::string expected;
  };
  const Case cases[] = {
      {"", "room is required"},
      {"identity=a", "room is required"},
      {"room=&identity=a", "room is required"},
      {"room=r", "identity is required"},
      {"room=r&identity=", "identity is required"},
      {"room=" + longValue + "&identity=a", "room is 129 bytes; at most 128"},
      {"room=r&identity=" + longValue, "identity is 129 bytes"},
      {"room=r&identity=a&name=" + longValue, "name is 129 bytes"},
      {"room=a%0Ab&identity=a", "room contains a control character"},
      {"room=r&identity=a%00", "identity contains a control character"},
      {"room=r&identity=a%7F", "identity contains a control character"},
      {"room=r&identity=a&name=%1B%5B31m", "name contains a control character"},
      {"room=%FF&identity=a", "room is not valid UTF-8"},
      {"room=r&identity=%C3", "identity is not valid UTF-8"},
      {"room=r&identity=%C0%AF", "identity is not valid UTF-8"},     // overlong '/'
      {"room=r&identity=%ED%A0%80", "identity is not valid UTF-8"},  // surrogate
      {"room=r%G1&identity=a", "broken %-escape"},
  };
  for (const Case& c : cases) {
    auto r = parseDevTokenQuery(c.query);
    ASSERT_FALSE(r.ok()) << c.query;
    EXPECT_EQ(r.code(), DevTokenError::InvalidRequest);
    EXPECT_NE(r.message().find(c.expected), std::string::npos) << c.query << " -> " << r.message();
  }
  EXPECT_TRUE(parseDevTokenQuery("room=" + maxValue + "&identity=" + maxValue).ok());
}

TEST(DevToken, MintedTokenVerifiesWithTheDevKeyAndCarriesTheGrants) {
  const ManualClock clock;
  auth::KeyProvider keys;
  ASSERT_TRUE(keys.add("devkey", "secret", auth::KeyPolicy{true}).ok());
  auto token = mintDevToken({"standup", "alice-1", "Alice"}, "devkey", *keys.find("devkey"), clock);
  ASSERT_TRUE(token.ok()) << token.message();

  auto verified = auth::TokenVerifier(keys, clock).verify(*token);
  ASSERT_TRUE(verified.ok()) << verified.message();
  EXPECT_EQ(verified->apiKey, "devkey");
  EXPECT_EQ(verified->identity(), "alice-1");
  EXPECT_EQ(verified->grants.name, "Alice");
  ASSERT_TRUE(verified->grants.video.has_value());
  const auto& video = *verified->grants.video;
  EXPECT_TRUE(video.roomJoin);
  EXPECT_EQ(video.room, "standup");
  EXPECT_TRUE(video.effectiveCanPublish());
  EXPECT_TRUE(video.effectiveCanSubscribe());
  EXPECT_TRUE(video.effectiveCanPublishData());
  EXPECT_FALSE(video.roomAdmin);
  EXPECT_FALSE(video.roomCreate);
  EXPECT_EQ(verified->expiresAt - clock.unixSeconds(), 6 * 3600);

  // Another secret does not verify it.
  auth::KeyProvider other;
  ASSERT_TRUE(other.add("devkey", "not-the-secret", auth::KeyPolicy{true}).ok());
  EXPECT_FALSE(auth::TokenVerifier(other, clock).verify(*token).ok());
}

TEST(DevToken, TokenExpiresAfterSixHours) {
  ManualClock clock;
  auth::KeyProvider keys;
  ASSERT_TRUE(keys.add("devkey", "secret", auth::KeyPolicy{true}).ok());
  auto token = mintDevToken({"r", "i", ""}, "devkey", *keys.find("devkey"), clock);
  ASSERT_TRUE(token.ok());
  clock.advance(6h - 1min);
  EXPECT_TRUE(auth::TokenVerifier(keys, clock, 0s).verify(*token).ok());
  clock.advance(2min);
  EXPECT_FALSE(auth::TokenVerifier(keys, clock, 0s).verify(*token).ok());
}

TEST(DevToken, SignalUrlComesFromTheHostHeader) {
  EXPECT_EQ(signalUrlFromHost("127.0.0.1:7880"), "ws://127.0.0.1:7880");
  EXPECT_EQ(signalUrlFromHost("[::1]:7880"), "ws://[::1]:7880");
  EXPECT_EQ(signalUrlFromHost("meet.example"), "ws://meet.example");
  for (const char* bad : {"", "a b", "host/path", "h\r\nX: y", "user@host", "host?x"}) {
    EXPECT_FALSE(signalUrlFromHost(bad).has_value()) << bad;
  }
  EXPECT_FALSE(signalUrlFromHost(std::string(300, 'a')).has_value());
}

TEST(DemoRoutes, TokenEndpointAnswersJsonInDev) {
  const ManualClock clock;
  const ServerConfig config = configWith(true, {{"devkey", "secret"}});
  const DemoRoutes routes(config, clock);
  ASSERT_TRUE(routes.tokenEndpointEnabled());
  auto response = routes.handle(get("/api/token?room=standup&identity=bob-2&name=Bob"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ((*response)[http::field::content_type], "application/json");
  EXPECT_EQ((*response)[http::field::cache_control], "no-store");
  EXPECT_EQ((*response)[http::field::access_control_allow_origin], "");
  const auto body = nlohmann::json::parse(response->body());
  EXPECT_EQ(body.at("url"), "ws://127.0.0.1:7880");
  auto verified =
      auth::TokenVerifier(config.keyProvider, clock).verify(body.at("token").get<std::string>());
  ASSERT_TRUE(verified.ok()) << verified.message();
  EXPECT_EQ(verified->identity(), "bob-2");
  EXPECT_EQ(verified->grants.video->room, "standup");
}

TEST(DemoRoutes, TokenEndpointRefusesBadInput) {
  const ServerConfig config = configWith(true, {{"devkey", "secret"}});
  const DemoRoutes routes(config);
  auto missing = routes.handle(get("/api/token?identity=bob"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->result(), http::status::bad_request);
  EXPECT_EQ(nlohmann::json::parse(missing->body()).at("error"), "room is required");

  auto control = routes.handle(get("/api/token?room=a%0D%0Ab&identity=bob"));
  ASSERT_TRUE(control.has_value());
  EXPECT_EQ(control->result(), http::status::bad_request);

  DemoRequest noHost(http::verb::get, "/api/token?room=r&identity=i", 11);
  auto hostless = routes.handle(noHost);
  ASSERT_TRUE(hostless.has_value());
  EXPECT_EQ(hostless->result(), http::status::bad_request);
  EXPECT_NE(hostless->body().find("Host header"), std::string::npos);

  auto post = routes.handle(get("/api/token?room=r&identity=i", http::verb::post));
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->result(), http::status::method_not_allowed);
  EXPECT_EQ((*post)[http::field::allow], "GET");
}

TEST(DemoRoutes, OperatorKeysInDevSignWithTheFirstWhenNoDevkey) {
  const ServerConfig config = configWith(true, {{"zeta", "secret-z"}, {"alpha", "secret-a"}});
  const DemoRoutes routes(config);
  EXPECT_EQ(routes.tokenApiKey(), "alpha");
  auto response = routes.handle(get("/api/token?room=r&identity=i"));
  ASSERT_TRUE(response.has_value());
  auto verified =
      auth::TokenVerifier(config.keyProvider, SystemClock::instance())
          .verify(nlohmann::json::parse(response->body()).at("token").get<std::string>());
  ASSERT_TRUE(verified.ok()) << verified.message();
  EXPECT_EQ(verified->apiKey, "alpha");
}

TEST(DemoRoutes, NoTokenRouteOutsideDev) {
  const ServerConfig config = configWith(false, {{"devkey", std::string(32, 's')}});
  const DemoRoutes routes(config);
  EXPECT_FALSE(routes.tokenEndpointEnabled());
  EXPECT_FALSE(routes.handle(get("/api/token?room=r&identity=i")).has_value());
  EXPECT_FALSE(routes.handle(get("/api/token")).has_value());
  // The page itself is still served.
  auto page = routes.handle(get("/"));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->result(), http::status::ok);
}

TEST(DemoRoutes, PageRevalidatesWithEtagAndAnswersHead) {
  const ServerConfig config = configWith(true, {{"devkey", "secret"}});
  const DemoRoutes routes(config);
  auto first = routes.handle(get("/demo/app.js?v=1"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->result(), http::status::ok);
  EXPECT_EQ((*first)[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ((*first)[http::field::cache_control], "no-cache");
  const std::string etag((*first)[http::field::etag]);
  ASSERT_FALSE(etag.empty());

  DemoRequest again = get("/demo/app.js");
  again.set(http::field::if_none_match, etag);
  auto second = routes.handle(again);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->result(), http::status::not_modified);
  EXPECT_TRUE(second->body().empty());

  DemoRequest stale = get("/demo/app.js");
  stale.set(http::field::if_none_match, "\"0000000000000000\"");
  EXPECT_EQ(routes.handle(stale)->result(), http::status::ok);

  auto head = routes.handle(get("/", http::verb::head));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->result(), http::status::ok);
  EXPECT_TRUE(head->body().empty());
  EXPECT_EQ((*head)[http::field::content_length],
            std::to_string(routes.handle(get("/"))->body().size()));

  auto put = routes.handle(get("/meet", http::verb::put));
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(put->result(), http::status::method_not_allowed);
  EXPECT_FALSE(routes.handle(get("/demo/missing.js")).has_value());
  EXPECT_FALSE(routes.handle(get("/metrics")).has_value());
}

}  // namespace
}  // namespace huddle::server::demo
