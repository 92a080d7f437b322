#include <gtest/gtest.h>

#include "client/signal_session.h"

namespace huddle::client {
namespace {

TEST(ServerUrl, ReadsHostPortAndBasePath) {
  auto a = parseServerUrl("ws://127.0.0.1:7880");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 7880);
  EXPECT_EQ(a->basePath, "/");
  auto b = parseServerUrl("http://example.test/livekit?x=1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "example.test");
  EXPECT_EQ(b->port, 80);
  EXPECT_EQ(b->basePath, "/livekit/");  // a trailing slash is added, the query dropped
  auto c = parseServerUrl("ws://[::1]:9000/");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 9000);
}

TEST(ServerUrl, RefusesWhatItCannotReach) {
  for (const char* url : {"wss://example.test", "https://example.test", "ftp://x", "ws://", "ws://host:0",
                          "ws://host:65536", "ws://host:12ab", "ws://[::1", "host:7880", ""}) {
    auto parsed = parseServerUrl(url);
    EXPECT_FALSE(parsed.ok()) << url;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.code(), DisconnectReason::InvalidUrl) << url;
    }
  }
}

}  // namespace
}  // namespace huddle::client
