#include "server/demo/dev_token.h"

#include <cstdint>

#include "auth/access_token.h"
#include "auth/grants.h"
#include "signal/query_string.h"

namespace huddle::server::demo {

namespace {

using Fail = Error<DevTokenError>;

// Structural UTF-8 check (no overlongs, no surrogates): the value ends up in JSON and in the
// participant list every client renders.
bool validUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      extra = 1;
      cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2;
      cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3;
      cp = b & 0x07u;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

Result<Ok, DevTokenError> checkField(std::string_view field, const std::string& value,
                                     std::size_t maxBytes, bool required) {
  if (required && value.empty()) {
    return Fail{DevTokenError::InvalidRequest, std::string(field) + " is required"};
  }
  if (value.size() > maxBytes) {
    return Fail{DevTokenError::InvalidRequest,
                std::string(field) + " is " + std::to_string(value.size()) + " bytes; at most " +
                    std::to_string(maxBytes) + " are allowed"};
  }
  for (const char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) {
      return Fail{DevTokenError::InvalidRequest,
                  std::string(field) + " contains a control character"};
    }
  }
  if (!validUtf8(value)) {
    return Fail{DevTokenError::InvalidRequest, std::string(field) + " is not valid UTF-8"};
  }
  return Ok{};
}

}  // namespace

Result<DevTokenRequest, DevTokenError> parseDevTokenQuery(std::string_view query) {
  const auto params = signal::QueryParams::parse(query);
  if (!params) {
    return Fail{DevTokenError::InvalidRequest, "query string has a broken %-escape"};
  }
  DevTokenRequest request;
  if (const std::string* v = params->find("room")) request.room = *v;
  if (const std::string* v = params->find("identity")) request.identity = *v;
  if (const std::string* v = params->find("name")) request.name = *v;
  if (auto ok = checkField("room", request.room, kMaxRoomBytes, true); !ok) return ok.error();
  if (auto ok = checkField("identity", request.identity, kMaxIdentityBytes, true); !ok) {
    return ok.error();
  }
  if (auto ok = checkField("name", request.name, kMaxNameBytes, false); !ok) return ok.error();
  return request;
}

Result<std::string, DevTokenError> mintDevToken(const DevTokenRequest& request,
                                                std::string_view apiKey,
                                                const auth::HmacSha256Key& secret,
                                                const Clock& clock) {
  auth::ClaimGrants grants;
  grants.identity = request.identity;
  grants.name = request.name;
  auth::VideoGrant video;
  video.roomJoin = true;
  video.room = request.room;
  video.canPublish = true;
  video.canSubscribe = true;
  video.canPublishData = true;
  grants.video = std::move(video);
  auth::MintOptions options;
  options.apiKey = std::string(apiKey);
  options.ttl = kDevTokenTtl;
  auto token = auth::mintToken(grants, options, secret, clock);
  if (!token.ok()) {
    return Fail{DevTokenError::MintFailed, "cannot mint a token: " + token.message()};
  }
  return std::move(*token);
}

std::optional<std::string> signalUrlFromHost(std::string_view host) {
  // host, host:port, [v6]:port; 255 is DNS's bound on a name.
  if (host.empty() || host.size() > 255 + 8) return std::nullopt;
  for (const char c : host) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                         c == ']' || c == '_';
    if (!allowed) return std::nullopt;
  }
  return "ws://" + std::string(host);
}

}  // namespace huddle::server::demo
