#pragma once
// Video freezes as WebRTC's stats define them: a gap between two rendered frames longer than
// max(3 x the average frame interval, average + 150 ms), the average taken over the last
// frames before the gap. Pure; no allocation.

#include <array>
#include <cstddef>
#include <cstdint>

namespace huddle::client {

class FreezeDetector final {
 public:
  static constexpr std::size_t kWindow = 30;

  void onFrameRendered(std::int64_t nowUs) noexcept {
    if (haveLast_) {
      const std::int64_t interval = nowUs - lastUs_;
      if (count_ > 0) {
        const std::int64_t avg = sum_ / static_cast<std::int64_t>(count_);
        const std::int64_t threshold = avg * 3 > avg + 150000 ? avg * 3 : avg + 150000;
        if (interval > threshold) {
          ++freezes_;
          totalFreezeUs_ += interval;
        }
      }
      // Freezes stay out of the average, so one stall does not hide the next.
      if (count_ == 0 || interval <= sum_ / static_cast<std::int64_t>(count_) * 3 + 150000) {
        push(interval);
      }
    }
    haveLast_ = true;
    lastUs_ = nowUs;
  }

  [[nodiscard]] std::uint64_t freezes() const noexcept { return freezes_; }
  [[nodiscard]] std::int64_t totalFreezeUs() const noexcept { return totalFreezeUs_; }

 private:
  void push(std::int64_t interval) noexcept {
    if (count_ == kWindow) {
      sum_ -= intervals_[next_];
    } else {
      ++count_;
    }
    intervals_[next_] = interval;
    sum_ += interval;
    next_ = (next_ + 1) % kWindow;
  }

  std::array<std::int64_t, kWindow> intervals_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  std::int64_t sum_ = 0;
  bool haveLast_ = false;
  std::int64_t lastUs_ = 0;
  std::uint64_t freezes_ = 0;
  std::int64_t totalFreezeUs_ = 0;
};

}  // namespace huddle::client
