#pragma once
// Shared by the signaling thread's objects; the counters are atomics, everything else is
// read-only after startup.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "auth/access_token.h"
#include "auth/key_provider.h"
#include "common/clock.h"
#include "server/metrics/metrics.h"
#include "server/session_sink.h"

namespace huddle::server {

class MediaWorker;
class SessionRegistry;

struct SignalMetrics {
  metrics::Counter* joins = nullptr;
  metrics::Counter* resumes = nullptr;
  metrics::CounterFamily* refusedJoins = nullptr;  // label: status
  metrics::Counter* droppedBadMessages = nullptr;
  metrics::CounterFamily* signalErrors = nullptr;  // label: reason
  metrics::CounterFamily* requests = nullptr;      // label: message
  metrics::Gauge* sessions = nullptr;
};

struct ServerContext {
  boost::asio::io_context& signalIo;
  MediaWorker& worker;
  const auth::KeyProvider& keys;
  const Clock& clock;
  SessionRegistry& sessions;
  SignalMetrics metrics;
  JoinResponseSettings joinSettings;
  std::size_t maxSignalMessageBytes = 2 * 1024 * 1024;
  // How long a participant whose WebSocket dropped stays for a resume.
  std::chrono::seconds resumeGrace{20};
  // rtc.congestion_control (see RtcConfig): the defaults for every participant's media.
  bool congestionControl = true;
  bool congestionAllowPause = false;
};

}  // namespace huddle::server
