#pragma once
// Single-threaded: a PeerSession, its transport and every Listener callback run on one asio
// io_context thread; no locks.
//
// One client peer connection on rtc::WebRtcTransport (Client role: full ICE, controlling): the
// RTCPeerConnection subset a LiveKit client needs. Single-connection mode (/rtc/v1): we offer
// send sections, recvonly slots the server fills and a data section; the server answers with
// mid_to_track_id. Classic mode (/rtc): the same object as the publisher connection, or, through
// applyRemoteOffer(), as the subscriber connection the server offers.
//
// Media: the caller builds RTP with writeRtpHeader() (or its own header) and sendRtp() stamps the
// negotiated SSRC and payload type in place. Received RTP is demultiplexed to a section (by the
// remote a=ssrc, else the mid extension, else the payload type of the only section using it) and
// handed over with the LiveKit track sid. RTCP feedback about our SSRCs goes to the sending
// section; reports go to onReport. The per-packet paths do not allocate, except once for each
// SSRC learnt from a packet (bounded), and never throw.
//
// DTLS: offers say actpass and the transport follows the answer's setup: an answer claiming
// the client role (setup:active, what the reference LiveKit server writes) makes us the DTLS
// server. As the answerer we say active and are the DTLS client.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client/peer/client_sdp.h"
#include "common/result.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/transport/webrtc_transport.h"

namespace huddle::rtc {
struct RtcpPacket;
class RtcpNack;
class RtcpTransportCc;
struct RtcpSenderReport;
struct RtcpReceiverReport;
}  // namespace huddle::rtc

namespace huddle::client {

inline constexpr std::string_view kReliableLabel = "_reliable";
inline constexpr std::string_view kLossyLabel = "_lossy";
enum class DataChannelKind : std::uint8_t { Reliable, Lossy };

enum class PeerError : std::uint8_t {
  InvalidOptions,   // no certificate, bad bind address
  InvalidTrack,     // empty cid, too many layers, duplicate rids
  UnknownMid,       // no such send section
  WrongState,       // e.g. an answer without an offer, an offer in the subscriber role
  BadDescription,   // the remote SDP was refused (see ClientSdpError in the message)
  Unsupported,      // a valid answer we cannot follow (see the message)
};

struct SendTrackSpec {
  SectionKind kind = SectionKind::Video;
  std::string cid;       // the AddTrack cid; written as the msid track id
  std::string streamId;  // the msid stream id
  // Empty: one layer. Otherwise lowest first, e.g. {"q", "h", "f"}.
  std::vector<std::string> rids;
  SimulcastSignalling signalling = SimulcastSignalling::Rid;
};

// What the answer settled for one layer of a send section. Valid once negotiated is true.
struct SendStreamParams {
  std::uint32_t ssrc = 0;
  std::uint32_t rtxSsrc = 0;
  std::uint8_t payloadType = 0;
  std::uint8_t rtxPayloadType = 0;  // 0: no RTX negotiated
  std::uint32_t clockRate = 0;
  std::uint8_t midExtensionId = 0;  // 0: do not write it
  std::uint8_t ridExtensionId = 0;  // 0: do not write it (also single-layer sections)
  std::uint8_t repairedRidExtensionId = 0;
  std::string_view mid;  // points into the session; valid while the track exists
  std::string_view rid;
  bool negotiated = false;
};

struct SectionRtpHeader {
  std::uint16_t sequenceNumber = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
};

// Writes an RTP header for `params` with a one-byte extension block carrying mid and rid when
// negotiated. Returns the header size, 0 when `out` is too small. Allocation-free.
[[nodiscard]] std::size_t writeRtpHeader(const SendStreamParams& params, const SectionRtpHeader& fields,
                                         std::span<std::uint8_t> out) noexcept;

enum class SendFeedbackType : std::uint8_t { Nack, Pli, Fir, Remb, TransportCc };

// One feedback message about what we send. Pointers are valid only during the callback.
struct SendFeedback {
  SendFeedbackType type = SendFeedbackType::Pli;
  std::string_view mid;  // empty for transport-wide feedback that names no SSRC of ours
  int layer = 0;
  std::uint32_t mediaSsrc = 0;
  bool aboutRtx = false;
  const rtc::RtcpNack* nack = nullptr;
  const rtc::RtcpTransportCc* transportCc = nullptr;
  std::uint64_t rembBitrateBps = 0;
};

class PeerSession final : private rtc::WebRtcTransport::Listener {
 public:
  // Callbacks run on the io_context thread from packet handling or from the session's own
  // methods. They may call send*, but must not destroy the session (post() that instead).
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onConnectionStateChanged(PeerSession& /*session*/, rtc::TransportState /*state*/) {}
    // Writable so a receiver may rewrite headers in place; the span lives for the call only.
    virtual void onRemoteTrackRtp(PeerSession& /*session*/, std::string_view /*mid*/,
                                  std::string_view /*trackSid*/, std::span<std::uint8_t> /*packet*/) {}
    virtual void onSendFeedback(PeerSession& /*session*/, const SendFeedback& /*feedback*/) {}
    // Exactly one of the two is set.
    virtual void onReport(PeerSession& /*session*/, const rtc::RtcpSenderReport* /*sr*/,
                          const rtc::RtcpReceiverReport* /*rr*/) {}
    virtual void onDataChannelOpen(PeerSession& /*session*/, std::string_view /*label*/) {}
    virtual void onDataMessage(PeerSession& /*session*/, std::string_view /*label*/,
                               std::span<const std::uint8_t> /*data*/) {}
  };

