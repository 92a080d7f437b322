#include "client/stream/receive_statistics.h"

#include <algorithm>
#include <cstdlib>

namespace huddle::client {

void ReceiveStatistics::onPacket(std::uint16_t seq, std::uint32_t rtpTimestamp, StreamTime arrival,
                                 bool retransmitted) noexcept {
  if (!started_) {
    started_ = true;
    baseSeq_ = seq;
    maxSeq_ = seq;
  } else {
    const auto delta = static_cast<std::uint16_t>(seq - maxSeq_);
    if (delta != 0 && delta < 0x8000) {
      if (seq < maxSeq_) {
        cycles_ += 0x10000;
      }
      maxSeq_ = seq;
    }
  }
  ++received_;
  if (retransmitted) {
    return;
  }
  // Transit in RTP units; only differences matter, so the clocks' offsets cancel.
  const std::int64_t arrivalTicks = toMicros(arrival) * static_cast<std::int64_t>(clockRate_) / 1000000;
  const std::int64_t transit = arrivalTicks - static_cast<std::int64_t>(rtpTimestamp);
  if (haveTransit_) {
    // The timestamp wraps at 2^32: take the difference modulo 2^32 as a signed value.
    const auto d = static_cast<std::int32_t>(static_cast<std::uint32_t>(transit - lastTransit_));
    const std::uint64_t absD = static_cast<std::uint64_t>(std::abs(static_cast<std::int64_t>(d)));
    // J += (|D| - J) / 16, kept scaled by 16.
    jitterQ4_ = jitterQ4_ + absD - ((jitterQ4_ + 8) >> 4);
  }
  haveTransit_ = true;
  lastTransit_ = transit;
}

void ReceiveStatistics::onSenderReport(std::uint64_t ntpTimestamp, StreamTime arrival) noexcept {
  lastSrMiddle_ = ntpMiddle32(ntpTimestamp);
  lastSrArrivalUs_ = toMicros(arrival);
}

std::int64_t ReceiveStatistics::cumulativeLost() const noexcept {
  if (!started_) {
    return 0;
  }
  const std::int64_t expected = static_cast<std::int64_t>(extendedHighestSeq()) - baseSeq_ + 1;
  return expected - static_cast<std::int64_t>(received_);
}

std::optional<rtc::ReportBlock> ReceiveStatistics::makeReportBlock(std::uint32_t mediaSsrc, StreamTime now) noexcept {
  if (!started_) {
    return std::nullopt;
  }
  rtc::ReportBlock block;
  block.ssrc = mediaSsrc;
  const auto expected = static_cast<std::uint64_t>(static_cast<std::int64_t>(extendedHighestSeq()) - baseSeq_ + 1);
  const std::uint64_t expectedInterval = expected - expectedPrior_;
  const std::uint64_t receivedInterval = received_ - receivedPrior_;
  expectedPrior_ = expected;
  receivedPrior_ = received_;
  if (expectedInterval > 0 && expectedInterval > receivedInterval) {
    block.fractionLost = static_cast<std::uint8_t>(((expectedInterval - receivedInterval) << 8) / expectedInterval);
  }
  // 24-bit signed on the wire: clamp rather than wrap.
  block.cumulativeLost = static_cast<std::int32_t>(std::clamp<std::int64_t>(cumulativeLost(), -0x800000, 0x7FFFFF));
  block.extendedHighestSeq = extendedHighestSeq();
  block.jitter = jitter();
  if (lastSrMiddle_) {
    block.lastSr = *lastSrMiddle_;
    const std::int64_t sinceUs = std::max<std::int64_t>(0, toMicros(now) - lastSrArrivalUs_);
    block.delaySinceLastSr = static_cast<std::uint32_t>((sinceUs * 65536) / 1000000);
  }
  return block;
}

}  // namespace huddle::client
