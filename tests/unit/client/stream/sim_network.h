#pragma once
// Test support: a simulated one-way path with seeded loss, delay jitter (which reorders) and
// duplication, on a simulated clock. Packets are copied; tests only.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

#include "client/stream/stream_clock.h"

namespace huddle::client::test {

struct PathConfig {
  double loss = 0.0;
  double duplicate = 0.0;
  std::chrono::microseconds delay{20000};
  std::chrono::microseconds jitter{0};  // uniform extra delay in [0, jitter]
};

class SimPath {
 public:
  SimPath(PathConfig config, std::uint32_t seed) : config_(config), rng_(seed) {}

  void setConfig(const PathConfig& config) { config_ = config; }
  // When set, drops every packet while it returns true (burst loss).
  std::function<bool(std::span<const std::uint8_t>)> dropIf;

  void send(std::span<const std::uint8_t> bytes, StreamTime now) {
    sent_++;
    if (dropIf && dropIf(bytes)) {
      return;
    }
    if (unit_(rng_) < config_.loss) {
      return;
    }
    const int copies = unit_(rng_) < config_.duplicate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      const auto extra = std::chrono::microseconds(
          config_.jitter.count() > 0
              ? std::uniform_int_distribution<std::int64_t>(0, config_.jitter.count())(rng_)
              : 0);
      queue_.push_back({now + config_.delay + extra, order_++, {bytes.begin(), bytes.end()}});
    }
  }

  // Hands every packet due by `now` to deliver, earliest first.
  template <typename Deliver>
  void deliver(StreamTime now, Deliver&& deliverFn) {
    std::sort(queue_.begin(), queue_.end(), [](const auto& a, const auto& b) {
      return a.at != b.at ? a.at < b.at : a.order < b.order;
    });
    std::size_t n = 0;
    while (n < queue_.size() && queue_[n].at <= now) {
      ++n;
    }
    std::vector<Item> due(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    for (auto& item : due) {
      deliverFn(std::span<std::uint8_t>(item.bytes));
    }
  }

  [[nodiscard]] bool empty() const { return queue_.empty(); }
  [[nodiscard]] std::uint64_t sent() const { return sent_; }

 private:
  struct Item {
    StreamTime at;
    std::uint64_t order;
    std::vector<std::uint8_t> bytes;
  };
  PathConfig config_;
  std::mt19937 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  std::vector<Item> queue_;
  std::uint64_t order_ = 0;
  std::uint64_t sent_ = 0;
};

}  // namespace huddle::client::test
