#include "client/reconnect_policy.h"

#include <algorithm>
#include <random>
#include <utility>

namespace huddle::client {

ReconnectPolicy::ReconnectPolicy(ReconnectPolicyOptions options, std::optional<std::uint64_t> seed)
    : options_(std::move(options)) {
  if (seed) {
    state_ = *seed;
  } else {
    std::random_device device;
    state_ = (std::uint64_t{device()} << 32) ^ device();
  }
  if (options_.jitterMax < options_.jitterMin) std::swap(options_.jitterMin, options_.jitterMax);
  options_.jitterMin = std::max(0.0, options_.jitterMin);
  options_.jitterMax = std::max(0.0, options_.jitterMax);
}

double ReconnectPolicy::uniform(double low, double high) {
  state_ += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  // 53 random bits -> [0, 1].
  const double unit = static_cast<double>(z >> 11) / static_cast<double>((std::uint64_t{1} << 53) - 1);
  return low + (high - low) * unit;
}

std::optional<std::chrono::milliseconds> ReconnectPolicy::nextDelay(unsigned attempt) {
  if (attempt >= options_.maxAttempts) return std::nullopt;
  if (attempt == 0) {
    const double ms = uniform(0.0, static_cast<double>(options_.firstAttemptMaxJitter.count()));
    return std::chrono::milliseconds{static_cast<std::int64_t>(ms)};
  }
  std::chrono::milliseconds base = options_.maxDelay;
  if (!options_.baseDelays.empty()) {
    base = options_.baseDelays[std::min<std::size_t>(attempt, options_.baseDelays.size() - 1)];
  }
  base = std::min(base, options_.maxDelay);
  const double scaled = static_cast<double>(base.count()) * uniform(options_.jitterMin, options_.jitterMax);
  return std::chrono::milliseconds{static_cast<std::int64_t>(scaled)};
}

}  // namespace huddle::client
