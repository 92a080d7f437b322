#pragma once
// Single-threaded: a WebRtcTransport, its socket or mux, and all its callbacks run on one asio
// io_context thread; no locks. Other threads post() to that io_context.
//
// One WebRTC peer connection's transport: ICE (lite on the SFU side, full and controlling on
// the SDK side), DTLS-SRTP keys, SRTP for media and SCTP over DTLS for data channels, glued
// together through the sibling modules' Listener interfaces. The transport owns one
// steady_timer that drives ICE, DTLS retransmission and SCTP's timer wheel.
//
// Flow: connect(remote) -> ICE checks -> selected path -> DTLS handshake on it -> SRTP sessions
// from the exported keys and (with data channels) SCTP over DTLS application data -> Connected.
// Server role: ICE-lite behind a shared UdpMux whose address is the host candidate.
// Client role: full ICE agent on a socket of its own.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/ice/ice_credentials.h"
#include "rtc/ice/stun_address.h"

namespace huddle::rtc {

class TcpMux;
class UdpMux;

enum class WebRtcTransportRole : std::uint8_t { Server, Client };
enum class TransportState : std::uint8_t { New, Connecting, Connected, Failed, Closed };
[[nodiscard]] std::string_view toString(TransportState state) noexcept;

// a=setup: Active makes this side the DTLS client.
enum class DtlsSetup : std::uint8_t { Active, Passive };

enum class WebRtcTransportError { InvalidOptions, Socket };

// Tcp: an ICE-TCP candidate (RFC 6544, RFC 4571 framing). The ones we advertise are always
// tcptype passive (the server listens); the client connects actively and signals none.
enum class IceCandidateProtocol : std::uint8_t { Udp, Tcp };

struct IceCandidateInfo {
  StunAddress address;
  std::uint32_t priority = 0;
  IceCandidateProtocol protocol = IceCandidateProtocol::Udp;
};

// What one side tells the other (in SDP, in the real system).
struct TransportParameters {
  IceCredentials ice;
  DtlsFingerprint fingerprint;
  std::vector<IceCandidateInfo> candidates;
  bool iceLite = false;
  DtlsSetup setup = DtlsSetup::Passive;
};

class WebRtcTransport final {
 public:
  // Callbacks run synchronously on the io_context thread from inside packet handling, timers
  // or the transport's own methods. A callee may call sendRtp/sendRtcp/sendData,
  // createDataChannel and closeDataChannel. It must not destroy the transport or call close()
  // from a callback: post() that instead. Spans are valid only during the call.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTransportStateChanged(WebRtcTransport& transport, TransportState state) = 0;
    // Decrypted RTP/RTCP; writable so a forwarder may rewrite headers in place.
    virtual void onRtpPacket(WebRtcTransport& transport, std::span<std::uint8_t> packet) = 0;
    virtual void onRtcpPacket(WebRtcTransport& transport, std::span<std::uint8_t> packet) = 0;
    // A channel is usable: the peer opened it, or acknowledged the one we created.
    virtual void onDataChannelOpen(WebRtcTransport& /*transport*/, std::uint16_t /*id*/,
                                   std::string_view /*label*/) {}
    virtual void onDataChannelMessage(WebRtcTransport& /*transport*/, std::uint16_t /*id*/,
                                      std::span<const std::uint8_t> /*data*/, bool /*binary*/) {}
    virtual void onDataChannelClose(WebRtcTransport& /*transport*/, std::uint16_t /*id*/) {}
    // A path was selected: the first one, a different one, or again after an ICE restart.
    virtual void onIceSelectedPathChanged(WebRtcTransport& /*transport*/,
                                          const StunAddress& /*remote*/) {}
  };

