#include "sfu/bwe/twcc_recorder.h"

namespace huddle::sfu::bwe {

namespace {

std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The 24-bit reference time field wraps; the sender unwraps it from one feedback to the next.
std::int32_t toReferenceField(std::int64_t ticks) noexcept {
  std::int64_t v = ticks & 0xFFFFFF;
  if (v >= (1 << 23)) v -= (1 << 24);
  return static_cast<std::int32_t>(v);
}

}  // namespace

void TwccRecorder::onPacket(std::uint16_t seq, std::int64_t arrivalUs) noexcept {
  ++stats_.packets;
  if (!started_) {
    started_ = true;
    begin_ = seq;
    end_ = static_cast<std::int64_t>(seq) + 1;
    slot(seq) = arrivalUs;
    return;
  }
  const std::int64_t highest = end_ - 1;
  const auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - static_cast<std::uint16_t>(highest)));
  const std::int64_t u = highest + diff;
  if (u < begin_) {
    ++stats_.late;
    return;
  }
  if (u >= end_) {
    // Slide the window: what would fall out unreported is given up (the sender will count
    // it lost), and the numbers skipped over start out not received.
    if (u - begin_ >= kWindow) begin_ = u - kWindow + 1;
    std::int64_t clearFrom = end_ > begin_ ? end_ : begin_;
    for (std::int64_t i = clearFrom; i < u; ++i) slot(i) = kNotReceived;
    end_ = u + 1;
    slot(u) = arrivalUs;
    return;
  }
  std::int64_t& s = slot(u);
  if (s != kNotReceived) {
    ++stats_.duplicates;
    return;
  }
  s = arrivalUs;
}

bool TwccRecorder::due(std::int64_t nowUs) const noexcept {
  if (end_ <= begin_) return false;
  if (end_ - begin_ >= static_cast<std::int64_t>(kMaxPacketsPerFeedback)) return true;
  return !sentAny_ || nowUs - lastFeedbackUs_ >= intervalUs_;
}

std::size_t TwccRecorder::buildFeedback(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                                        std::int64_t nowUs, std::span<std::uint8_t> out) noexcept {
  if (end_ <= begin_) return 0;
  // The reference time comes from the first received packet in the range (the range always
  // ends with a received one, the highest seen).
  std::int64_t firstArrival = kNotReceived;
  for (std::int64_t u = begin_; u < end_; ++u) {
    if (slot(u) != kNotReceived) {
      firstArrival = slot(u);
      break;
    }
  }
  if (firstArrival == kNotReceived) {
    begin_ = end_;
    return 0;
  }
  const std::int64_t refTicks = floorDiv(firstArrival, rtc::kTwccReferenceTimeTickUs);
  std::int64_t cursorUs = refTicks * rtc::kTwccReferenceTimeTickUs;
  std::size_t n = 0;
  std::int64_t u = begin_;
  for (; u < end_ && n < statuses_.size(); ++u) {
    rtc::TwccPacketStatus& st = statuses_[n];
    st.seq = static_cast<std::uint16_t>(u);
    st.received = false;
    st.deltaTicks = 0;
    const std::int64_t arrival = slot(u);
    if (arrival != kNotReceived) {
      // Rounded to the tick, and the cursor follows the rounded value so errors do not add up.
      const std::int64_t delta = floorDiv(arrival - cursorUs + rtc::kTwccDeltaTickUs / 2,
                                          rtc::kTwccDeltaTickUs);
      if (delta < -32768 || delta > 32767) break;  // reported in the next feedback
      st.received = true;
      st.deltaTicks = static_cast<std::int32_t>(delta);
      cursorUs += delta * rtc::kTwccDeltaTickUs;
    }
    ++n;
  }
  if (n == 0) return 0;
  const std::size_t bytes = rtc::RtcpTransportCc::build(
      senderSsrc, mediaSsrc, toReferenceField(refTicks), feedbackCount_,
      std::span<const rtc::TwccPacketStatus>(statuses_.data(), n), out);
  if (bytes == 0) return 0;
  begin_ = u;
  ++feedbackCount_;
  ++stats_.feedbacks;
  lastFeedbackUs_ = nowUs;
  sentAny_ = true;
  return bytes;
}

}  // namespace huddle::sfu::bwe
