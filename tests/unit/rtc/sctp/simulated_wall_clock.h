#pragma once
// Test-only, single-threaded: shifts the wall clock that usrsctp reads.
//
// usrsctp runs its timers from the ticks we give usrsctp_handle_timers, but stamps chunks with
// gettimeofday() and retransmits on T3 expiry only chunks older than the RTO by that clock.
// Advancing timers faster than real time therefore makes T3 fire without retransmitting. The
// tests fast-forward both together: this file's gettimeofday() (linked into the test binary,
// where it takes precedence over libc's for libusrsctp too) returns real time plus an offset.

#include <chrono>

namespace huddle::rtc::test {

void advanceWallClock(std::chrono::milliseconds step);

}  // namespace huddle::rtc::test
