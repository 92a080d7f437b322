#pragma once
// Single-threaded: a TrackReceiver lives on the worker that owns its room; no locks.
//
// The ingest side of one published track: it knows which publisher SSRC carries which
// spatial layer, detects keyframes once per packet, and hands every packet to each attached
// downtrack. It asks the publisher for keyframes (rate-limited) while any downtrack waits for
// one, and when a subscriber asks. No allocation per packet.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtc/rtp/rtp_packet.h"
#include "sfu/media/down_track.h"
#include "sfu/media/layer_selector.h"
#include "sfu/media/media_codec.h"
#include "sfu/media/nack_generator.h"
#include "sfu/media/packet_cache.h"
#include "sfu/media/receive_stats.h"
#include "sfu/media/rtp_sink.h"

namespace huddle::sfu {

struct TrackReceiverConfig {
  std::string trackSid;
  CodecKind codec = CodecKind::Other;
  std::uint32_t clockRate = 90000;
  // At most this many keyframe requests per layer per interval.
  std::chrono::milliseconds keyframeRequestInterval{500};
  // Keep the last packets of each layer for subscribers' NACKs (video).
  bool cachePackets = false;
  // NACK the publisher's losses (video that negotiated nack); needs setNackRequester.
  bool nackUpstream = false;
  NackGeneratorConfig nack;
};

struct TrackReceiverStats {
  std::array<std::uint64_t, 3> packets{};
  std::array<std::uint64_t, 3> keyframes{};
  std::uint64_t keyframeRequests = 0;
  std::uint64_t droppedUnknownLayer = 0;
  std::uint64_t retransmissionsReceived = 0;    // recovered packets that were missing
  std::uint64_t duplicateRetransmissions = 0;   // RTX of packets we had (probes), dropped
  std::uint64_t nacksSent = 0;                  // sequence numbers asked of the publisher
};

class TrackReceiver final : public PacketSource {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr int kMaxLayers = 3;  // q, h, f

  TrackReceiver(const TrackReceiverConfig& config, KeyframeRequester& requester);
  ~TrackReceiver() override = default;
  TrackReceiver(const TrackReceiver&) = delete;
  TrackReceiver& operator=(const TrackReceiver&) = delete;

  // Binds a publisher SSRC to a spatial layer (0 = q/low ... 2 = f/high; 0 without simulcast).
  void setLayerSsrc(int layer, std::uint32_t ssrc);
  [[nodiscard]] std::optional<int> layerOf(std::uint32_t ssrc) const noexcept;
  [[nodiscard]] std::optional<std::uint32_t> ssrcOf(int layer) const noexcept;
  // The highest layer that has an SSRC; 0 when none.
  [[nodiscard]] int highestLayer() const noexcept;
  // Layers that delivered a packet within `window` before `now`: a publisher that pauses a
  // layer (dynacast, its own bandwidth) simply stops sending it.
  [[nodiscard]] LayerAvailability layersArriving(TimePoint now,
                                                 std::chrono::milliseconds window) const noexcept;

  // A decrypted publisher packet that belongs to this track, on `layer`. `retransmission`: it
  // came back through RTX; forwarded only when it was missing (publishers also resend packets
  // as bandwidth probes).
  void onRtp(const rtc::RtpPacketView& packet, int layer, TimePoint now, bool retransmission = false);

  // NACKs the publisher for what is still missing and due (also called without a packet, so a
  // stalled stream still gets its retries).
  void pollNacks(TimePoint now);
  void setNackRequester(NackRequester* requester) noexcept { nackRequester_ = requester; }
  void setRtt(std::chrono::milliseconds rtt) noexcept;
  // PacketSource: a cached publisher packet of `layer`; empty when not (or no longer) held.
  [[nodiscard]] std::span<const std::uint8_t> cachedPacket(int layer, std::uint16_t seq,
                                                           TimePoint now) const noexcept override;

  // Attached downtracks get every packet; a new one targets the highest layer. The receiver
  // does not own them.
  void addDownTrack(DownTrack& downTrack, TimePoint now);
  void removeDownTrack(DownTrack& downTrack);
  [[nodiscard]] std::size_t downTrackCount() const noexcept { return downTracks_.size(); }

  // A subscriber lost its picture (PLI/FIR on its downtrack): ask the publisher, rate-limited.
  void requestKeyframe(int layer, TimePoint now);

  [[nodiscard]] const std::string& trackSid() const noexcept { return config_.trackSid; }
  [[nodiscard]] CodecKind codec() const noexcept { return config_.codec; }
  [[nodiscard]] const TrackReceiverStats& stats() const noexcept { return stats_; }
  // RFC 3550 receive statistics of one layer's publisher stream (loss, jitter, last SR).
  [[nodiscard]] const RtpReceiveStats& receiveStats(int layer) const noexcept {
    return receiveStats_[static_cast<std::size_t>(std::clamp(layer, 0, kMaxLayers - 1))];
  }
  [[nodiscard]] RtpReceiveStats& receiveStats(int layer) noexcept {
    return receiveStats_[static_cast<std::size_t>(std::clamp(layer, 0, kMaxLayers - 1))];
  }

 private:
  TrackReceiverConfig config_;
  KeyframeRequester& requester_;  // borrowed: the publisher's transport glue
  std::array<std::optional<std::uint32_t>, kMaxLayers> layerSsrcs_{};
  std::array<TimePoint, kMaxLayers> lastKeyframeRequest_{};
  std::array<bool, kMaxLayers> keyframeRequested_{};  // lastKeyframeRequest_ is meaningful
  std::array<TimePoint, kMaxLayers> lastPacketAt_{};
  std::vector<DownTrack*> downTracks_;
  TrackReceiverStats stats_;
  std::array<RtpReceiveStats, kMaxLayers> receiveStats_{};
  std::array<std::unique_ptr<PacketCache>, kMaxLayers> caches_{};
  std::array<std::unique_ptr<NackGenerator>, kMaxLayers> nacks_{};
  NackRequester* nackRequester_ = nullptr;
};

}  // namespace huddle::sfu
