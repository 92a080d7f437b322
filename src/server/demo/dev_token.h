#pragma once
// The development token endpoint behind the demo page: GET /api/token?room=R&identity=I[&name=N]
// mints a join token with the development key, so a browser can join without huddle-cli.
// It exists only in --dev (DemoRoutes never routes it otherwise): anyone who can reach it can
// join any room. Pure, any thread.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "auth/hmac_key.h"
#include "common/clock.h"
#include "common/result.h"

namespace huddle::server::demo {

// Bounds on what a browser may ask for; LiveKit's own limits are looser, but a demo room or
// name longer than this is a typo or an attack.
inline constexpr std::size_t kMaxRoomBytes = 128;
inline constexpr std::size_t kMaxIdentityBytes = 128;
inline constexpr std::size_t kMaxNameBytes = 128;
inline constexpr std::chrono::seconds kDevTokenTtl = std::chrono::hours(6);

enum class DevTokenError {
  InvalidRequest,  // answer 400: the message says which parameter and why
  MintFailed,      // answer 500
};

struct DevTokenRequest {
  std::string room;
  std::string identity;
  std::string name;  // display name; may be empty
};

// Parses the query string (after '?') and checks each field: present where required, within
// its bound, valid UTF-8 with no control characters.
[[nodiscard]] Result<DevTokenRequest, DevTokenError> parseDevTokenQuery(std::string_view query);

// A token for `request` signed with `secret` under `apiKey`: roomJoin for that room, publish,
// subscribe and publish data; valid kDevTokenTtl.
[[nodiscard]] Result<std::string, DevTokenError> mintDevToken(
    const DevTokenRequest& request, std::string_view apiKey, const auth::HmacSha256Key& secret,
    const Clock& clock = SystemClock::instance());

// "ws://<host>" from the request's Host header, so the browser dials the address it already
// reached. nullopt when the header is empty or holds anything but host[:port] characters.
[[nodiscard]] std::optional<std::string> signalUrlFromHost(std::string_view host);

}  // namespace huddle::server::demo
