#pragma once
// Single-threaded: one per subscriber transport, on the worker that owns it. Times are
// microseconds on the caller's clock (injected).
//
// The send-side estimate of what one subscriber can receive, from its transport-cc feedback
// about the packets we stamped with transport-wide sequence numbers. A simplified GCC:
// - delay: packets are grouped by send time (5 ms bursts); the change in one-way delay between
//   groups is accumulated, smoothed and fitted with a line over the last 20 groups; a slope
//   above an adaptive threshold for a while is overuse, below its negative underuse;
// - rate control (AIMD): normal increases 8 %/s (40 kbps/s for 3 s after a decrease, near the
//   level that just failed), overuse cuts to 85 % of the acknowledged (received) rate at most
//   every 200 ms, underuse holds;
// - loss: over each ~20-packet window, more than 10 % lost cuts the bound by half the loss,
//   under 2 % lets it grow 8 %/s, in between holds;
// - REMB from the subscriber, when fresh, is one more upper bound.
// The estimate is the lowest bound, clamped to [min, max]. No probing: the estimate rises by
// itself while feedback is clean, and the layer allocator's hysteresis absorbs overshoot.
// No allocation: a fixed history ring and a fixed decode array.

#include <array>
#include <cstddef>
#include <cstdint>

#include "rtc/rtp/rtcp_transport_cc.h"
#include "sfu/bwe/rate_meter.h"

namespace huddle::sfu::bwe {

struct BweConfig {
  std::uint64_t startBps = 1'000'000;
  std::uint64_t minBps = 100'000;
  std::uint64_t maxBps = 10'000'000;
};

enum class BandwidthUsage : std::uint8_t { Normal, Underusing, Overusing };

struct SendSideBweStats {
  std::uint64_t feedbacks = 0;
  std::uint64_t packetsAcked = 0;   // reported received
  std::uint64_t packetsLost = 0;    // reported not received
  std::uint64_t packetsUnknown = 0; // reported, but not (or no longer) in our send history
  std::uint64_t overuses = 0;       // decreases caused by delay
  std::uint64_t lossDecreases = 0;
};

class SendSideBwe {
 public:
  static constexpr std::size_t kHistory = 8192;           // ~ 4 s at 2000 packets/s
  static constexpr std::size_t kMaxFeedbackStatuses = 2048;

  explicit SendSideBwe(const BweConfig& config = {}) noexcept;

  // A packet left with transport-wide sequence number `seq`.
  void onPacketSent(std::uint16_t seq, std::size_t bytes, std::int64_t sendUs) noexcept;
  // The subscriber's transport-cc feedback.
  void onTransportFeedback(const rtc::RtcpTransportCc& feedback, std::int64_t nowUs) noexcept;
  // The subscriber's REMB: an upper bound for a few seconds.
  void onRemb(std::uint64_t bitrateBps, std::int64_t nowUs) noexcept;

  [[nodiscard]] std::uint64_t estimateBps(std::int64_t nowUs) const noexcept;
  [[nodiscard]] BandwidthUsage usage() const noexcept { return usage_; }
  [[nodiscard]] double lastLossFraction() const noexcept { return lastLoss_; }
  [[nodiscard]] std::uint64_t ackedBps(std::int64_t nowUs) noexcept { return acked_.bitrateBps(nowUs); }
  [[nodiscard]] bool hasFeedback() const noexcept { return stats_.feedbacks > 0; }
  // When the last transport-cc feedback arrived (-1: never).
  [[nodiscard]] std::int64_t lastFeedbackUs() const noexcept { return lastFeedbackUs_; }
  [[nodiscard]] const SendSideBweStats& stats() const noexcept { return stats_; }

 private:
  struct Sent {
    std::int64_t sendUs = 0;
    std::uint32_t bytes = 0;
    std::uint16_t seq = 0;
    bool valid = false;
  };
  struct Group {
    std::int64_t firstSendUs = 0;
    std::int64_t lastSendUs = 0;
    std::int64_t lastArrivalUs = 0;
    bool valid = false;
  };

  void onReceived(std::int64_t sendUs, std::int64_t arrivalUs, std::int64_t nowUs) noexcept;
  void onGroupDelta(double delayDeltaMs, double sendDeltaMs, std::int64_t arrivalUs) noexcept;
  void detect(double sendDeltaMs) noexcept;
  void updateRate(std::int64_t nowUs) noexcept;
  void updateLoss(std::int64_t nowUs) noexcept;

  BweConfig config_;
  std::array<Sent, kHistory> history_{};
  std::array<rtc::TwccPacketStatus, kMaxFeedbackStatuses> statuses_{};

  // Reference time unwrapping (24-bit field).
  bool haveRef_ = false;
  std::int32_t lastRefField_ = 0;
  std::int64_t refTicks_ = 0;

  // Inter-arrival groups.
  Group current_;
  Group previous_;

  // Trendline over the last kWindow group deltas.
  static constexpr std::size_t kTrendWindow = 20;
  std::array<double, kTrendWindow> trendX_{};
  std::array<double, kTrendWindow> trendY_{};
  std::size_t trendCount_ = 0;
  std::size_t trendNext_ = 0;
  double accumulatedMs_ = 0;
  double smoothedMs_ = 0;
  std::int64_t firstArrivalUs_ = -1;
  std::uint32_t numDeltas_ = 0;
  double slope_ = 0;
  double prevSlope_ = 0;
  double threshold_ = 12.5;
  double timeOverUsingMs_ = -1;
  int overuseCounter_ = 0;
  std::int64_t lastThresholdUpdateUs_ = -1;
  BandwidthUsage usage_ = BandwidthUsage::Normal;

  // Rate control.
  double delayRateBps_;
  double lossRateBps_;
  std::int64_t lastRateUpdateUs_ = -1;
  std::int64_t lastDecreaseUs_ = -1;
  std::int64_t lastLossDecreaseUs_ = -1;
  RateMeter acked_;

  // Loss window.
  std::uint32_t windowLost_ = 0;
  std::uint32_t windowTotal_ = 0;
  double lastLoss_ = 0;
  std::int64_t lastLossUpdateUs_ = -1;

  std::int64_t lastFeedbackUs_ = -1;
  std::uint64_t rembBps_ = 0;
  std::int64_t rembAtUs_ = -1;

  SendSideBweStats stats_;
};

}  // namespace huddle::sfu::bwe