  enum class Role : std::uint8_t {
    Offerer,     // v1, and v0's publisher: we offer, create _reliable and _lossy
    Subscriber,  // v0's subscriber: the server offers and opens the channels
  };

  struct Options {
    Role role = Role::Offerer;
    std::shared_ptr<const rtc::DtlsCertificate> certificate;
    std::string bindAddress = "127.0.0.1";
    std::string cname;  // random when empty
    std::chrono::milliseconds connectTimeout{15'000};
  };

  struct Stats {
    std::uint64_t rtpDelivered = 0;
    std::uint64_t rtpUnparsed = 0;        // not RTP after decryption
    std::uint64_t rtpUnknownStream = 0;   // no section matched (SSRC, mid, payload type)
    std::uint64_t rtpInactiveSection = 0; // matched a section the server does not send on
    std::uint64_t rtcpMalformed = 0;      // compound with a broken header, or a bad message
    std::uint64_t rtcpUnknownSsrc = 0;    // feedback about an SSRC we do not send
    std::uint64_t rtcpIgnored = 0;        // SDES, BYE, XR, APP...
    std::uint64_t feedbackDelivered = 0;
    std::uint64_t reportsDelivered = 0;
    std::uint64_t sendRefused = 0;        // unknown mid/layer, not negotiated, transport refused
    std::uint64_t dataUnknownChannel = 0;
    std::uint64_t descriptionsRejected = 0;
  };

  [[nodiscard]] static Result<std::unique_ptr<PeerSession>, PeerError> create(
      boost::asio::io_context& io, Options options, Listener& listener);
  PeerSession(const PeerSession&) = delete;
  PeerSession& operator=(const PeerSession&) = delete;
  ~PeerSession() override;

  // ---- negotiation (Offerer) ------------------------------------------------------------------
  // A new sendonly section with random SSRCs per layer (and RTX SSRCs for video). Returns its mid.
  [[nodiscard]] Result<std::string, PeerError> addSendTrack(const SendTrackSpec& spec);
  // The section stays (mids never move) but becomes inactive in the next offer.
  [[nodiscard]] Result<Ok, PeerError> removeSendTrack(std::string_view mid);
  // Recvonly slots the server fills (single-connection mode).
  void addRecvTransceivers(unsigned audio, unsigned video);
  // The whole current offer; every call bumps the session version. The first call also adds
  // the data section.
  [[nodiscard]] Result<std::string, PeerError> createOffer();
  // The answer to the last offer. The first one starts ICE and DTLS; later ones update sections,
  // the track mapping and, after restartIce(), the server's credentials.
  [[nodiscard]] Result<Ok, PeerError> applyAnswer(std::string_view sdp,
                                                  const std::map<std::string, std::string>& midToTrackId);
  // New local ICE credentials, carried by the next createOffer() (resume, section 5.2).
  void restartIce();

