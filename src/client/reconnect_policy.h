#pragma once
// Pure, any thread (one instance per caller; not synchronised).
//
// When to retry after the signal or transport is lost. The default schedule follows LiveKit's
// clients: the first retry after a random 0-500 ms, then base delays of 300 ms growing to a 7 s
// cap, each scaled by a random factor in [0.5, 1.5], for 10 attempts in all; then give up.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace huddle::client {

struct ReconnectPolicyOptions {
  // Base delay of attempt i (0-based). Attempts beyond the list use its last entry.
  std::vector<std::chrono::milliseconds> baseDelays{
      std::chrono::milliseconds{0},    std::chrono::milliseconds{300},
      std::chrono::milliseconds{1200}, std::chrono::milliseconds{2700},
      std::chrono::milliseconds{4800}, std::chrono::milliseconds{7000}};
  std::chrono::milliseconds maxDelay{7000};
  unsigned maxAttempts = 10;  // 0: never retry
  // Attempt 0 waits a uniform random delay in [0, firstAttemptMaxJitter] instead of its base.
  std::chrono::milliseconds firstAttemptMaxJitter{500};
  // Later attempts are scaled by a uniform factor in [jitterMin, jitterMax]; 1/1 disables it.
  double jitterMin = 0.5;
  double jitterMax = 1.5;
};

class ReconnectPolicy final {
 public:
  // `seed` makes the jitter reproducible (tests); nullopt seeds from the OS.
  explicit ReconnectPolicy(ReconnectPolicyOptions options = {},
                           std::optional<std::uint64_t> seed = std::nullopt);

  // The wait before attempt `attempt` (0-based), or nullopt once the attempts are used up.
  [[nodiscard]] std::optional<std::chrono::milliseconds> nextDelay(unsigned attempt);

  [[nodiscard]] const ReconnectPolicyOptions& options() const noexcept { return options_; }

 private:
  [[nodiscard]] double uniform(double low, double high);

  ReconnectPolicyOptions options_;
  std::uint64_t state_;  // splitmix64: small, seedable, and the same on every platform
};

}  // namespace huddle::client
