#pragma once
// Single-threaded: a UdpSocket lives on one asio io_context and every call and callback runs on
// that context's thread; no locks.
//
// A UDP socket on a loopback or host address. Receiving takes up to kReceiveBatch datagrams per
// recvmmsg() call into preallocated slots, so it allocates nothing per datagram and a busy
// socket costs one system call per batch rather than per datagram. Sends are synchronous
// non-blocking send_to calls (UDP never blocks for long); sendBatch() hands several datagrams to
// the kernel in one sendmmsg() call.

#include <array>
// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "rtc/ice/stun_address.h"

namespace huddle::rtc {

enum class UdpSocketError { InvalidAddress, Bind };

class UdpSocket final {
 public:
  // WebRTC datagrams stay under the path MTU; a larger one is dropped and counted (truncated).
  static constexpr std::size_t kReceiveSlotSize = 4096;
  static constexpr std::size_t kReceiveBatch = 16;
  // Datagrams handled per readiness event before other handlers get their turn.
  static constexpr std::size_t kMaxReceivesPerWakeup = 4 * kReceiveBatch;

  // Runs on the io_context thread. `data` points into the socket's receive buffer, is writable
  // (SRTP unprotects in place) and is valid only during the call. A callee may send on this
  // socket; it must not destroy the socket.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onUdpPacket(UdpSocket& socket, std::span<std::uint8_t> data,
                             const StunAddress& from) = 0;
    // After the datagrams of one receive batch: a listener that queues its sends while it
    // handles a batch sends them now.
    virtual void onUdpBatchEnd(UdpSocket& /*socket*/) {}
  };

  struct Counters {
    std::uint64_t packetsReceived = 0;
    std::uint64_t bytesReceived = 0;
    std::uint64_t packetsSent = 0;
    std::uint64_t bytesSent = 0;
    std::uint64_t sendErrors = 0;     // kernel refused (buffer full, unreachable, ...)
    std::uint64_t receiveErrors = 0;  // errors other than the cancel on close
    std::uint64_t sendmmsgCalls = 0;  // kernel calls made by sendBatch
    std::uint64_t recvmmsgCalls = 0;  // kernel calls that returned datagrams
    std::uint64_t receiveTruncated = 0;  // larger than kReceiveSlotSize: dropped
  };

  struct Datagram {
    std::span<const std::uint8_t> data;
    StunAddress to;
  };

  // Binds `ip` (e.g. "127.0.0.1" or "::1"), port 0 picks an ephemeral one. Receiving starts
  // at once.
  [[nodiscard]] static Result<std::unique_ptr<UdpSocket>, UdpSocketError> create(
      boost::asio::io_context& io, std::string_view ip, std::uint16_t port, Listener& listener);
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  // False when the kernel refused it (counted).
  bool send(std::span<const std::uint8_t> data, const StunAddress& to);
  // Number of datagrams the kernel accepted; the others were dropped (counted). One refused
  // for its own sake (unreachable destination) is skipped and the rest still go; a full
  // socket buffer drops the rest. At most kMaxBatch per sendmmsg call, no allocation.
  static constexpr std::size_t kMaxBatch = 64;
  std::size_t sendBatch(std::span<const Datagram> datagrams);
  // Stops receiving; pending handlers become no-ops. Idempotent.
  void close();

  [[nodiscard]] const StunAddress& localAddress() const noexcept { return local_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

  [[nodiscard]] static StunAddress toStunAddress(const boost::asio::ip::udp::endpoint& ep);
  [[nodiscard]] static boost::asio::ip::udp::endpoint toEndpoint(const StunAddress& address);

 private:
  UdpSocket(boost::asio::io_context& io, Listener& listener);
  void startReceive();
  void receiveReady(const std::shared_ptr<bool>& alive);
  struct ReceiveSlots;

  // borrowed: outlives this
  Listener& listener_;
  boost::asio::ip::udp::socket socket_;
  StunAddress local_;
  std::unique_ptr<ReceiveSlots> slots_;
  // Handlers hold a copy; the destructor clears it so a handler that runs after the socket is
  // gone (asio delivers operation_aborted later) does not touch freed memory.
  std::shared_ptr<bool> alive_;
  Counters counters_;
};

}  // namespace huddle::rtc
