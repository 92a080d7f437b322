#pragma once
// Values shared by the ICE-lite server and the full ICE agent: pure, any thread.

#include <cstdint>
#include <string_view>

#include "rtc/ice/stun_address.h"

namespace huddle::rtc {

// Opaque to ICE: the owner's name for the local socket (or local candidate) a datagram came in
// on and must go out of. ICE only compares and echoes it.
using IceSocketHandle = std::uint64_t;

enum class IceState : std::uint8_t {
  New,           // nothing valid seen yet
  Checking,      // checks in flight / a valid check received, nothing nominated yet
  Connected,     // a path is selected and has consent
  Disconnected,  // the selected path lost consent recently; may come back
  Failed,        // no usable path; needs an ICE restart
  Closed,        // close() was called; inert
};

[[nodiscard]] std::string_view toString(IceState state) noexcept;

enum class IceRole : std::uint8_t { Controlling, Controlled };

// The server's view of a path: where the peer is and which of our sockets it reached.
struct IceTuple {
  StunAddress remote;
  IceSocketHandle local = 0;
  friend bool operator==(const IceTuple&, const IceTuple&) = default;
};

// RFC 8445 section 5.1.2.2 type preferences.
inline constexpr std::uint32_t kIceTypePreferenceHost = 126;
inline constexpr std::uint32_t kIceTypePreferencePeerReflexive = 110;
inline constexpr std::uint32_t kIceTypePreferenceServerReflexive = 100;
inline constexpr std::uint32_t kIceTypePreferenceRelayed = 0;

// RFC 8445 section 5.1.2.1: (2^24)*type + (2^8)*local + (256 - component).
[[nodiscard]] constexpr std::uint32_t iceCandidatePriority(std::uint32_t typePreference,
                                                           std::uint32_t localPreference,
                                                           std::uint32_t componentId = 1) noexcept {
  return ((typePreference & 0x7Fu) << 24) | ((localPreference & 0xFFFFu) << 8) |
         ((256u - (componentId & 0xFFu)) & 0xFFu);
}

// RFC 8445 section 6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), G the controlling side's.
[[nodiscard]] constexpr std::uint64_t iceCandidatePairPriority(std::uint32_t controlling,
                                                               std::uint32_t controlled) noexcept {
  const std::uint64_t lo = controlling < controlled ? controlling : controlled;
  const std::uint64_t hi = controlling < controlled ? controlled : controlling;
  return (lo << 32) + 2 * hi + (controlling > controlled ? 1 : 0);
}

}  // namespace huddle::rtc
