#pragma once
// single-threaded: every call and every callback runs on the io_context given to the constructor;
// other threads post() to it. No locks.
//
// The SDK side of the signal WebSocket (plain ws:// for now): connect with the join URL, send
// SignalRequests, receive SignalResponses. Writes are queued so that at most one is in flight.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "livekit_rtc.pb.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace huddle::signal {

enum class WsSignalError {
  InvalidState,     // connect() while connecting/open, or after close()
  ResolveFailed,    // host name did not resolve
  ConnectFailed,    // TCP connect refused or unreachable
  Timeout,          // resolve + connect + upgrade took longer than the timeout
  HandshakeFailed,  // the HTTP exchange broke off or the reply was not a valid upgrade
  UpgradeRefused,   // the server answered the upgrade with an HTTP status; see HttpRefusal
  Aborted,          // close() or destruction before the connection opened
};

[[nodiscard]] std::string_view toString(WsSignalError error);

// What the server said when it refused the upgrade (section 2.1: auth failures arrive as HTTP
// statuses on the upgrade request, with a plain-text body naming the reason).
struct HttpRefusal {
  unsigned status = 0;  // 0 unless the error is UpgradeRefused
  std::string body;
};

struct WsConnectOptions {
  std::string host;
  std::uint16_t port = 0;
  std::string target;  // path and query, e.g. "/rtc/v1?join_request=..."
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization: Bearer ...
  std::chrono::milliseconds timeout{5000};                   // RS's connect timeout (4.1)
};

class WsSignalClient final {
 public:
  using ConnectHandler = std::function<void(Result<Ok, WsSignalError>, const HttpRefusal&)>;
  using ResponseHandler = std::function<void(livekit::SignalResponse)>;
  // code is the WebSocket close code (1006 when the connection dropped without a close frame).
  using CloseHandler = std::function<void(std::uint16_t code, const std::string& reason)>;

  explicit WsSignalClient(boost::asio::io_context& io);
  // Drops the connection at once and runs no further callback. Call on the io_context thread.
  ~WsSignalClient();
  WsSignalClient(const WsSignalClient&) = delete;
  WsSignalClient& operator=(const WsSignalClient&) = delete;

  // Set handlers before connect(). They may call send() and close() but must not destroy this
  // client; post() the destruction instead.
  void onResponse(ResponseHandler handler);
  void onClose(CloseHandler handler);

  // One connection per client. The handler runs exactly once.
  void connect(WsConnectOptions options, ConnectHandler handler);

  // Queues a binary frame. false (and nothing queued) unless the connection is open.
  bool send(const livekit::SignalRequest& request);

  // Sends the queued frames, then a close frame with code 1000; onClose runs when the server
  // answers. During connect() it aborts the attempt instead.
  void close();

  [[nodiscard]] bool isOpen() const;
  // Frames from the server that did not decode as a SignalResponse (dropped, not fatal).
  [[nodiscard]] std::uint64_t droppedFrames() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace huddle::signal
