#pragma once
// ICE candidates and candidate pairs as plain values: pure, any thread.

#include <cstdint>
#include <string_view>

#include "rtc/ice/ice_types.h"
#include "rtc/ice/stun_address.h"

namespace huddle::rtc {

enum class IceCandidateType : std::uint8_t { Host, ServerReflexive, PeerReflexive, Relayed };

// Not the SDP IceCandidate (rtc/sdp): both live in huddle::rtc, and two classes of one name
// break the one-definition rule in a binary that links both (seen as heap corruption under ASan).
struct IceAgentCandidate {
  IceCandidateType type = IceCandidateType::Host;
  StunAddress address;
  std::uint32_t priority = 0;
  // Local candidates only: the socket it lives on and the local preference its priority used
  // (needed again for the PRIORITY attribute of checks, RFC 8445 section 7.1.1).
  IceSocketHandle socket = 0;
  std::uint16_t localPreference = 0;
};

// RFC 8445 section 6.1.2.6 without Frozen: one component and one stream make every pair its own
// foundation group, so all pairs start Waiting.
enum class IceCandidatePairState : std::uint8_t { Waiting, InProgress, Succeeded, Failed };

[[nodiscard]] constexpr std::string_view toString(IceCandidatePairState state) noexcept {
  switch (state) {
    case IceCandidatePairState::Waiting: return "waiting";
    case IceCandidatePairState::InProgress: return "in-progress";
    case IceCandidatePairState::Succeeded: return "succeeded";
    case IceCandidatePairState::Failed: return "failed";
  }
  return "unknown";
}

struct IceCandidatePair {
  std::uint32_t id = 0;  // stable for the agent's lifetime; indices are not (pairs re-sort)
  IceAgentCandidate local;
  IceAgentCandidate remote;
  std::uint64_t priority = 0;
  IceCandidatePairState state = IceCandidatePairState::Waiting;
  bool nominated = false;

  [[nodiscard]] IceTuple tuple() const noexcept { return IceTuple{remote.address, local.socket}; }
};

}  // namespace huddle::rtc
