#pragma once
// Plain value types, any thread.
//
// How a Room connects and where it delivers its events.

#include <chrono>
#include <functional>
#include <string>

#include "client/reconnect_policy.h"

namespace huddle::client {

// Runs a task on the application's chosen thread, in the order given. Events, connect results
// and nothing else go through it. An executor that runs the task inline (`[](auto f) { f(); }`)
// makes events arrive on the Room's network thread: then a callback must not block.
using Executor = std::function<void(std::function<void()>)>;

struct RoomTimeouts {
  // TCP connect + WebSocket upgrade of one attempt (a v1 -> v0 fallback makes two attempts).
  std::chrono::milliseconds signalConnect{5000};
  // From the upgrade to the first message (join or leave), as LiveKit's clients wait.
  std::chrono::milliseconds firstMessage{5000};
  // Graceful leave on disconnect(): how long to wait for the server's close before dropping.
  std::chrono::milliseconds leaveFlush{1000};
};

struct RoomOptions {
  bool autoSubscribe = true;
  bool adaptiveStream = false;  // LiveKit's JS default
  bool dynacast = false;        // LiveKit's JS default; used once publishing is wired in
  // Try /rtc/v1 (one peer connection) first and fall back to /rtc when the server answers
  // 404; false goes straight to /rtc.
  bool preferV1 = true;
  // Empty: an internal event thread owned by the Room runs the events in order.
  Executor executor;
  ReconnectPolicyOptions reconnectPolicy;
  RoomTimeouts timeouts;
  // Sent with the join (v1 JoinRequest.metadata); empty keeps the token's metadata.
  std::string metadata;
};

}  // namespace huddle::client
