#include "client/stream/stream_clock.h"

namespace huddle::client {

NtpAnchor NtpAnchor::fromSystemClock() noexcept {
  // Seconds between the NTP era (1900) and the Unix epoch (1970).
  constexpr std::uint64_t kNtpUnixOffset = 2208988800ULL;
  const auto steady = std::chrono::steady_clock::now();
  const auto sinceUnix =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto us = static_cast<std::uint64_t>(sinceUnix);
  const std::uint64_t secs = us / 1000000 + kNtpUnixOffset;
  const std::uint64_t frac = ((us % 1000000) << 32) / 1000000;
  return NtpAnchor{steady, (secs << 32) | frac};
}

}  // namespace huddle::client
