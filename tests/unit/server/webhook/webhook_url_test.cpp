#include "server/webhook/webhook_url.h"

#include <gtest/gtest.h>

namespace huddle::server {
namespace {

TEST(WebhookUrl, ParsesHostPortAndPath) {
  auto url = parseWebhookUrl("http://127.0.0.1:8080/hooks/livekit?token=abc");
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/hooks/livekit?token=abc");
  EXPECT_EQ(url->hostHeader, "127.0.0.1:8080");
}

TEST(WebhookUrl, DefaultsPortAndPathAndLeavesDefaultPortOutOfHost) {
  auto url = parseWebhookUrl("HTTP://example.com");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");
  EXPECT_EQ(url->hostHeader, "example.com");

  auto tls = parseWebhookUrl("https://example.com?x=1");
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->port, 443);
  EXPECT_EQ(tls->target, "/?x=1");
}

TEST(WebhookUrl, ParsesBracketedIpv6) {
  auto url = parseWebhookUrl("http://[::1]:9000/h");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->hostHeader, "[::1]:9000");
}

TEST(WebhookUrl, RejectsMalformed) {
  for (const char* bad : {"", "127.0.0.1:80/x", "ftp://host/", "http://", "http:///path",
                          "http://host:0/", "http://host:65536/", "http://host:12ab/",
                          "http://host:/", "http://user@host/", "http://host/a#frag",
                          "http://[::1/x", "http://[zz::1]/", "http://ho st/",
                          "http://host/a b", "http://host/a\r\nX-Injected: 1"}) {
    EXPECT_FALSE(parseWebhookUrl(bad)) << bad;
  }
}

}  // namespace
}  // namespace huddle::server
