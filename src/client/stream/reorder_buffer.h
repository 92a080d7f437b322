#pragma once
// A sequence-ordered packet buffer with per-gap NACK bookkeeping, in front of a depacketizer
// that needs packets in order. It holds packets from the oldest missing sequence number
// (head) to the newest seen, hands them out only in order, and keeps for each missing number
// when it went missing and how often it was NACKed. Memory is taken once.
// Not thread-safe: owned by one receive stream.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace huddle::client {

struct BufferedPacket {
  std::uint16_t seq = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
  bool recovered = false;  // filled a gap that had been NACKed, or came as a retransmission
  std::span<const std::uint8_t> payload;
};

struct NackTiming {
  std::int64_t reorderWaitUs = 10000;  // before the first NACK of a gap
  std::int64_t retryUs = 100000;       // between NACKs of one sequence number (~RTT)
  int maxRetries = 10;
  std::int64_t maxWaitUs = 1000000;  // a gap is given up this long after it appeared
};

class ReorderBuffer final {
 public:
  static constexpr std::size_t kMaxPayloadSize = 1500;

  enum class InsertResult : std::uint8_t {
    Stored,
    Duplicate,
    Late,     // older than head: released or given up already
    TooFar,   // beyond the window: the caller makes room (release or give up) and retries
  };

  explicit ReorderBuffer(std::size_t capacity);

  // payload must be at most kMaxPayloadSize (the caller rejects bigger packets first).
  [[nodiscard]] InsertResult insert(std::uint16_t seq, std::uint32_t timestamp, bool marker,
                                    std::span<const std::uint8_t> payload, bool retransmission,
                                    std::int64_t nowUs) noexcept;

  // The packet at head when it is there.
  [[nodiscard]] const BufferedPacket* front() const noexcept;
  // Releases head (present or not) and moves on; returns whether it was missing.
  bool popFront() noexcept;
  [[nodiscard]] bool headMissing() const noexcept { return started_ && head_ != end_ && !slot(head_).present; }
  // The head gap has waited its last NACK retry out, or longer than maxWaitUs.
  [[nodiscard]] bool headExpired(const NackTiming& timing, std::int64_t nowUs) const noexcept;

  // Missing sequence numbers due for a NACK now, in RTP order, into out; counts the attempt.
  // firstTime counts those NACKed for the first time. Returns how many were written.
  std::size_t collectNacks(const NackTiming& timing, std::int64_t nowUs, std::span<std::uint16_t> out,
                           std::size_t& firstTime) noexcept;

  // While nothing was released yet, an older packet may still start the stream (reordering of
  // the very first packets): move head back to it.
  [[nodiscard]] bool canExtendBack(std::uint16_t seq) const noexcept;

  void reset() noexcept;
  [[nodiscard]] bool started() const noexcept { return started_; }
  [[nodiscard]] std::uint16_t head() const noexcept { return head_; }
  // Packets and gaps from head to the newest seen.
  [[nodiscard]] std::size_t span() const noexcept { return static_cast<std::uint16_t>(end_ - head_); }
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }
  [[nodiscard]] bool releasedAny() const noexcept { return releasedAny_; }

 private:
  struct Slot {
    bool present = false;
    bool retransmission = false;
    int nacks = 0;
    std::int64_t missingSinceUs = 0;
    std::int64_t lastNackUs = 0;
    BufferedPacket packet;
  };
  [[nodiscard]] Slot& slot(std::uint16_t seq) noexcept { return slots_[seq & mask_]; }
  [[nodiscard]] const Slot& slot(std::uint16_t seq) const noexcept { return slots_[seq & mask_]; }
  void markMissing(std::uint16_t from, std::uint16_t to, std::int64_t nowUs) noexcept;

  std::vector<Slot> slots_;
  std::size_t mask_;
  std::unique_ptr<std::uint8_t[]> bytes_;  // capacity * kMaxPayloadSize, never zeroed
  bool started_ = false;
  bool releasedAny_ = false;
  std::uint16_t head_ = 0;
  std::uint16_t end_ = 0;  // one past the newest sequence number seen
};

}  // namespace huddle::client
