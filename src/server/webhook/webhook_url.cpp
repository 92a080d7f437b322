#include "server/webhook/webhook_url.h"

#include <charconv>

namespace huddle::server {

namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool validHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::optional<WebhookUrl> parseWebhookUrl(std::string_view url) {
  WebhookUrl out;
  if (startsWithNoCase(url, "http://")) {
    url.remove_prefix(7);
    out.port = 80;
  } else if (startsWithNoCase(url, "https://")) {
    url.remove_prefix(8);
    out.tls = true;
    out.port = 443;
  } else {
    return std::nullopt;
  }
  if (url.find('#') != std::string_view::npos) return std::nullopt;

  const std::size_t pathStart = url.find_first_of("/?");
  std::string_view authority = url.substr(0, pathStart);
  std::string_view rest = pathStart == std::string_view::npos ? std::string_view{}
                                                              : url.substr(pathStart);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

  std::string_view hostPart;
  std::string_view portPart;
  bool hasPort = false;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    for (char c : out.host) {
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return std::nullopt;
    }
    hostPart = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      portPart = after.substr(1);
      hasPort = true;
    }
  } else {
    const std::size_t colon = authority.find(':');
    hostPart = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      portPart = authority.substr(colon + 1);
      hasPort = true;
    }
    if (hostPart.empty()) return std::nullopt;
    for (char c : hostPart) {
      if (!validHostChar(c)) return std::nullopt;
    }
    out.host = std::string(hostPart);
  }

  if (hasPort) {
    unsigned value = 0;
    const char* first = portPart.data();
    const char* last = first + portPart.size();
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (portPart.empty() || ec != std::errc{} || ptr != last || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  }

  const std::uint16_t defaultPort = out.tls ? 443 : 80;
  out.hostHeader = std::string(hostPart);
  if (out.port != defaultPort) out.hostHeader += ":" + std::to_string(out.port);

  for (char c : rest) {
    // Controls and spaces would let a config value inject header lines into the request.
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  }
  if (rest.empty()) {
    out.target = "/";
  } else if (rest.front() == '?') {
    out.target = "/" + std::string(rest);
  } else {
    out.target = std::string(rest);
  }
  return out;
}

}  // namespace huddle::server
