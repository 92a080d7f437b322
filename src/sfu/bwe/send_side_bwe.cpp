#include "sfu/bwe/send_side_bwe.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace huddle::sfu::bwe {

namespace {

constexpr std::int64_t kBurstUs = 5'000;            // packets sent within 5 ms form one group
constexpr std::int64_t kArrivalGapResetUs = 3'000'000;
constexpr double kSmoothing = 0.9;
constexpr double kTrendGain = 4.0;
constexpr double kMaxDeltasForGain = 60.0;
constexpr double kOveruseTimeMs = 10.0;
constexpr double kThresholdUp = 0.0087;    // the threshold follows a rising trend slowly...
constexpr double kThresholdDown = 0.039;   // ...and a falling one faster
constexpr double kDecreaseFactor = 0.85;
constexpr std::int64_t kMinDecreaseIntervalUs = 200'000;
constexpr std::int64_t kNearConvergenceUs = 3'000'000;
constexpr double kAdditiveBpsPerSecond = 40'000;
constexpr double kMultiplicativePerSecond = 1.08;
constexpr std::uint32_t kLossWindowPackets = 20;
constexpr std::int64_t kLossDecreaseIntervalUs = 300'000;
constexpr std::int64_t kRembFreshUs = 3'000'000;

}  // namespace

