#pragma once
// Plain value types, any thread.
//
// How well the Room's connection works, from both ends: the server's view of us (its
// ConnectionQualityUpdate, LiveKit's excellent/good/poor/lost and score) and what this client
// measures itself over the last report interval (about a second).

#include <chrono>
#include <cstdint>
#include <optional>

#include "client/events.h"

namespace huddle::client {

struct ConnectionStats {
  // Signal connection round trip (ping_req/pong_resp).
  std::optional<std::chrono::milliseconds> signalRtt;
  // Media we receive, all subscribed tracks together, over the last interval.
  double receiveBitrateBps = 0;
  double receiveLossPercent = 0;  // from the loss fraction of our own receiver reports
  double jitterMs = 0;            // the worst subscribed track
  std::uint64_t packetsReceived = 0;  // since the connection started
  std::uint64_t packetsLost = 0;
  std::uint64_t freezes = 0;
  // Media we send (first sends, payload octets), over the last interval.
  double sendBitrateBps = 0;
  std::uint64_t packetsSent = 0;
  std::uint64_t packetsRetransmitted = 0;
  // Our own verdict: loss under 2 %, jitter under 30 ms and signal RTT under 300 ms is
  // excellent; loss under 8 % and jitter under 60 ms good; worse is poor; lost while the media
  // transport is not connected.
  ConnectionQuality localQuality = ConnectionQuality::Excellent;
  // The server's last verdict about this participant, when it sent one.
  std::optional<ConnectionQuality> serverQuality;
  float serverScore = 0;
};

}  // namespace huddle::client
