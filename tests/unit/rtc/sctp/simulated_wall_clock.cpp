#include "simulated_wall_clock.h"

#include <sys/time.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace huddle::rtc::test {
namespace {
std::atomic<std::int64_t> gOffsetUs{0};
}  // namespace

void advanceWallClock(std::chrono::milliseconds step) {
  gOffsetUs += std::chrono::duration_cast<std::chrono::microseconds>(step).count();
}

}  // namespace huddle::rtc::test

extern "C" int gettimeofday(struct timeval* __restrict tv, void* __restrict /*tz*/) noexcept {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  const std::int64_t us = static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000 +
                          huddle::rtc::test::gOffsetUs.load();
  tv->tv_sec = static_cast<time_t>(us / 1'000'000);
  tv->tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  return 0;
}
