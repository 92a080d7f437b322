#pragma once
// Single-threaded: a DownTrack lives on the worker that owns its room; no locks.
//
// One subscriber's copy of one published track. Every forwarded packet is copied into the
// downtrack's own buffer (SRTP protects in place, and each subscriber has its own keys) and
// rewritten there: the subscriber's SSRC and payload type, extension ids in the subscriber's
// numbering, and sequence numbers and timestamps that stay continuous across pauses and
// source (simulcast layer) switches, so the subscriber's jitter buffer sees one unbroken
// stream. Video starts, resumes and switches layer only on a keyframe of the target layer.
// No allocation per packet.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "rtc/rtp/rtcp_report.h"
#include "rtc/rtp/rtp_packet.h"
#include "sfu/media/extension_map.h"
#include "sfu/media/media_codec.h"
#include "sfu/media/packet_cache.h"
#include "sfu/media/rtp_sink.h"

namespace huddle::sfu {

struct DownTrackConfig {
  std::uint32_t ssrc = 0;         // as announced in the subscriber's SDP
  std::uint8_t payloadType = 0;   // the subscriber's number for the publisher's codec
  CodecKind codec = CodecKind::Other;
  std::uint32_t clockRate = 90000;
  ExtensionMap extensions;
  // RTX (RFC 4588) as the subscriber negotiated it; payload type 0: retransmit plainly.
  std::uint8_t rtxPayloadType = 0;
  std::uint32_t rtxSsrc = 0;
};

struct DownTrackStats {
  std::uint64_t packetsSent = 0;
  std::uint64_t bytesSent = 0;
  std::uint64_t sendFailures = 0;      // the sink refused (not connected yet, socket full)
  std::uint64_t droppedWaitingKeyframe = 0;
  std::uint64_t droppedOtherLayer = 0;
  std::uint64_t droppedTooLarge = 0;   // no room for the packet plus the SRTP tag
  std::uint64_t droppedStale = 0;      // older than the current source's first forwarded packet
  std::uint64_t layerSwitches = 0;
  // Sent with the publisher's extension ids: a subscriber id did not fit the packet's form.
  std::uint64_t extensionRemapFailures = 0;
  // Loss recovery.
  std::uint64_t nackedPackets = 0;          // sequence numbers the subscriber NACKed
  std::uint64_t retransmittedRtx = 0;
  std::uint64_t retransmittedPlain = 0;
  std::uint64_t retransmitMissed = 0;       // not sent by us recently, or no longer cached
  std::uint64_t retransmitThrottled = 0;    // asked again within the repeat interval
};

// The subscriber's latest receiver report about this downtrack's SSRC.
struct RemoteReceiverReport {
  using TimePoint = std::chrono::steady_clock::time_point;
  double fractionLost = 0.0;        // 0..1, over the subscriber's last report interval
  std::int64_t cumulativeLost = 0;
  double jitterSeconds = 0.0;
  std::optional<double> rttSeconds;  // when its LSR names a sender report we sent
  TimePoint at{};                    // when it arrived
};

class DownTrack final {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr int kNoLayer = -1;
  static constexpr std::size_t kBufferSize = 1500 + 64;

  DownTrack(std::string trackSid, std::string subscriberSid, const DownTrackConfig& config,
            RtpSink& sink);
  DownTrack(const DownTrack&) = delete;
  DownTrack& operator=(const DownTrack&) = delete;

  // From the track's receiver, once per publisher packet. `packet` is not modified. `layer` is
  // the spatial layer the packet belongs to (0 without simulcast); `keyframe` was computed once
  // by the receiver for all downtracks.
  void forward(const rtc::RtpPacketView& packet, int layer, bool keyframe, TimePoint now);

  // The layer to follow; the switch happens at the next keyframe of that layer.
  void setTargetLayer(int layer);
  // Paused downtracks forward nothing (muted, disabled by the subscriber); resuming waits for a
  // keyframe, and numbering continues where it stopped.
  void setPaused(bool paused);

  // Whether forward() would look at a packet of `layer` at all: the current or target layer of
  // an unpaused downtrack. The receiver skips the others (forward() would count them as
  // droppedOtherLayer).
  [[nodiscard]] bool follows(int layer) const noexcept {
    return !paused_ && (layer == currentLayer_ || layer == targetLayer_);
  }
  // Video that is waiting for a keyframe of the target layer (start, resume, switch).
  [[nodiscard]] bool needsKeyframe() const noexcept {
    return video_ && !paused_ && (currentLayer_ == kNoLayer || currentLayer_ != targetLayer_);
  }
  [[nodiscard]] int targetLayer() const noexcept { return targetLayer_; }
  [[nodiscard]] int currentLayer() const noexcept { return currentLayer_; }
  [[nodiscard]] bool paused() const noexcept { return paused_; }
  [[nodiscard]] std::uint32_t ssrc() const noexcept { return config_.ssrc; }
  [[nodiscard]] const std::string& trackSid() const noexcept { return trackSid_; }
  [[nodiscard]] const std::string& subscriberSid() const noexcept { return subscriberSid_; }
  [[nodiscard]] const DownTrackStats& stats() const noexcept { return stats_; }

