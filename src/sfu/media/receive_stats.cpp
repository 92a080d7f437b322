#include "sfu/media/receive_stats.h"

#include <algorithm>
#include <cstdlib>

namespace huddle::sfu {

void RtpReceiveStats::restart(std::uint16_t seq) noexcept {
  baseSeq_ = seq;
  maxSeq_ = seq;
  badSeq_ = 0x10001;
  cycles_ = 0;
  received_ = 0;
  expectedPrior_ = 0;
  receivedPrior_ = 0;
}

void RtpReceiveStats::onPacket(std::uint16_t seq, std::uint32_t rtpTimestamp, std::size_t bytes,
                               TimePoint arrival, bool retransmission) noexcept {
  ++packets_;
  bytes_ += bytes;
  if (!started_) {
    // An SFU forwards from the first packet, so the stream is valid at once (no probation).
    started_ = true;
    restart(seq);
    firstArrival_ = arrival;
  } else {
    const auto delta = static_cast<std::uint16_t>(seq - maxSeq_);
    if (delta < kMaxDropout) {
      if (seq < maxSeq_) {
        cycles_ += 0x10000;  // wrapped
      }
      maxSeq_ = seq;
    } else if (delta <= 0xFFFF - kMaxMisorder) {
      // A big jump: believe it only when the next packet follows it (the sender restarted).
      if (static_cast<std::uint32_t>(seq) == badSeq_) {
        ++restarts_;
        restart(seq);
        haveTransit_ = false;
      } else {
        badSeq_ = static_cast<std::uint16_t>(seq + 1);
        return;
      }
    }
    // else: duplicate or reordered within kMaxMisorder, counted below.
  }
  ++received_;
  if (retransmission || clockRate_ == 0) {
    return;
  }
  const auto sinceFirst = std::max(arrival - firstArrival_, TimePoint::duration::zero());
  const auto ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(sinceFirst).count());
  const std::uint64_t arrivalTicks =
      (ns / 1'000'000'000u) * clockRate_ + (ns % 1'000'000'000u) * clockRate_ / 1'000'000'000u;
  // Transit modulo 2^32 is enough: only differences of consecutive transits matter.
  const auto transit = static_cast<std::int64_t>(
      static_cast<std::int32_t>(static_cast<std::uint32_t>(arrivalTicks) - rtpTimestamp));
  if (haveTransit_) {
    const auto d = static_cast<std::int32_t>(static_cast<std::uint32_t>(transit - lastTransit_));
    jitter_ += (std::abs(static_cast<double>(d)) - jitter_) / 16.0;
  }
  haveTransit_ = true;
  lastTransit_ = transit;
}

std::int64_t RtpReceiveStats::expected() const noexcept {
  if (!started_) {
    return 0;
  }
  return static_cast<std::int64_t>(extendedHighestSeq()) - static_cast<std::int64_t>(baseSeq_) + 1;
}

std::int64_t RtpReceiveStats::cumulativeLost() const noexcept {
  return expected() - static_cast<std::int64_t>(received_);
}

ReceiveInterval RtpReceiveStats::peekInterval() const noexcept {
  ReceiveInterval out;
  out.expected = expected() - expectedPrior_;
  out.received = static_cast<std::int64_t>(received_) - receivedPrior_;
  out.lost = out.expected - out.received;
  if (out.expected > 0 && out.lost > 0) {
    out.fractionLost = static_cast<std::uint8_t>(std::min<std::int64_t>(255, (out.lost << 8) / out.expected));
  }
  return out;
}

ReceiveInterval RtpReceiveStats::closeInterval() noexcept {
  const ReceiveInterval out = peekInterval();
  expectedPrior_ = expected();
  receivedPrior_ = static_cast<std::int64_t>(received_);
  return out;
}

void RtpReceiveStats::onSenderReport(std::uint64_t ntpTimestamp, TimePoint arrival) noexcept {
  lastSr_ = static_cast<std::uint32_t>(ntpTimestamp >> 16);
  lastSrArrival_ = arrival;
}

rtc::ReportBlock RtpReceiveStats::makeReportBlock(std::uint32_t ssrc, TimePoint now) noexcept {
  rtc::ReportBlock block;
  block.ssrc = ssrc;
  const ReceiveInterval interval = closeInterval();
  block.fractionLost = interval.fractionLost;
  // Signed 24 bits on the wire: clamp instead of wrapping.
  block.cumulativeLost = static_cast<std::int32_t>(std::clamp<std::int64_t>(cumulativeLost(), -0x800000, 0x7FFFFF));
  block.extendedHighestSeq = extendedHighestSeq();
  block.jitter = jitter();
  block.lastSr = lastSr_;
  if (lastSr_ != 0) {
    // DLSR in 1/65536 s.
    const auto since = std::max(now - lastSrArrival_, TimePoint::duration::zero());
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(since).count();
    block.delaySinceLastSr = static_cast<std::uint32_t>(
        std::min<std::int64_t>(0xFFFFFFFF, us * 65536 / 1'000'000));
  }
  return block;
}

}  // namespace huddle::sfu
