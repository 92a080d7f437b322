#pragma once
// Parsing of configured webhook URLs. Pure, any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace huddle::server {

struct WebhookUrl {
  bool tls = false;          // https
  std::string host;          // without brackets for IPv6 literals
  std::uint16_t port = 0;    // explicit or the scheme's default
  std::string target;        // path plus query, never empty ("/" at least)
  std::string hostHeader;    // what goes in Host: brackets kept, port only when not default
};

// Accepts http://host[:port][/path][?query] and the https form. No userinfo, no fragment (a
// configured URL is not network input, but it is still checked rather than trusted).
[[nodiscard]] std::optional<WebhookUrl> parseWebhookUrl(std::string_view url);

}  // namespace huddle::server