  // ---- negotiation (Subscriber) ---------------------------------------------------------------
  [[nodiscard]] Result<std::string, PeerError> applyRemoteOffer(std::string_view sdp);

  // ---- media ----------------------------------------------------------------------------------
  // Null when the mid/layer does not exist. Check negotiated before sending.
  [[nodiscard]] const SendStreamParams* sendParams(std::string_view mid, std::size_t layer = 0) const;
  // Stamps SSRC and payload type of (mid, layer) into the packet in `buffer` (its first `length`
  // octets; room for the SRTP tag after it) and sends it. rtx: the packet is an RTX packet.
  bool sendRtp(std::string_view mid, std::size_t layer, std::span<std::uint8_t> buffer,
               std::size_t length, bool rtx = false);
  bool sendRtcp(std::span<std::uint8_t> buffer, std::size_t length);

  // ---- data -----------------------------------------------------------------------------------
  bool sendData(std::string_view label, std::span<const std::uint8_t> data);
  // An enum, not a bool: a string literal would silently pick a bool overload.
  bool sendData(DataChannelKind kind, std::span<const std::uint8_t> data) {
    return sendData(kind == DataChannelKind::Reliable ? kReliableLabel : kLossyLabel, data);
  }
  [[nodiscard]] bool dataChannelOpen(std::string_view label) const;

  void close();

  [[nodiscard]] rtc::TransportState state() const noexcept;
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
  [[nodiscard]] const rtc::WebRtcTransport* transport() const noexcept { return transport_.get(); }
  // The track sid a receiving section carries now, empty when idle.
  [[nodiscard]] std::string trackSidOf(std::string_view mid) const;
  [[nodiscard]] std::vector<std::string> mids() const;
  // What the remote description says about a section (kind, payload types, SSRCs, extension
  // ids); null before the section was described. Valid until the next description.
  [[nodiscard]] const NegotiatedSection* remoteSection(std::string_view mid) const;

 private:
  struct Section;
  struct SsrcRoute {
    std::uint32_t section = 0;  // index into sections_
    std::uint16_t layer = 0;
    bool rtx = false;
  };

  PeerSession(Options options, Listener& listener);

  // rtc::WebRtcTransport::Listener
  void onTransportStateChanged(rtc::WebRtcTransport& transport, rtc::TransportState state) override;
  void onRtpPacket(rtc::WebRtcTransport& transport, std::span<std::uint8_t> packet) override;
  void onRtcpPacket(rtc::WebRtcTransport& transport, std::span<std::uint8_t> packet) override;
  void onDataChannelOpen(rtc::WebRtcTransport& transport, std::uint16_t id, std::string_view label) override;
  void onDataChannelMessage(rtc::WebRtcTransport& transport, std::uint16_t id,
                            std::span<const std::uint8_t> data, bool binary) override;
  void onDataChannelClose(rtc::WebRtcTransport& transport, std::uint16_t id) override;

  std::string nextMid();
  std::uint32_t newSsrc();
  void applySections(const RemoteDescriptionInfo& info);
  void rebuildSsrcRoutes();
  [[nodiscard]] std::uint8_t midExtensionId() const noexcept;
  void handleFeedback(const rtc::RtcpPacket& packet);
  bool deliverFeedback(SendFeedback& feedback, std::uint32_t ssrc);
  void startTransport(const RemoteDescriptionInfo& info);

  Options options_;
  Listener& listener_;
  std::unique_ptr<rtc::WebRtcTransport> transport_;
  std::vector<std::unique_ptr<Section>> sections_;
  std::unordered_map<std::uint32_t, SsrcRoute> sendSsrcs_;
  std::unordered_map<std::uint32_t, SsrcRoute> recvSsrcs_;
  std::map<std::uint16_t, std::string> channels_;  // open data channels by SCTP stream id
  rtc::IceCredentials localIce_;
  std::optional<rtc::IceCredentials> remoteIce_;
  std::uint64_t sessionVersion_ = 0;
  std::string sessionId_;
  std::size_t learnedSsrcs_ = 0;
  unsigned midCounter_ = 0;
  bool offerPending_ = false;
  bool connectStarted_ = false;
  bool channelsCreated_ = false;
  Stats stats_;
};

[[nodiscard]] std::string_view toString(PeerError error);

}  // namespace huddle::client
