#pragma once
// One incoming VP8 stream: RTP (and RTX) in, complete frames out in decode order. Packets wait
// in a ReorderBuffer until the sequence before them is complete, so the depacketizer (which
// gives a frame up as soon as a newer frame's packet arrives) sees them in order; gaps are
// NACKed after a short reorder wait, retried every RTT, and given up after the last retry or
// maxWait. tick() emits NACK and PLI (rate-limited) through the Listener; report blocks and
// stats are read by the caller. Pure: time is passed in. Not thread-safe: one thread drives it,
// and the listener must not call back into the stream except requestKeyframe().

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "client/stream/freeze_detector.h"
#include "client/stream/incoming_rtp.h"
#include "client/stream/receive_statistics.h"
#include "client/stream/reorder_buffer.h"
#include "client/stream/stream_clock.h"
#include "media/vp8_rtp.h"
#include "rtc/rtp/rtcp_report.h"

namespace huddle::client {

struct VideoReceiveStreamConfig {
  std::uint32_t ssrc = 0;
  std::optional<std::uint32_t> rtxSsrc;
  std::uint8_t payloadType = 96;
  std::uint8_t rtxPayloadType = 97;
  std::uint32_t localSsrc = 1;  // sender SSRC of our feedback
  std::size_t bufferPackets = 512;  // at most 512
  bool nack = true;
  int maxNackRetries = 10;
  std::chrono::milliseconds reorderWait{10};
  std::chrono::milliseconds maxWait{1000};
  std::chrono::milliseconds rtt{100};  // until setRtt() says better
  std::chrono::milliseconds pliInterval{300};
  std::chrono::milliseconds stuckTimeout{1000};  // new packets this long after the last frame: PLI
};

struct VideoReceiveStreamStats {
  std::uint64_t packets = 0;  // accepted media packets, RTX included
  std::uint64_t bytes = 0;    // whole RTP packets as received
  std::uint64_t malformed = 0;
  std::uint64_t ignored = 0;  // unknown SSRC or payload type, padding only
  std::uint64_t duplicates = 0;
  std::uint64_t late = 0;           // after their sequence number was released or given up
  std::uint64_t rtxPackets = 0;
  std::uint64_t recovered = 0;      // filled a gap after a NACK
  std::uint64_t nackedPackets = 0;  // distinct sequence numbers NACKed
  std::uint64_t nackRequests = 0;   // sequence numbers in NACK messages, retries included
  std::uint64_t lost = 0;           // gaps given up
  std::uint64_t framesAssembled = 0;
  std::uint64_t framesDropped = 0;
  std::uint64_t keyframesRequested = 0;  // PLIs sent
  std::uint64_t freezes = 0;
  std::int64_t totalFreezeUs = 0;
};

class VideoReceiveStream final {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A complete frame, in decode order; frame.data is valid during the call.
    virtual void onVideoReceiveStreamFrame(VideoReceiveStream& stream, const media::Vp8AssembledFrame& frame) = 0;
    // One RTCP feedback packet (NACK or PLI) to send; valid during the call.
    virtual void onVideoReceiveStreamRtcp(VideoReceiveStream& stream, std::span<const std::uint8_t> rtcp) = 0;
  };

  VideoReceiveStream(const VideoReceiveStreamConfig& config, Listener& listener);

  // A decrypted RTP packet (media or RTX) of this stream; bad ones are counted and ignored.
  void onRtp(std::span<std::uint8_t> packet, StreamTime now);
  // Gives up expired gaps, then sends due NACKs and a PLI when one is wanted. Call every
  // 5-20 ms.
  void tick(StreamTime now);
  // The decoder could not use a frame: ask for a keyframe at the next tick.
  void requestKeyframe() noexcept { keyframeWanted_ = true; }
  void setRtt(std::chrono::microseconds rtt) noexcept;
  void onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) noexcept;
  [[nodiscard]] std::optional<rtc::ReportBlock> makeReportBlock(StreamTime now) noexcept {
    return statistics_.makeReportBlock(config_.ssrc, now);
  }

  [[nodiscard]] const VideoReceiveStreamStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const ReceiveStatistics& receiveStatistics() const noexcept { return statistics_; }
  [[nodiscard]] const VideoReceiveStreamConfig& config() const noexcept { return config_; }

 private:
  void release(std::int64_t nowUs);
  void push(const BufferedPacket& packet, std::int64_t nowUs);
  void expire(std::int64_t nowUs);
  void skipTo(std::uint16_t seq) noexcept;
  void sendNacks(std::int64_t nowUs);
  void maybeSendPli(std::int64_t nowUs);

  VideoReceiveStreamConfig config_;
  Listener& listener_;
  IncomingRtpConfig incoming_;
  NackTiming timing_;
  ReorderBuffer buffer_;
  media::Vp8Depacketizer depacketizer_;
  ReceiveStatistics statistics_;
  FreezeDetector freezes_;
  // Until this time after the first packet, nothing is released: the first packets may be
  // reordered too, and the depacketizer must not start in the middle.
  std::int64_t holdUntilUs_ = 0;
  std::int64_t firstPacketUs_ = -1;
  std::int64_t lastFrameUs_ = -1;
  std::int64_t lastPacketUs_ = -1;
  std::int64_t lastPliUs_ = -1;
  bool keyframeWanted_ = false;
  bool keyframePending_ = false;  // a PLI went out and no keyframe came yet
  std::optional<std::uint16_t> pendingKeyframeSeq_;  // newest keyframe start not yet released
  VideoReceiveStreamStats stats_;
  // The buffer never spans more sequence numbers than one NACK batch can name.
  static constexpr std::size_t kMaxBufferPackets = 512;
  std::array<std::uint16_t, kMaxBufferPackets> nackSeqs_{};
  std::array<std::uint8_t, 12 + 4 * kMaxBufferPackets> rtcp_{};
};

}  // namespace huddle::client
