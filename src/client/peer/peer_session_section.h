#pragma once
// Private to src/client/peer: PeerSession's per-section state, shared by the negotiation
// (peer_session.cpp) and the packet paths (peer_session_media.cpp).

#include <cstddef>
#include <string>
#include <vector>

#include "client/peer/client_sdp.h"
#include "client/peer/peer_session.h"

namespace huddle::client {

// SSRCs learnt from packets (mid extension or payload type) beyond what the SDP announced. A
// peer cycling SSRCs must not grow the table without bound.
inline constexpr std::size_t kMaxLearnedSsrcs = 64;

[[nodiscard]] inline bool remoteSends(const NegotiatedSection& s) {
  return s.accepted && s.payloadType >= 0 &&
         (s.direction == rtc::MediaDirection::SendOnly || s.direction == rtc::MediaDirection::SendRecv);
}

[[nodiscard]] inline bool remoteReceives(const NegotiatedSection& s) {
  return s.accepted && s.payloadType >= 0 &&
         (s.direction == rtc::MediaDirection::RecvOnly || s.direction == rtc::MediaDirection::SendRecv);
}

// One m= section as we know it: what we offered (or were offered) and what the other side said.
struct PeerSession::Section {
  std::string mid;
  rtc::MediaKind kind = rtc::MediaKind::Audio;
  rtc::MediaDirection localDirection = rtc::MediaDirection::RecvOnly;
  // Send sections.
  std::string streamId;
  std::string trackId;
  SimulcastSignalling signalling = SimulcastSignalling::Rid;
  std::vector<SendLayer> layers;
  std::vector<SendStreamParams> params;  // one per layer
  // From the latest remote description.
  NegotiatedSection remote;
  bool described = false;
  std::string trackSid;

  [[nodiscard]] bool sends() const {
    return localDirection == rtc::MediaDirection::SendOnly || localDirection == rtc::MediaDirection::SendRecv;
  }
  [[nodiscard]] bool receives() const { return described && remoteSends(remote); }
};

}  // namespace huddle::client
