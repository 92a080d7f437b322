#pragma once
// Single-threaded: owned by a TrackReceiver (one per layer) or a test; no locks.
//
// What a receiver knows about one incoming RTP stream, as RFC 3550 appendix A computes it:
// sequence tracking with wrap and restart (A.1), expected and lost packets, fraction lost per
// report interval (A.3), interarrival jitter (A.8), and the last sender report's NTP middle 32
// bits with its arrival time (for the LSR/DLSR of our receiver reports). No allocation.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "rtc/rtp/rtcp_report.h"

namespace huddle::sfu {

// One report interval (A.3): what was expected and received since the previous interval closed.
struct ReceiveInterval {
  std::int64_t expected = 0;
  std::int64_t received = 0;
  std::int64_t lost = 0;          // may be negative with duplicates
  std::uint8_t fractionLost = 0;  // lost / expected in 1/256, 0 when nothing was lost
};

class RtpReceiveStats {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // A.1: a jump ahead larger than this, or behind by more than kMaxMisorder, is not in sequence;
  // two such packets in a row mean the sender restarted its numbering.
  static constexpr std::uint16_t kMaxDropout = 3000;
  static constexpr std::uint16_t kMaxMisorder = 100;

  RtpReceiveStats() noexcept = default;
  explicit RtpReceiveStats(std::uint32_t clockRate) noexcept : clockRate_(clockRate) {}

  void setClockRate(std::uint32_t clockRate) noexcept { clockRate_ = clockRate; }
  [[nodiscard]] std::uint32_t clockRate() const noexcept { return clockRate_; }

  // One received packet. `retransmission`: recovered through RTX or a repeat; it counts as
  // received but says nothing about the path's jitter.
  void onPacket(std::uint16_t seq, std::uint32_t rtpTimestamp, std::size_t bytes, TimePoint arrival,
                bool retransmission = false) noexcept;

  [[nodiscard]] bool started() const noexcept { return started_; }
  [[nodiscard]] std::uint64_t packets() const noexcept { return packets_; }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::uint64_t restarts() const noexcept { return restarts_; }
  // Cycles << 16 | highest sequence number seen (A.1).
  [[nodiscard]] std::uint32_t extendedHighestSeq() const noexcept {
    return cycles_ | maxSeq_;
  }
  [[nodiscard]] std::int64_t expected() const noexcept;
  // expected - received since the (re)start; negative with duplicates (A.3).
  [[nodiscard]] std::int64_t cumulativeLost() const noexcept;
  // A.8, in RTP timestamp units and in seconds.
  [[nodiscard]] std::uint32_t jitter() const noexcept { return static_cast<std::uint32_t>(jitter_); }
  [[nodiscard]] double jitterSeconds() const noexcept {
    return clockRate_ == 0 ? 0.0 : jitter_ / static_cast<double>(clockRate_);
  }

  // What the current interval looks like without closing it.
  [[nodiscard]] ReceiveInterval peekInterval() const noexcept;
  // Closes the interval (a receiver report went out, or a quality window ended).
  ReceiveInterval closeInterval() noexcept;

  // A sender report from this stream's source arrived.
  void onSenderReport(std::uint64_t ntpTimestamp, TimePoint arrival) noexcept;
  // Middle 32 bits of the last SR's NTP timestamp; 0 when none arrived (RFC 3550 6.4.1 LSR).
  [[nodiscard]] std::uint32_t lastSrNtpMiddle() const noexcept { return lastSr_; }
  [[nodiscard]] TimePoint lastSrArrival() const noexcept { return lastSrArrival_; }

  // A report block about this stream for `ssrc` as of `now`; closes the interval.
  [[nodiscard]] rtc::ReportBlock makeReportBlock(std::uint32_t ssrc, TimePoint now) noexcept;

 private:
  void restart(std::uint16_t seq) noexcept;

  std::uint32_t clockRate_ = 90000;
  bool started_ = false;
  std::uint16_t maxSeq_ = 0;
  std::uint32_t cycles_ = 0;    // shifted count of wraps
  std::uint32_t baseSeq_ = 0;
  std::uint32_t badSeq_ = 0x10001;  // beyond 16 bits: no candidate restart
  std::uint64_t received_ = 0;      // since the (re)start
  std::uint64_t packets_ = 0;       // lifetime
  std::uint64_t bytes_ = 0;
  std::uint64_t restarts_ = 0;
  std::int64_t expectedPrior_ = 0;
  std::int64_t receivedPrior_ = 0;
  // Jitter: arrival converted to RTP units relative to the first packet, so it never overflows.
  TimePoint firstArrival_{};
  bool haveTransit_ = false;
  std::int64_t lastTransit_ = 0;
  double jitter_ = 0.0;
  std::uint32_t lastSr_ = 0;
  TimePoint lastSrArrival_{};
};

}  // namespace huddle::sfu
