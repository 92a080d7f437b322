#pragma once
// One outgoing RTP stream (a VP8 simulcast layer or an Opus track): packetizes encoded frames,
// writes RTP headers with the negotiated extensions, keeps a send history to answer NACKs
// (RTX when an RTX SSRC is negotiated), counts what it sent and makes sender reports.
// Pure: time comes in as arguments, packets go out through the Listener, synchronously, from
// one scratch buffer: the listener protects and sends (or copies) before it returns, and must
// not call back into the stream. Not thread-safe: one thread (the transport's) drives a stream.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "client/stream/rtp_header_writer.h"
#include "client/stream/send_history.h"
#include "client/stream/stream_clock.h"
#include "client/stream/stream_error.h"
#include "media/vp8_rtp.h"
#include "rtc/rtp/rtcp_report.h"

namespace huddle::client {

enum class MediaKind : std::uint8_t { Audio, Video };

// The transport-wide sequence number is per transport, not per stream: streams sharing a
// transport share one of these so transport-cc feedback sees one sequence.
class TransportSequencer final {
 public:
  [[nodiscard]] std::uint16_t next() noexcept { return next_++; }

 private:
  std::uint16_t next_ = 1;
};

struct RtpSendStreamConfig {
  MediaKind kind = MediaKind::Video;
  std::uint32_t ssrc = 0;
  std::optional<std::uint32_t> rtxSsrc;  // RTX (RFC 4588) for retransmissions when set
  std::uint8_t payloadType = 96;
  std::uint8_t rtxPayloadType = 97;
  std::uint32_t clockRate = 90000;
  RtpExtensionIds extensions;
  std::string mid;  // up to 16 bytes
  std::string rid;  // simulcast layer; empty when not simulcast
  std::size_t maxPayloadSize = media::kDefaultMaxRtpPayload;
  std::size_t historyPackets = 512;
  std::chrono::milliseconds historyAge{1000};
  std::uint16_t firstSequence = 0;
  std::uint16_t firstRtxSequence = 0;
  NtpAnchor ntpAnchor;  // NtpAnchor::fromSystemClock() in production
  TransportSequencer* transportSequencer = nullptr;  // borrowed; the stream counts alone if null
};

// A packet ready for SRTP and the socket. bytes may be modified in place and tailroom bytes
// after its end are writable (the SRTP auth tag). Valid only during the listener call.
struct RtpOutgoingPacket {
  std::span<std::uint8_t> bytes;
  std::size_t tailroom = 0;
  bool retransmission = false;
};

struct RtpSendStreamStats {
  std::uint64_t packets = 0;  // media packets, first sends
  std::uint64_t payloadOctets = 0;
  std::uint64_t frames = 0;
  std::uint64_t retransmittedPackets = 0;
  std::uint64_t retransmittedOctets = 0;
  std::uint64_t nackedPackets = 0;      // sequence numbers asked for
  std::uint64_t nackNotInHistory = 0;   // too old or never sent
  std::uint64_t nackRateLimited = 0;    // resent less than an RTT ago
  std::uint64_t keyframeRequests = 0;   // PLI + FIR
};

class RtpSendStream final {
 public:
  static constexpr std::size_t kTailroom = 16;  // SRTP auth tag (10) and MKI, with slack
  static constexpr std::size_t kMaxPacketSize = 1500;

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onRtpSendStreamPacket(RtpSendStream& stream, RtpOutgoingPacket& packet) = 0;
    // A receiver asked for a keyframe (PLI or FIR); the encoder side should make one.
    virtual void onRtpSendStreamKeyframeRequest(RtpSendStream& /*stream*/) {}
  };

  [[nodiscard]] static StreamResult<std::unique_ptr<RtpSendStream>> create(const RtpSendStreamConfig& config,
                                                                           Listener& listener);

  // Video: packetizes one encoded VP8 frame; the last packet carries the marker bit.
  [[nodiscard]] StreamResult<Ok> sendVideoFrame(std::span<const std::uint8_t> vp8Frame, bool keyframe,
                                                std::uint32_t rtpTimestamp, StreamTime now);
  // Audio: one Opus packet. audioLevelDbov is -dBov (0 loudest, 127 silence).
  [[nodiscard]] StreamResult<Ok> sendAudioFrame(std::span<const std::uint8_t> opusPayload,
                                                std::uint32_t rtpTimestamp, std::uint8_t audioLevelDbov,
                                                bool voiceActivity, StreamTime now);

  // Resends what the history still holds, each packet at most once per RTT window.
  void onNack(std::span<const std::uint16_t> seqs, StreamTime now);
  void onPli();
  void onFir();
  // Whether a keyframe was asked for since the last call (clears the flag).
  [[nodiscard]] bool takeKeyframeRequest() noexcept;
  void setRtt(std::chrono::microseconds rtt) noexcept;

  // Sender report with the NTP/RTP mapping at `now` and the counts so far (no report blocks).
  [[nodiscard]] rtc::RtcpSenderReport makeSenderReport(StreamTime now) const noexcept;
  // A receiver's report about this stream: kept for stats, and its LSR/DLSR give the RTT
  // (RFC 3550 6.4.1), which then paces resends.
  void onReportBlock(const rtc::ReportBlock& block, StreamTime now) noexcept;
  [[nodiscard]] const std::optional<rtc::ReportBlock>& lastReportBlock() const noexcept { return lastReport_; }
  // The RTT measured from report blocks, once one echoed a sender report.
  [[nodiscard]] std::optional<std::chrono::microseconds> measuredRtt() const noexcept { return measuredRtt_; }

  // Dispatches one RTCP packet from the peer: NACK, PLI and FIR for this SSRC, and report
  // blocks about it in SR/RR. Returns whether it concerned this stream.
  bool handleRtcp(const rtc::RtcpPacket& packet, StreamTime now);

  [[nodiscard]] const RtpSendStreamStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const RtpSendStreamConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::uint16_t nextSequence() const noexcept { return nextSeq_; }

 private:
  RtpSendStream(const RtpSendStreamConfig& config, Listener& listener);

  void sendOne(std::span<const std::uint8_t> payload, bool marker, std::uint32_t rtpTimestamp,
               std::optional<std::uint8_t> audioLevelByte, StreamTime now);
  void resend(SentPacket& packet, StreamTime now);
  [[nodiscard]] RtpExtensionValues extensionValues(bool rtx, std::optional<std::uint8_t> audioLevelByte,
                                                   std::int64_t nowUs) noexcept;

  RtpSendStreamConfig config_;
  Listener& listener_;
  media::Vp8Packetizer packetizer_;
  SendHistory history_;
  std::uint16_t nextSeq_;
  std::uint16_t nextRtxSeq_;
  std::uint16_t ownTransportSeq_ = 1;
  std::int64_t rttUs_ = 100000;
  bool keyframeWanted_ = false;
  bool sentAny_ = false;
  std::uint32_t lastRtpTimestamp_ = 0;
  std::int64_t lastFrameUs_ = 0;
  std::optional<rtc::ReportBlock> lastReport_;
  std::optional<std::chrono::microseconds> measuredRtt_;
  std::array<std::uint16_t, 1024> nackScratch_{};
  RtpSendStreamStats stats_;
  std::array<std::uint8_t, kMaxPacketSize + kTailroom> scratch_{};
};

}  // namespace huddle::client