  // A subscriber NACKed `seq` (our numbering): resend it from `source` exactly as first sent
  // (same sequence number, timestamp and SSRC), inside RTX when negotiated. A sequence number
  // is not resent again within the repeat interval (the RTT when known, else 50 ms).
  void retransmit(std::uint16_t seq, const PacketSource& source, TimePoint now);

  // Reports. A sender report for this downtrack as of `now` (`ntpTimestamp` from the system
  // clock): the RTP timestamp is the last one sent, advanced by the time since at the clock
  // rate. False before anything was sent (there is no timeline to describe yet).
  bool makeSenderReport(TimePoint now, std::uint64_t ntpTimestamp, rtc::RtcpSenderReport& out) noexcept;
  // The subscriber's report block about ssrc(); RTT from its LSR/DLSR against our SRs.
  void onReceiverReport(const rtc::ReportBlock& block, TimePoint now) noexcept;
  [[nodiscard]] const std::optional<RemoteReceiverReport>& remoteReport() const noexcept {
    return remoteReport_;
  }
  [[nodiscard]] std::uint32_t clockRate() const noexcept { return config_.clockRate; }

 private:
  // RTP timestamp ticks in `elapsed` at the clock rate, exact in integers.
  [[nodiscard]] std::uint64_t ticksIn(TimePoint::duration elapsed) const noexcept;
  // VP8: the payload descriptor's picture id and TL0PICIDX continue across source switches as
  // the sequence numbers do (Chromium orders frames by picture id and drops "older" ones, so a
  // layer whose ids lag the previous layer's would freeze). `rebase` at a switch.
  struct Vp8Offsets {
    std::uint16_t pictureId = 0;
    std::uint8_t tl0PicIdx = 0;
  };
  void mungeVp8(std::span<std::uint8_t> payload, bool rebase) noexcept;
  static void applyVp8Offsets(std::span<std::uint8_t> payload, Vp8Offsets offsets) noexcept;

  std::string trackSid_;
  std::string subscriberSid_;
  DownTrackConfig config_;
  RtpSink& sink_;  // borrowed: the subscriber's transport glue outlives its downtracks
  bool video_ = false;
  bool remapExtensions_ = false;  // the table maps anything at all
  int targetLayer_ = 0;
  int currentLayer_ = kNoLayer;
  bool paused_ = false;
  // Rewrite state (the "munger"): out = in + offset, re-based at every source switch.
  bool started_ = false;
  std::uint16_t seqOffset_ = 0;
  std::uint32_t tsOffset_ = 0;
  std::uint16_t lastSeqOut_ = 0;
  std::uint32_t lastTsOut_ = 0;
  std::uint16_t firstSeqIn_ = 0;  // of the current source, to drop stragglers from before it
  TimePoint lastSentAt_{};
  Vp8Offsets vp8Offsets_;
  bool vp8Started_ = false;  // lastPictureIdOut_/lastTl0Out_ hold a sent value
  std::uint16_t lastPictureIdOut_ = 0;
  std::uint8_t lastTl0Out_ = 0;
  DownTrackStats stats_;
  // The last few SRs we sent (NTP middle 32 bits, when), to match an RR's LSR for the RTT.
  struct SentReport {
    std::uint32_t ntpMiddle = 0;
    TimePoint at{};
  };
  std::array<SentReport, 4> sentReports_{};
  std::size_t nextSentReport_ = 0;
  std::optional<RemoteReceiverReport> remoteReport_;
  // What each recently sent sequence number was made from, for NACKs: slot = out seq & mask.
  static constexpr std::size_t kSentHistory = 512;
  struct SentPacket {
    TimePoint lastResent{};
    std::uint32_t timestamp = 0;  // as sent
    std::uint16_t seqOut = 0;
    std::uint16_t seqIn = 0;
    std::int8_t layer = -1;       // -1: empty
    Vp8Offsets vp8;               // as applied to the first send
  };
  std::array<SentPacket, kSentHistory> sent_{};
  std::uint16_t rtxSeq_ = 0;
  std::array<std::uint8_t, kBufferSize> buffer_{};
  std::array<std::uint8_t, kBufferSize> rtxBuffer_{};
};

}  // namespace huddle::sfu
