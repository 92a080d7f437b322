#pragma once
// Public API is thread-safe; work runs on the Room's network thread; events go out through the
// executor the application provides.
//
// The entry point of libhuddle-client: one Room joins one LiveKit room. Each Room owns a network
// thread (its own event loop: signal WebSocket, timers, later UDP), so no call blocks on the
// network, and by default an event thread that runs delegate callbacks in order. Destroying a
// Room (from any thread, including inside one of its callbacks) leaves the room and stops both.

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/connection_stats.h"
#include "client/events.h"
#include "client/options.h"
#include "client/participant.h"

namespace huddle::client {

struct ConnectResult {
  bool ok = false;
  DisconnectReason reason = DisconnectReason::None;  // None when ok
  std::string message;                              // what failed, e.g. the server's text
  unsigned httpStatus = 0;                          // the upgrade's HTTP status when refused
  bool usedV1 = false;                              // joined over /rtc/v1 (else /rtc)
  explicit operator bool() const noexcept { return ok; }
};

class Room final {
 public:
  using ConnectCallback = std::function<void(const ConnectResult&)>;

  Room();
  ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  // Set before connect() to see every event. nullptr stops events; when called on another
  // thread than a running callback it waits for that callback to return.
  void setDelegate(RoomDelegate* delegate);

  // url: ws://host:port or http://host:port (a base path is kept). Returns at once. The result
  // goes to `done` on the executor, after the Connected/Disconnected state event. Calling it
  // while connecting or connected fails with ProtocolError and changes nothing. After a
  // disconnect the same Room may connect again.
  void connect(std::string url, std::string token, RoomOptions options, ConnectCallback done);
  // Same, with a future (set on the network thread, so waiting on it from the executor's
  // thread is fine).
  [[nodiscard]] std::future<ConnectResult> connect(std::string url, std::string token,
                                                   RoomOptions options = {});

  // Sends leave, closes the signal connection and reports Disconnected(ClientInitiated).
  // Returns at once; safe inside callbacks and when not connected.
  void disconnect();

  [[nodiscard]] ConnectionState state() const;
  [[nodiscard]] std::string name() const;
  [[nodiscard]] std::string sid() const;
  [[nodiscard]] std::string metadata() const;
  [[nodiscard]] std::string serverVersion() const;
  // Round trip of the last ping_req/pong_resp on the signal connection.
  [[nodiscard]] std::optional<std::chrono::milliseconds> signalRtt() const;

  [[nodiscard]] LocalParticipant& localParticipant() noexcept { return local_; }
  [[nodiscard]] std::vector<RemoteParticipant> remoteParticipants() const;
  [[nodiscard]] std::optional<RemoteParticipant> remoteParticipant(const std::string& identity) const;
  [[nodiscard]] std::vector<ActiveSpeaker> activeSpeakers() const;
  // The server's verdict about us plus what this client measures (about once a second).
  [[nodiscard]] ConnectionStats connectionStats() const;

 private:
  friend struct RoomInternals;  // internal wiring (client/room_internal.h), not for applications
  class Threads;
  std::shared_ptr<RoomCore> core_;
  std::unique_ptr<Threads> threads_;
  LocalParticipant local_;
};

}  // namespace huddle::client