  struct Options {
    WebRtcTransportRole role = WebRtcTransportRole::Client;
    std::shared_ptr<const DtlsCertificate> certificate;
    // Server role: required, the shared socket; borrowed, must outlive the transport. Client
    // role: ignored.
    UdpMux* mux = nullptr;
    // Server role, optional: the shared ICE-TCP listener, advertised as a passive TCP candidate
    // beside the UDP one. Borrowed, must outlive the transport.
    TcpMux* tcpMux = nullptr;
    // Client role: the local address its own socket binds (port 0: ephemeral).
    std::string bindAddress = "127.0.0.1";
    std::uint16_t bindPort = 0;
    // Unset: Client role follows the peer's setup at connect() (DTLS client unless the peer is
    // Active), Server role is DTLS server (Passive). Set: this role whatever the peer says.
    std::optional<DtlsSetup> setup;
    bool enableDataChannels = true;
    std::uint16_t sctpPort = 5000;
    std::size_t maxMessageSize = 65536;
    // Connecting longer than this (no ICE path or no DTLS) makes the transport Failed.
    std::chrono::milliseconds connectTimeout{30'000};
    // How long close() waits for the SCTP shutdown before DTLS close_notify regardless.
    std::chrono::milliseconds sctpShutdownTimeout{2'000};
  };

  struct Stats {
    std::uint64_t stunReceived = 0;
    std::uint64_t dtlsReceived = 0;
    std::uint64_t rtpReceived = 0;
    std::uint64_t rtcpReceived = 0;
    std::uint64_t rtpSent = 0;
    std::uint64_t rtcpSent = 0;
    std::uint64_t droppedNoPath = 0;    // DTLS/media from a source that is not the selected path
    std::uint64_t droppedNotReady = 0;  // media before SRTP keys, or sends before a path
    std::uint64_t droppedSrtp = 0;      // unprotect failures (auth, replay)
    std::uint64_t droppedGarbage = 0;   // first byte outside RFC 7983 ranges
    std::uint64_t sendFailures = 0;     // protect failures or socket refused
    std::uint64_t selectedPathChanges = 0;
    std::uint64_t iceRestartsCompleted = 0;  // a path was nominated with the new credentials
    std::uint64_t sctpPacketsDropped = 0;    // larger than a DTLS record may carry, or no DTLS
  };

  [[nodiscard]] static Result<std::unique_ptr<WebRtcTransport>, WebRtcTransportError> create(
      boost::asio::io_context& io, const Options& options, Listener& listener);
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;
  ~WebRtcTransport();

  // Our credentials, fingerprint, host candidate and DTLS setup, to signal to the peer. Client
  // role without a forced Options::setup: Active (what we would take) until connect(), then
  // the role the peer's setup left us.
  [[nodiscard]] TransportParameters localParameters() const;
  // The peer's parameters: starts ICE (checks on the client side) and arms DTLS, which starts
  // once ICE has selected a path. Call once; state becomes Connecting. Client role without a
  // forced Options::setup: remote.setup Active makes us the DTLS server, Passive the client.
  // With no remote candidates the client waits for addRemoteCandidate() (up to connectTimeout).
  void connect(const TransportParameters& remote);
  // Client role, after connect(): a trickled UDP candidate of the peer; its pairs are checked
  // right away. False: server role (ICE-lite learns addresses from checks), before connect or
  // after close/failure, a TCP candidate or a client on ICE-TCP, a duplicate, or the limit.
  bool addRemoteCandidate(const IceCandidateInfo& candidate);

  // Protect in place and send on the selected path. `buffer` is the writable area, the packet
  // its first `length` octets; it needs the SRTP tag's room after the packet (16 octets is
  // enough for both profiles). Allowed from the moment DTLS produced the SRTP keys, even while
  // SCTP is still connecting. False: no keys yet, closed, protect failed, or the socket refused.
  bool sendRtp(std::span<std::uint8_t> buffer, std::size_t length);
  bool sendRtcp(std::span<std::uint8_t> buffer, std::size_t length);

  // Needs state Connected and data channels enabled. maxRetransmits set: partially reliable.
  std::optional<std::uint16_t> createDataChannel(std::string_view label, bool ordered = true,
                                                 std::optional<std::uint16_t> maxRetransmits = {});
  bool sendData(std::uint16_t id, std::span<const std::uint8_t> data, bool binary = true);
  bool closeDataChannel(std::uint16_t id);
  // Bytes accepted by sendData() that SCTP has not taken yet.
  [[nodiscard]] std::size_t bufferedAmount() const;

  // New local credentials for the peer; checks with them select a path again while media keeps
  // flowing on the old one. The peer's new credentials go to setRemoteIceCredentials().
  IceCredentials restartIce();
  void setRemoteIceCredentials(const IceCredentials& remote);

  // Orderly close: SCTP shutdown (bounded by sctpShutdownTimeout), DTLS close_notify, ICE
  // closed, timer cancelled, mux registration removed; then state Closed. Idempotent. The peer
  // reaches Closed when the close_notify arrives.
  void close();

  [[nodiscard]] TransportState state() const noexcept;
  [[nodiscard]] WebRtcTransportRole role() const noexcept;
  [[nodiscard]] const Stats& stats() const noexcept;
  [[nodiscard]] bool dataChannelsConnected() const noexcept;
  // Empty until ICE selected a path.
  [[nodiscard]] std::optional<StunAddress> selectedRemote() const;

 private:
  struct Impl;
  explicit WebRtcTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace huddle::rtc
