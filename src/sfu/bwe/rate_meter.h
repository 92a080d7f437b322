#pragma once
// Pure, single-threaded. Times are microseconds on the caller's clock (injected, so tests
// drive it without sleeping).
//
// A bitrate over a sliding window, kept in fixed buckets: adding and reading never allocate,
// which matters because every forwarded packet passes through one.

#include <array>
#include <cstdint>

namespace huddle::sfu::bwe {

class RateMeter {
 public:
  static constexpr int kBuckets = 10;
  // The window is kBuckets * bucketUs (1 s by default).
  RateMeter() noexcept = default;
  explicit RateMeter(std::int64_t bucketUs) noexcept : bucketUs_(bucketUs) {}

  void add(std::int64_t nowUs, std::uint64_t bytes) noexcept {
    advance(nowUs);
    buckets_[static_cast<std::size_t>(current_ % kBuckets)] += bytes;
  }

  // Bits per second over the window; while the meter is younger than its window, over its age
  // (so a fresh stream is not under-counted). 0 before anything was added.
  [[nodiscard]] std::uint64_t bitrateBps(std::int64_t nowUs) noexcept {
    if (!started_) return 0;
    advance(nowUs);
    std::uint64_t bytes = 0;
    for (auto b : buckets_) bytes += b;
    std::int64_t spanUs = static_cast<std::int64_t>(kBuckets) * bucketUs_;
    const std::int64_t age = nowUs - firstUs_;
    if (age < spanUs) spanUs = age < bucketUs_ ? bucketUs_ : age;
    return static_cast<std::uint64_t>(static_cast<double>(bytes) * 8.0 * 1e6 /
                                      static_cast<double>(spanUs));
  }

 private:
  void advance(std::int64_t nowUs) noexcept {
    const std::int64_t index = nowUs / bucketUs_;
    if (!started_) {
      started_ = true;
      firstUs_ = nowUs;
      current_ = index;
      return;
    }
    if (index <= current_) return;  // same bucket, or the clock stepped back: keep counting here
    const std::int64_t steps = index - current_;
    for (std::int64_t i = 1; i <= steps && i <= kBuckets; ++i) {
      buckets_[static_cast<std::size_t>((current_ + i) % kBuckets)] = 0;
    }
    current_ = index;
  }

  std::int64_t bucketUs_ = 100'000;
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::int64_t current_ = 0;
  std::int64_t firstUs_ = 0;
  bool started_ = false;
};

}  // namespace huddle::sfu::bwe
