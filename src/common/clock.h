#pragma once
// Wall-clock and monotonic time behind an interface, so tests can step time.
// SystemClock is thread-safe; ManualClock is for single-threaded tests.

#include <chrono>
#include <cstdint>

namespace huddle {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::system_clock::time_point wallNow() const = 0;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point steadyNow() const = 0;

  [[nodiscard]] std::int64_t unixSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(wallNow().time_since_epoch()).count();
  }
  [[nodiscard]] std::int64_t unixMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(wallNow().time_since_epoch())
        .count();
  }
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::now();
  }
  [[nodiscard]] std::chrono::steady_clock::time_point steadyNow() const override {
    return std::chrono::steady_clock::now();
  }
  // One shared instance: it has no state.
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start =
                           std::chrono::system_clock::time_point{
                               std::chrono::seconds{1'700'000'000}})
      : wall_(start) {}

  [[nodiscard]] std::chrono::system_clock::time_point wallNow() const override { return wall_; }
  [[nodiscard]] std::chrono::steady_clock::time_point steadyNow() const override { return steady_; }

  void advance(std::chrono::nanoseconds step) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(step);
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(step);
  }
  void setWall(std::chrono::system_clock::time_point t) { wall_ = t; }

 private:
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_{};
};

}  // namespace huddle