SendSideBwe::SendSideBwe(const BweConfig& config) noexcept
    : config_(config),
      delayRateBps_(static_cast<double>(config.startBps)),
      lossRateBps_(static_cast<double>(config.startBps)),
      acked_(100'000) {}

void SendSideBwe::onPacketSent(std::uint16_t seq, std::size_t bytes, std::int64_t sendUs) noexcept {
  Sent& s = history_[seq % kHistory];
  s.seq = seq;
  s.sendUs = sendUs;
  s.bytes = static_cast<std::uint32_t>(bytes);
  s.valid = true;
}

void SendSideBwe::onRemb(std::uint64_t bitrateBps, std::int64_t nowUs) noexcept {
  rembBps_ = bitrateBps;
  rembAtUs_ = nowUs;
}

void SendSideBwe::onTransportFeedback(const rtc::RtcpTransportCc& feedback,
                                      std::int64_t nowUs) noexcept {
  ++stats_.feedbacks;
  lastFeedbackUs_ = nowUs;
  const std::int32_t field = feedback.referenceTime();
  if (!haveRef_) {
    haveRef_ = true;
    refTicks_ = field;
  } else {
    // Sign-extended 24-bit difference: reference times wrap every ~12 days.
    std::int32_t diff = (field - lastRefField_) & 0xFFFFFF;
    if (diff >= (1 << 23)) diff -= (1 << 24);
    refTicks_ += diff;
  }
  lastRefField_ = field;

  const std::size_t n = feedback.decode(std::span<rtc::TwccPacketStatus>(statuses_));
  std::int64_t arrivalUs = refTicks_ * rtc::kTwccReferenceTimeTickUs;
  for (std::size_t i = 0; i < n; ++i) {
    const rtc::TwccPacketStatus& st = statuses_[i];
    Sent& sent = history_[st.seq % kHistory];
    const bool known = sent.valid && sent.seq == st.seq;
    if (st.received) arrivalUs += static_cast<std::int64_t>(st.deltaTicks) * rtc::kTwccDeltaTickUs;
    if (!known) {
      ++stats_.packetsUnknown;
      continue;
    }
    ++windowTotal_;
    if (!st.received) {
      ++windowLost_;
      ++stats_.packetsLost;
      continue;  // may still arrive and be reported received later
    }
    ++stats_.packetsAcked;
    acked_.add(nowUs, sent.bytes);
    sent.valid = false;  // reported received once; a repeat report is not counted again
    onReceived(sent.sendUs, arrivalUs, nowUs);
  }
  updateLoss(nowUs);
  updateRate(nowUs);
}

void SendSideBwe::onReceived(std::int64_t sendUs, std::int64_t arrivalUs, std::int64_t nowUs) noexcept {
  if (current_.valid && arrivalUs - current_.lastArrivalUs > kArrivalGapResetUs) {
    // A long silence says nothing about queues; start over.
    current_.valid = false;
    previous_.valid = false;
  }
  if (!current_.valid) {
    current_ = Group{sendUs, sendUs, arrivalUs, true};
    return;
  }
  if (sendUs < current_.firstSendUs) return;  // reordered from an earlier group
  if (sendUs - current_.firstSendUs <= kBurstUs) {
    current_.lastSendUs = std::max(current_.lastSendUs, sendUs);
    current_.lastArrivalUs = std::max(current_.lastArrivalUs, arrivalUs);
    return;
  }
  if (previous_.valid) {
    const double sendDeltaMs = static_cast<double>(current_.lastSendUs - previous_.lastSendUs) / 1000.0;
    const double arrivalDeltaMs =
        static_cast<double>(current_.lastArrivalUs - previous_.lastArrivalUs) / 1000.0;
    onGroupDelta(arrivalDeltaMs - sendDeltaMs, sendDeltaMs, current_.lastArrivalUs);
    if (lastThresholdUpdateUs_ < 0) lastThresholdUpdateUs_ = nowUs;
  }
  previous_ = current_;
  current_ = Group{sendUs, sendUs, arrivalUs, true};
}

void SendSideBwe::onGroupDelta(double delayDeltaMs, double sendDeltaMs, std::int64_t arrivalUs) noexcept {
  if (firstArrivalUs_ < 0) firstArrivalUs_ = arrivalUs;
  numDeltas_ = std::min<std::uint32_t>(numDeltas_ + 1, 1000);
  accumulatedMs_ += delayDeltaMs;
  smoothedMs_ = kSmoothing * smoothedMs_ + (1 - kSmoothing) * accumulatedMs_;
  trendX_[trendNext_] = static_cast<double>(arrivalUs - firstArrivalUs_) / 1000.0;
  trendY_[trendNext_] = smoothedMs_;
  trendNext_ = (trendNext_ + 1) % kTrendWindow;
  if (trendCount_ < kTrendWindow) ++trendCount_;
  if (trendCount_ == kTrendWindow) {
    // Least squares slope of smoothed delay over arrival time.
    double meanX = 0;
    double meanY = 0;
    for (std::size_t i = 0; i < kTrendWindow; ++i) {
      meanX += trendX_[i];
      meanY += trendY_[i];
    }
    meanX /= kTrendWindow;
    meanY /= kTrendWindow;
    double num = 0;
    double den = 0;
    for (std::size_t i = 0; i < kTrendWindow; ++i) {
      num += (trendX_[i] - meanX) * (trendY_[i] - meanY);
      den += (trendX_[i] - meanX) * (trendX_[i] - meanX);
    }
    if (den > 0) slope_ = num / den;
  }
  detect(sendDeltaMs);
}

void SendSideBwe::detect(double sendDeltaMs) noexcept {
  if (trendCount_ < kTrendWindow) return;
  const double trend = std::min<double>(numDeltas_, kMaxDeltasForGain) * slope_ * kTrendGain;
  if (trend > threshold_) {
    timeOverUsingMs_ = timeOverUsingMs_ < 0 ? sendDeltaMs / 2 : timeOverUsingMs_ + sendDeltaMs;
    ++overuseCounter_;
    if (timeOverUsingMs_ > kOveruseTimeMs && overuseCounter_ > 1 && slope_ >= prevSlope_) {
      timeOverUsingMs_ = 0;
      overuseCounter_ = 0;
      usage_ = BandwidthUsage::Overusing;
    }
  } else if (trend < -threshold_) {
    timeOverUsingMs_ = -1;
    overuseCounter_ = 0;
    usage_ = BandwidthUsage::Underusing;
  } else {
    timeOverUsingMs_ = -1;
    overuseCounter_ = 0;
    usage_ = BandwidthUsage::Normal;
  }
  prevSlope_ = slope_;
  // Adaptive threshold (ignores outliers far above it, e.g. a route change).
  const double magnitude = std::fabs(trend);
  if (magnitude <= threshold_ + 15.0) {
    const double k = magnitude < threshold_ ? kThresholdDown : kThresholdUp;
    const double dtMs = std::min(sendDeltaMs, 100.0);
    threshold_ += k * (magnitude - threshold_) * dtMs;
    threshold_ = std::clamp(threshold_, 6.0, 600.0);
  }
}

void SendSideBwe::updateRate(std::int64_t nowUs) noexcept {
  const double dtS = lastRateUpdateUs_ < 0
                         ? 0.0
                         : std::min(1.0, static_cast<double>(nowUs - lastRateUpdateUs_) / 1e6);
  lastRateUpdateUs_ = nowUs;
  const double maxBps = static_cast<double>(config_.maxBps);
  const double minBps = static_cast<double>(config_.minBps);
  switch (usage_) {
    case BandwidthUsage::Overusing:
      if (lastDecreaseUs_ < 0 || nowUs - lastDecreaseUs_ >= kMinDecreaseIntervalUs) {
        const double acked = static_cast<double>(acked_.bitrateBps(nowUs));
        const double base = acked > 0 ? std::min(acked, delayRateBps_) : delayRateBps_;
        delayRateBps_ = std::max(minBps, kDecreaseFactor * base);
        lastDecreaseUs_ = nowUs;
        ++stats_.overuses;
      }
      break;
    case BandwidthUsage::Underusing:
      break;  // queues are draining: hold until they are empty
    case BandwidthUsage::Normal:
      if (lastDecreaseUs_ >= 0 && nowUs - lastDecreaseUs_ < kNearConvergenceUs) {
        delayRateBps_ += kAdditiveBpsPerSecond * dtS;
      } else {
        delayRateBps_ *= std::pow(kMultiplicativePerSecond, dtS);
      }
      break;
  }
  delayRateBps_ = std::clamp(delayRateBps_, minBps, maxBps);
}

void SendSideBwe::updateLoss(std::int64_t nowUs) noexcept {
  const double dtS = lastLossUpdateUs_ < 0
                         ? 0.0
                         : std::min(1.0, static_cast<double>(nowUs - lastLossUpdateUs_) / 1e6);
  if (windowTotal_ < kLossWindowPackets) return;
  lastLossUpdateUs_ = nowUs;
  lastLoss_ = static_cast<double>(windowLost_) / static_cast<double>(windowTotal_);
  windowLost_ = 0;
  windowTotal_ = 0;
  const double maxBps = static_cast<double>(config_.maxBps);
  const double minBps = static_cast<double>(config_.minBps);
  if (lastLoss_ > 0.10) {
    if (lastLossDecreaseUs_ < 0 || nowUs - lastLossDecreaseUs_ >= kLossDecreaseIntervalUs) {
      const double current = std::min(lossRateBps_, delayRateBps_);
      lossRateBps_ = std::max(minBps, current * (1.0 - 0.5 * lastLoss_));
      lastLossDecreaseUs_ = nowUs;
      ++stats_.lossDecreases;
    }
  } else if (lastLoss_ < 0.02) {
    lossRateBps_ = std::min(maxBps, lossRateBps_ * std::pow(kMultiplicativePerSecond, dtS));
    // Loss is not the limit: keep the bound close above the delay estimate so a later loss
    // episode starts from the real rate, not from a bound that drifted far above it.
    lossRateBps_ = std::min(lossRateBps_, std::max(delayRateBps_ * 1.5, minBps));
  }
}

std::uint64_t SendSideBwe::estimateBps(std::int64_t nowUs) const noexcept {
  double bps = std::min(delayRateBps_, lossRateBps_);
  if (rembAtUs_ >= 0 && nowUs - rembAtUs_ <= kRembFreshUs) {
    bps = std::min(bps, static_cast<double>(rembBps_));
  }
  bps = std::clamp(bps, static_cast<double>(config_.minBps), static_cast<double>(config_.maxBps));
  return static_cast<std::uint64_t>(bps);
}

}  // namespace huddle::sfu::bwe
