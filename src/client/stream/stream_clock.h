#pragma once
// Time for the RTP streams: they never read a clock. Callers pass steady_clock instants, and an
// NtpAnchor ties that clock to wall time for sender reports. Pure, any thread.

#include <chrono>
#include <cstdint>

namespace huddle::client {

using StreamTime = std::chrono::steady_clock::time_point;

// Microseconds since the steady clock's epoch: plain integers keep the per-packet state small.
[[nodiscard]] inline std::int64_t toMicros(StreamTime t) noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// One steady instant and the NTP time (RFC 3550 4: 32.32 fixed point seconds since 1900) it
// was taken at. Sender reports convert `now` through it, so a test can pin the wall clock.
struct NtpAnchor {
  StreamTime steady{};
  std::uint64_t ntp = 0;

  [[nodiscard]] std::uint64_t toNtp(StreamTime t) const noexcept {
    const std::int64_t us = toMicros(t) - toMicros(steady);
    // Split so that 2^32 * us does not overflow for long calls.
    const std::int64_t secs = us / 1000000;
    const std::int64_t frac = us % 1000000;
    const std::int64_t delta = secs * (std::int64_t{1} << 32) + (frac * (std::int64_t{1} << 32)) / 1000000;
    return ntp + static_cast<std::uint64_t>(delta);
  }

  // Reads both clocks now; production code calls this once per stream.
  [[nodiscard]] static NtpAnchor fromSystemClock() noexcept;
};

// The middle 32 bits of an NTP timestamp: what LSR and DLSR are counted in (1/65536 s).
[[nodiscard]] inline std::uint32_t ntpMiddle32(std::uint64_t ntp) noexcept {
  return static_cast<std::uint32_t>(ntp >> 16);
}

}  // namespace huddle::client
