#pragma once
// Single-threaded: every call and every Listener callback runs on the Room's network thread
// (the io_context given to the constructor); no locks.
//
// One signal connection of the SDK: builds the join URL, connects over /rtc/v1 and falls back to
// /rtc when the server answers the upgrade with 404 (section 2.5 of livekit-protocol.md; a 404
// that says the room does not exist is an error, not a fallback), checks that the first message
// is `join` (or `leave`), keeps the connection alive with ping_req/pong_resp and measures the
// round trip, notices a silent server (ping_timeout) and surfaces leave requests. Everything
// else the server sends goes to the listener untouched. A session opened with `reconnect` set
// resumes an existing participant (section 5.2): its first message must be `reconnect` (or a
// leave refusing it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/events.h"
#include "common/result.h"
#include "livekit_rtc.pb.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace huddle::signal {
class WsSignalClient;
}  // namespace huddle::signal

namespace huddle::client {

// host, port and base path of a server URL, the way LiveKit's clients read it.
struct ServerUrl {
  std::string host;
  std::uint16_t port = 0;
  std::string basePath;  // always ends with '/'
};

// ws:// and http:// (wss:// and https:// are refused: no TLS yet).
[[nodiscard]] Result<ServerUrl, DisconnectReason> parseServerUrl(std::string_view url);

struct SignalJoinOptions {
  std::string url;
  std::string token;
  bool preferV1 = true;
  bool autoSubscribe = true;
  bool adaptiveStream = false;
  std::string metadata;  // v1 only
  std::optional<livekit::SessionDescription> publisherOffer;  // v1 only
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds firstMessageTimeout{5000};
  // Resume: reconnect=1 with the participant's sid. ReconnectResponse has no ping settings, so
  // the ones the join gave are carried over.
  bool reconnect = false;
  std::string participantSid;
  livekit::ReconnectReason reconnectReason = livekit::RR_UNKNOWN;
  std::chrono::seconds pingInterval{0};
  std::chrono::seconds pingTimeout{0};
};

struct SignalFailure {
  DisconnectReason reason = DisconnectReason::Unknown;
  std::string message;
  unsigned httpStatus = 0;
};

struct SignalStats {
  std::uint64_t pingsSent = 0;
  std::uint64_t pongsReceived = 0;
  std::uint64_t fallbacksToV0 = 0;
  std::uint64_t unexpectedFirstMessages = 0;
};

class SignalSession final {
 public:
  // A callback may call send()/leave() but must not destroy the session; post() that instead.
  class Listener {
   public:
    virtual ~Listener() = default;
    // A join, also when it answers a resume (the listener compares the sid).
    virtual void onSignalJoined(SignalSession& session, const livekit::JoinResponse& join) = 0;
    // A resume session was accepted: `reconnect` came first.
    virtual void onSignalResumed(SignalSession& /*session*/, const livekit::ReconnectResponse& /*reconnect*/) {}
    // The connection never joined: refused, unreachable, timed out, or a leave came first.
    virtual void onSignalConnectFailed(SignalSession& session, const SignalFailure& failure) = 0;
    // Every message after the join except pongs, leave and refresh_token.
    virtual void onSignalMessage(SignalSession& session, const livekit::SignalResponse& message) = 0;
    virtual void onSignalLeave(SignalSession& session, const livekit::LeaveRequest& leave) = 0;
    // The connection closed without a leave, or stayed silent past ping_timeout.
    virtual void onSignalLost(SignalSession& session, const std::string& why) = 0;
    virtual void onSignalRtt(SignalSession& /*session*/, std::chrono::milliseconds /*rtt*/) {}
    virtual void onTokenRefreshed(SignalSession& /*session*/) {}
  };

  SignalSession(boost::asio::io_context& io, Listener& listener);
  ~SignalSession();
  SignalSession(const SignalSession&) = delete;
  SignalSession& operator=(const SignalSession&) = delete;

  // Once per session.
  void connect(SignalJoinOptions options);
  // false unless joined and open.
  bool send(const livekit::SignalRequest& request);
  // Sends leave{CLIENT_INITIATED, DISCONNECT} and closes; `done` runs once the server closed or
  // `flush` passed (at most once, never after destruction). No listener callback follows.
  void leave(std::chrono::milliseconds flush, std::function<void()> done);

  [[nodiscard]] bool joined() const noexcept { return joined_; }
  [[nodiscard]] bool usedV1() const noexcept { return usedV1_; }
  [[nodiscard]] std::optional<std::chrono::milliseconds> rtt() const noexcept { return rtt_; }
  // From the join (zero before it); a resume session carries them over.
  [[nodiscard]] std::chrono::seconds pingInterval() const noexcept { return pingInterval_; }
  [[nodiscard]] std::chrono::seconds pingTimeout() const noexcept { return pingTimeout_; }
  // The token a reconnect should use: the last refresh_token, else the one given.
  [[nodiscard]] const std::string& token() const noexcept { return token_; }
  [[nodiscard]] const SignalStats& stats() const noexcept { return stats_; }

 private:
  void attempt(bool v1);
  void onConnected(bool v1, bool ok, int error, unsigned status, const std::string& body);
  void onResponse(livekit::SignalResponse response);
  void onClosed(std::uint16_t code, const std::string& reason);
  void fail(SignalFailure failure);
  void startPings(std::int32_t intervalSeconds, std::int32_t timeoutSeconds);
  void sendPing();
  void schedulePing();
  void finishLeave();
  // Drops the WebSocket client later: its own callbacks may be on the stack.
  void retireSocket();

  struct Timers;

  boost::asio::io_context& io_;
  Listener& listener_;
  SignalJoinOptions options_;
  ServerUrl url_;
  std::string token_;
  std::unique_ptr<signal::WsSignalClient> ws_;
  std::unique_ptr<Timers> timers_;
  std::shared_ptr<int> alive_;  // timer handlers hold a weak_ptr: they do nothing once it is gone
  std::chrono::steady_clock::time_point lastMessage_{};
  std::chrono::seconds pingInterval_{0};
  std::chrono::seconds pingTimeout_{0};
  std::optional<std::chrono::milliseconds> rtt_;
  std::function<void()> leaveDone_;
  bool started_ = false;
  bool joined_ = false;
  bool usedV1_ = false;
  bool finished_ = false;  // failed, lost, or left: no further listener callback
  SignalStats stats_;
};

}  // namespace huddle::client
