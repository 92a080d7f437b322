#pragma once
// Single-threaded: a TcpConnection lives on one asio io_context and every call and callback runs
// on that context's thread; no locks.
//
// One ICE-TCP connection (RFC 6544) carrying RFC 4571 frames, either accepted by a TcpMux
// (passive) or opened by a client-role transport (active). Reads go through an Rfc4571Framer;
// sends are framed into a bounded queue written by one async_write at a time, so a peer that
// stops reading costs at most kMaxQueuedBytes before frames are dropped (whole frames only: a
// partial frame would desynchronise the stream).
//
// Lifetime: owners hold a shared_ptr; pending asio operations hold one too, which is what lets
// close() flush the queued frames (a DTLS close_notify, typically) after the owner let go.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "rtc/ice/stun_address.h"
#include "rtc/transport/tcp_framer.h"

namespace huddle::rtc {

enum class TcpCloseReason : std::uint8_t {
  PeerClosed,     // orderly EOF
  Error,          // read/write/connect error
  BadFraming,     // a length prefix over the framer's maximum
  ConnectFailed,  // active open did not succeed
};

class TcpConnection final : public std::enable_shared_from_this<TcpConnection> {
 public:
  static constexpr std::size_t kReadChunk = 16 * 1024;
  static constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;
  // How long close() keeps trying to flush queued frames to a peer that does not read.
  static constexpr std::chrono::milliseconds kFlushTimeout{2'000};

  // Runs on the io_context thread. A callee may send on the connection and close() it, but must
  // not expect the frame span to outlive the call. After close() no callback runs.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTcpFrame(TcpConnection& connection, std::span<std::uint8_t> frame) = 0;
    // The connection ended for `reason` without close() having been called.
    virtual void onTcpClosed(TcpConnection& connection, TcpCloseReason reason) = 0;
    // Active open only: the handshake completed; localAddress() is now known.
    virtual void onTcpConnected(TcpConnection& /*connection*/) {}
  };

  struct Counters {
    std::uint64_t framesReceived = 0;
    std::uint64_t bytesReceived = 0;  // stream octets, prefixes included
    std::uint64_t framesSent = 0;     // queued for the kernel
    std::uint64_t framesDropped = 0;  // queue full, too large, or not open
  };

  // Passive side: takes an accepted socket; reading starts with start().
  [[nodiscard]] static std::shared_ptr<TcpConnection> adopt(
      boost::asio::ip::tcp::socket socket, Listener& listener,
      std::size_t maxFrameSize = Rfc4571Framer::kDefaultMaxFrameSize);
  // Active side: connects to `remote` (from `bindIp`, port ephemeral); onTcpConnected or
  // onTcpClosed(ConnectFailed) follows. Empty when `bindIp` is not an address.
  [[nodiscard]] static std::shared_ptr<TcpConnection> connect(
      boost::asio::io_context& io, const StunAddress& remote, std::string_view bindIp,
      Listener& listener, std::size_t maxFrameSize = Rfc4571Framer::kDefaultMaxFrameSize);

  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;
  ~TcpConnection();

  void start();
  // Frames `payload` (<= 65535 octets) and queues it. False (counted) when not connected,
  // closing, too large or the queue is full.
  bool send(std::span<const std::uint8_t> payload);
  // Stops reading and calling the listener at once; frames already queued are still written
  // (bounded by kFlushTimeout), then the socket closes. Idempotent.
  void close();

  [[nodiscard]] bool isOpen() const noexcept { return connected_ && !closing_; }
  [[nodiscard]] const StunAddress& remoteAddress() const noexcept { return remote_; }
  [[nodiscard]] const StunAddress& localAddress() const noexcept { return local_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] std::size_t queuedBytes() const noexcept {
    return writing_.size() + pending_.size();
  }

  [[nodiscard]] static StunAddress toStunAddress(const boost::asio::ip::tcp::endpoint& ep);
  [[nodiscard]] static boost::asio::ip::tcp::endpoint toEndpoint(const StunAddress& address);

 private:
  struct Private {};

 public:
  // For make_shared only (Private is not reachable outside).
  TcpConnection(Private, boost::asio::ip::tcp::socket socket, Listener& listener,
                std::size_t maxFrameSize);

 private:
  void startRead();
  void startWrite();
  void fail(TcpCloseReason reason);
  void finish();

  boost::asio::ip::tcp::socket socket_;
  Listener* listener_;  // borrowed; null after close()
  Rfc4571Framer framer_;
  std::unique_ptr<std::uint8_t[]> readBuffer_;
  std::vector<std::uint8_t> writing_;  // owned by the async_write in flight
  std::vector<std::uint8_t> pending_;  // frames queued behind it
  boost::asio::steady_timer flushTimer_;
  StunAddress remote_;
  StunAddress local_;
  bool connected_ = false;
  bool closing_ = false;
  bool writeInFlight_ = false;
  Counters counters_;
};

}  // namespace huddle::rtc
