#include "client/stream/reorder_buffer.h"

#include <bit>
#include <cstring>

namespace huddle::client {

ReorderBuffer::ReorderBuffer(std::size_t capacity)
    : slots_(std::bit_ceil(capacity < 16 ? std::size_t{16} : capacity)),
      mask_(slots_.size() - 1),
      bytes_(std::make_unique_for_overwrite<std::uint8_t[]>(slots_.size() * kMaxPayloadSize)) {}

void ReorderBuffer::markMissing(std::uint16_t from, std::uint16_t to, std::int64_t nowUs) noexcept {
  for (std::uint16_t s = from; s != to; ++s) {
    Slot& m = slot(s);
    m.present = false;
    m.retransmission = false;
    m.nacks = 0;
    m.missingSinceUs = nowUs;
    m.lastNackUs = nowUs;
  }
}

bool ReorderBuffer::canExtendBack(std::uint16_t seq) const noexcept {
  if (!started_ || releasedAny_) {
    return false;
  }
  const auto back = static_cast<std::uint16_t>(head_ - seq);
  return back != 0 && back < 0x8000 && span() + back <= slots_.size();
}

ReorderBuffer::InsertResult ReorderBuffer::insert(std::uint16_t seq, std::uint32_t timestamp, bool marker,
                                                  std::span<const std::uint8_t> payload, bool retransmission,
                                                  std::int64_t nowUs) noexcept {
  if (payload.size() > kMaxPayloadSize) {
    return InsertResult::Late;  // the caller filters these; never write past a slot
  }
  if (!started_) {
    started_ = true;
    head_ = seq;
    end_ = seq;
  }
  const auto ahead = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - head_));
  if (ahead < 0) {
    if (!canExtendBack(seq)) {
      return InsertResult::Late;
    }
    markMissing(seq, head_, nowUs);
    head_ = seq;
  } else if (static_cast<std::size_t>(ahead) >= slots_.size()) {
    return InsertResult::TooFar;
  }
  const auto fromEnd = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - end_));
  Slot& s = slot(seq);
  if (fromEnd >= 0) {
    markMissing(end_, seq, nowUs);
    end_ = static_cast<std::uint16_t>(seq + 1);
    s.nacks = 0;
  } else if (s.present) {
    return InsertResult::Duplicate;
  }
  std::uint8_t* dst = bytes_.get() + (seq & mask_) * kMaxPayloadSize;
  if (!payload.empty()) {
    std::memcpy(dst, payload.data(), payload.size());
  }
  s.present = true;
  s.retransmission = retransmission;
  s.packet.seq = seq;
  s.packet.timestamp = timestamp;
  s.packet.marker = marker;
  s.packet.recovered = retransmission || s.nacks > 0;
  s.packet.payload = std::span<const std::uint8_t>(dst, payload.size());
  return InsertResult::Stored;
}

const BufferedPacket* ReorderBuffer::front() const noexcept {
  if (!started_ || head_ == end_) {
    return nullptr;
  }
  const Slot& s = slot(head_);
  return s.present ? &s.packet : nullptr;
}

bool ReorderBuffer::popFront() noexcept {
  if (!started_ || head_ == end_) {
    return false;
  }
  Slot& s = slot(head_);
  const bool missing = !s.present;
  s.present = false;
  ++head_;
  releasedAny_ = true;
  return missing;
}

bool ReorderBuffer::headExpired(const NackTiming& timing, std::int64_t nowUs) const noexcept {
  if (!headMissing()) {
    return false;
  }
  const Slot& s = slot(head_);
  if (nowUs - s.missingSinceUs >= timing.maxWaitUs) {
    return true;
  }
  if (s.nacks < timing.maxRetries) {
    return false;
  }
  // Without NACK a gap only waits out reordering; with it, the last retry gets an RTT to land.
  const std::int64_t deadline =
      s.nacks == 0 ? s.missingSinceUs + 2 * timing.reorderWaitUs : s.lastNackUs + timing.retryUs;
  return nowUs >= deadline;
}

std::size_t ReorderBuffer::collectNacks(const NackTiming& timing, std::int64_t nowUs, std::span<std::uint16_t> out,
                                        std::size_t& firstTime) noexcept {
  std::size_t n = 0;
  firstTime = 0;
  if (!started_) {
    return 0;
  }
  for (std::uint16_t seq = head_; seq != end_ && n < out.size(); ++seq) {
    Slot& s = slot(seq);
    if (s.present || s.nacks >= timing.maxRetries) {
      continue;
    }
    const bool due = s.nacks == 0 ? nowUs - s.missingSinceUs >= timing.reorderWaitUs
                                  : nowUs - s.lastNackUs >= timing.retryUs;
    if (!due) {
      continue;
    }
    if (s.nacks == 0) {
      ++firstTime;
    }
    ++s.nacks;
    s.lastNackUs = nowUs;
    out[n++] = seq;
  }
  return n;
}

void ReorderBuffer::reset() noexcept {
  for (Slot& s : slots_) {
    s.present = false;
    s.nacks = 0;
  }
  started_ = false;
  releasedAny_ = false;
  head_ = 0;
  end_ = 0;
}

}  // namespace huddle::client
