#pragma once
// Single-threaded: a TcpMux, its connections and every transport registered on it run on one
// asio io_context; no locks.
//
// The server's passive ICE-TCP candidate (RFC 6544, tcptype passive): one listening socket
// shared by many server-role transports, the TCP sibling of UdpMux. Each accepted connection
// carries RFC 4571 frames. Its first frame must be a STUN Binding request whose USERNAME names
// a registered local ufrag; that (and any later STUN naming a registered ufrag) goes to the
// ufrag's transport. The connection is bound to the transport (bindConnection) once ICE has
// authenticated a check on it; from then on every frame goes there and the transport sends back
// through send(), addressed by the connection's remote address. A connection that opens with
// anything else (garbage, an unknown ufrag, an oversized length) is closed and counted; others
// are unaffected. Unauthenticated connections are limited in number and time, and any
// connection silent for idleTimeout is closed.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "rtc/ice/stun_address.h"
#include "rtc/transport/tcp_connection.h"
#include "rtc/transport/udp_mux.h"

namespace huddle::rtc {

enum class TcpMuxError { InvalidAddress, Listen };

class TcpMux final : private TcpConnection::Listener {
 public:
  // A transport behind the mux. onTcpMuxPacket runs on the io_context thread with one frame's
  // payload, writable and valid only during the call; `from` names the connection. The callee
  // may send through the mux and unregister itself, but must not destroy the mux.
  class Endpoint {
   public:
    virtual ~Endpoint() = default;
    virtual void onTcpMuxPacket(std::span<std::uint8_t> data, const StunAddress& from) = 0;
  };

  struct Options {
    // Accepted connections not yet bound by an authenticated check; more are refused at once.
    std::size_t maxPendingConnections = 64;
    std::size_t maxConnections = 4096;
    // An unbound connection is closed this long after it was accepted.
    std::chrono::milliseconds authTimeout{10'000};
    // Any connection that received nothing this long is closed (consent would have lapsed).
    std::chrono::milliseconds idleTimeout{30'000};
    std::size_t maxFrameSize = Rfc4571Framer::kDefaultMaxFrameSize;
  };

  struct Stats {
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0;  // over maxPendingConnections or maxConnections
    std::uint64_t routed = 0;   // frames handed to an endpoint
    std::uint64_t connectionsBound = 0;
    std::uint64_t closedBadFraming = 0;    // length prefix over maxFrameSize
    std::uint64_t closedGarbage = 0;       // unbound connection sent something other than STUN
    std::uint64_t closedUnknownUfrag = 0;  // STUN on an unbound connection, ufrag not registered
    std::uint64_t closedAuthTimeout = 0;
    std::uint64_t closedIdle = 0;
    std::uint64_t closedByPeer = 0;  // EOF or socket error
    std::uint64_t closedEndpointGone = 0;
    std::uint64_t sendNoConnection = 0;
    std::uint64_t sendDropped = 0;  // the connection's queue refused the frame
  };

  [[nodiscard]] static Result<std::unique_ptr<TcpMux>, TcpMuxError> create(
      boost::asio::io_context& io, std::string_view ip, std::uint16_t port,
      const Options& options);
  [[nodiscard]] static Result<std::unique_ptr<TcpMux>, TcpMuxError> create(
      boost::asio::io_context& io, std::string_view ip, std::uint16_t port = 0);
  TcpMux(const TcpMux&) = delete;
  TcpMux& operator=(const TcpMux&) = delete;
  ~TcpMux() override;

  // False if the ufrag is already taken by another endpoint.
  bool registerUfrag(const std::string& ufrag, Endpoint& endpoint);
  void unregisterUfrag(const std::string& ufrag);
  // Removes every ufrag of `endpoint` and closes its connections (after flushing what it sent).
  void unregisterEndpoint(Endpoint& endpoint);
  // Routes every later frame of the connection from `from` to `endpoint`.
  void bindConnection(const StunAddress& from, Endpoint& endpoint);

  // One frame on the connection whose remote address is `to`.
  bool send(std::span<const std::uint8_t> data, const StunAddress& to);

  [[nodiscard]] const StunAddress& localAddress() const noexcept { return local_; }
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::size_t connectionCount() const noexcept { return connections_.size(); }
  [[nodiscard]] std::size_t pendingCount() const noexcept;
  [[nodiscard]] std::size_t ufragCount() const noexcept { return ufrags_.size(); }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Entry {
    std::shared_ptr<TcpConnection> connection;
    Endpoint* endpoint = nullptr;  // null until an authenticated check bound it
    TimePoint acceptedAt{};
    TimePoint lastReceived{};
  };

  TcpMux(boost::asio::io_context& io, const Options& options);
  void startAccept();
  void onTcpFrame(TcpConnection& connection, std::span<std::uint8_t> frame) override;
  void onTcpClosed(TcpConnection& connection, TcpCloseReason reason) override;
  void drop(const StunAddress& remote, std::uint64_t& counter);
  void armSweep();
  void sweep();

  boost::asio::io_context& io_;
  Options options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer sweepTimer_;
  bool sweepArmed_ = false;
  StunAddress local_;
  std::unordered_map<std::string, Endpoint*> ufrags_;
  std::unordered_map<StunAddress, Entry, StunAddressHash> connections_;
  Stats stats_;
  std::shared_ptr<bool> alive_;
};

}  // namespace huddle::rtc
