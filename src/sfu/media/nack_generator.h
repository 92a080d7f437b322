#pragma once
// Single-threaded: owned by a TrackReceiver (one per layer) or a test; no locks.
//
// Which packets of one publisher stream to NACK, and when. A gap in receive order marks the
// skipped sequence numbers missing; each is asked for once it stayed missing longer than a
// reordering would (reorderWait), again every retryInterval while it stays missing, and given
// up after maxAttempts or giveUpAfter, or as soon as it arrives. Fixed capacity: a gap larger
// than kMaxMissing is not NACKed at all (a keyframe is the cheaper repair). No allocation.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace huddle::sfu {

struct NackGeneratorConfig {
  std::chrono::milliseconds reorderWait{15};
  std::chrono::milliseconds retryInterval{50};  // raised to the RTT when that is longer
  int maxAttempts = 6;
  std::chrono::milliseconds giveUpAfter{1000};
};

struct NackGeneratorStats {
  std::uint64_t missing = 0;     // sequence numbers found missing
  std::uint64_t recovered = 0;   // arrived after being marked missing
  std::uint64_t requested = 0;   // NACK entries handed out (retries included)
  std::uint64_t givenUp = 0;
  std::uint64_t gapsTooLarge = 0;
};

class NackGenerator {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxMissing = 256;

  explicit NackGenerator(const NackGeneratorConfig& config = {}) noexcept : config_(config) {}

  // A packet arrived. True when it was missing (a recovery: retransmission or late reorder).
  bool onPacket(std::uint16_t seq, TimePoint now) noexcept;
  // The sequence numbers to NACK now, in RTP order, at most out.size(); each counts as an attempt.
  std::size_t collect(TimePoint now, std::span<std::uint16_t> out) noexcept;
  // Anything missing at all (a cheap check before collect).
  [[nodiscard]] bool pending() const noexcept { return count_ > 0; }
  void setRtt(std::chrono::milliseconds rtt) noexcept { rtt_ = rtt; }
  [[nodiscard]] const NackGeneratorStats& stats() const noexcept { return stats_; }

 private:
  struct Entry {
    TimePoint detected{};
    TimePoint lastAsked{};
    std::uint16_t seq = 0;
    std::uint8_t attempts = 0;
  };
  void add(std::uint16_t seq, TimePoint now) noexcept;
  void removeAt(std::size_t index) noexcept;

  NackGeneratorConfig config_;
  std::chrono::milliseconds rtt_{0};
  bool started_ = false;
  std::uint16_t highest_ = 0;
  std::array<Entry, kMaxMissing> entries_{};
  std::size_t count_ = 0;
  NackGeneratorStats stats_;
};

}  // namespace huddle::sfu
