#pragma once
// Single-threaded: a UdpMux and every transport registered on it run on one asio io_context;
// no locks.
//
// One UDP socket shared by many server-side transports. A datagram from a 5-tuple seen before
// goes to the transport that tuple was bound to; a datagram from an unknown source is accepted
// only when it is a STUN Binding request whose USERNAME names a registered local ufrag. The
// tuple is bound by the transport (bindTuple) once ICE has authenticated that request, so a
// forged request that merely names a ufrag binds nothing. Everything else (unknown source, not
// STUN/DTLS/RTP/RTCP by its first byte, RFC 7983) is dropped and counted.
//
// Sends made while the mux dispatches a batch of received datagrams (an SFU fanning publisher
// packets out to their subscribers) are copied into a preallocated batch and handed to the
// kernel in one sendmmsg() at the end of the receive batch or when the send batch fills up.
// Outside a dispatch a send goes out at once.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "rtc/ice/stun_address.h"
#include "rtc/transport/udp_socket.h"

namespace huddle::rtc {

// RFC 7983 first-byte ranges.
enum class DatagramClass : std::uint8_t { Stun, Dtls, RtpOrRtcp, Unknown };
[[nodiscard]] DatagramClass classifyDatagram(std::span<const std::uint8_t> data) noexcept;

struct StunAddressHash {
  std::size_t operator()(const StunAddress& a) const noexcept;
};

class UdpMux final : private UdpSocket::Listener {
 public:
  // A transport behind the mux. onMuxPacket runs on the io_context thread with a writable span
  // valid only during the call; the callee may send through the mux and may unregister itself,
  // but must not destroy the mux.
  class Endpoint {
   public:
    virtual ~Endpoint() = default;
    virtual void onMuxPacket(std::span<std::uint8_t> data, const StunAddress& from) = 0;
  };

  struct Stats {
    std::uint64_t routed = 0;
    std::uint64_t tuplesBound = 0;
    std::uint64_t droppedUnknownSource = 0;  // not a STUN request naming a registered ufrag
    std::uint64_t droppedGarbage = 0;        // first byte outside the RFC 7983 ranges, or empty
    std::uint64_t sendsBatched = 0;          // sends queued during a dispatch
    std::uint64_t batchesFlushed = 0;        // sendBatch calls made for them
  };

  // Limits the tuple table against a peer spraying source addresses with valid checks.
  static constexpr std::size_t kMaxTuplesPerEndpoint = 8;
  // The send batch: a fan-out to this many subscribers goes out in one kernel call; a larger
  // datagram is sent on its own (after what is queued, so order is kept).
  static constexpr std::size_t kBatchCapacity = UdpSocket::kMaxBatch;
  static constexpr std::size_t kBatchSlotSize = 1600;

  [[nodiscard]] static Result<std::unique_ptr<UdpMux>, UdpSocketError> create(
      boost::asio::io_context& io, std::string_view ip, std::uint16_t port = 0);
  UdpMux(const UdpMux&) = delete;
  UdpMux& operator=(const UdpMux&) = delete;
  ~UdpMux() override;

  // False if the ufrag is already taken by another endpoint.
  bool registerUfrag(const std::string& ufrag, Endpoint& endpoint);
  void unregisterUfrag(const std::string& ufrag);
  // Removes every ufrag and tuple of `endpoint`.
  void unregisterEndpoint(Endpoint& endpoint);
  // Routes later datagrams from `from` to `endpoint` (after an authenticated check).
  void bindTuple(const StunAddress& from, Endpoint& endpoint);

  // Inside a dispatch: true once queued (a kernel refusal at the flush is counted in
  // socketCounters().sendErrors). Outside: the kernel's answer.
  bool send(std::span<const std::uint8_t> data, const StunAddress& to);
  // Sends what is queued now; the mux does this itself at the end of every receive batch.
  void flush();

  [[nodiscard]] const StunAddress& localAddress() const noexcept { return socket_->localAddress(); }
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
  [[nodiscard]] const UdpSocket::Counters& socketCounters() const noexcept {
    return socket_->counters();
  }
  [[nodiscard]] std::size_t tupleCount() const noexcept { return tuples_.size(); }
  [[nodiscard]] std::size_t ufragCount() const noexcept { return ufrags_.size(); }

 private:
  UdpMux() = default;
  void onUdpPacket(UdpSocket& socket, std::span<std::uint8_t> data,
                   const StunAddress& from) override;
  void onUdpBatchEnd(UdpSocket& socket) override;
  void route(std::span<std::uint8_t> data, const StunAddress& from);

  struct SendBatch {
    std::array<std::array<std::uint8_t, kBatchSlotSize>, kBatchCapacity> slots;
    std::array<UdpSocket::Datagram, kBatchCapacity> datagrams;
    std::size_t count = 0;
  };

  std::unique_ptr<UdpSocket> socket_;
  std::unique_ptr<SendBatch> batch_ = std::make_unique<SendBatch>();
  bool dispatching_ = false;
  std::unordered_map<std::string, Endpoint*> ufrags_;
  std::unordered_map<StunAddress, Endpoint*, StunAddressHash> tuples_;
  Stats stats_;
};

}  // namespace huddle::rtc
