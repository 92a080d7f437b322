#pragma once
// Signaling thread only (the room side runs on the worker and reaches it through SessionSink).
//
// One participant's WebSocket on /rtc or /rtc/v1. The join runs on the room's worker before the
// upgrade is accepted, so a refused join is an HTTP status on the upgrade request, as LiveKit
// clients expect; after that the session relays requests to the room and writes what the room
// says, in order, one write at a time.

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "auth/grants.h"
#include "livekit_rtc.pb.h"
#include "sfu/room/room.h"
#include "server/server_context.h"
#include "signal/join_params.h"

namespace huddle::server {

class SignalSession final : public std::enable_shared_from_this<SignalSession> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  SignalSession(ServerContext& context, boost::beast::tcp_stream stream, Request upgrade,
                signal::JoinParams params, auth::VerifiedToken token);
  ~SignalSession();

  // Posts the join (or resume) to the worker; the outcome comes back through deliver(),
  // accepted() or refused().
  void start();

  // From the room (via SessionSink): one encoded SignalResponse; `thenClose` ends the session
  // once it is written (a server-initiated leave).
  void deliver(std::string bytes, bool thenClose);
  // The worker admitted the participant: accept the upgrade and start reading.
  void accepted(std::string participantSid);
  // The worker refused the join: answer the upgrade request with an HTTP error.
  void refused(int status, std::string text);
  // Server shutdown: close the WebSocket after pending writes (the leave is already queued).
  void closeSoon();

 private:
  void onAccept(const boost::system::error_code& ec);
  void readNext();
  void onRead(const boost::system::error_code& ec, std::size_t bytes);
  void handle(const livekit::SignalRequest& request);
  // Runs `call` on the worker with this participant's room, if the room still exists.
  void toRoom(std::function<void(sfu::Room&, const std::string& sid)> call);
  void writeNext();
  void sendNow(const livekit::SignalResponse& response);
  void sendRefreshToken();
  void closeWebSocket();
  void ended(bool leaveSent);

  enum class State { Joining, Accepting, Open, Closing, Closed };

  ServerContext& context_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  Request upgrade_;
  signal::JoinParams params_;
  auth::VerifiedToken token_;
  std::string roomName_;
  std::string participantSid_;
  State state_ = State::Joining;
  bool leaveReceived_ = false;
  bool closeAfterWrites_ = false;
  bool writing_ = false;
  std::deque<std::string> outbox_;
  boost::beast::flat_buffer readBuffer_;
  std::shared_ptr<SessionSink> sink_;
};

// The live sessions, for shutdown. Signaling thread only.
class SessionRegistry final {
 public:
  void add(const std::shared_ptr<SignalSession>& session) { sessions_[session.get()] = session; }
  void remove(SignalSession* session) { sessions_.erase(session); }
  [[nodiscard]] std::size_t size() const { return sessions_.size(); }
  template <typename F>
  void forEach(F&& f) {
    auto copy = sessions_;
    for (auto& [raw, weak] : copy) {
      if (auto s = weak.lock()) f(*s);
    }
  }

 private:
  std::unordered_map<SignalSession*, std::weak_ptr<SignalSession>> sessions_;
};

}  // namespace huddle::server
