#pragma once
// Single-threaded: one per publisher transport, on the worker that owns it. Times are
// microseconds on the caller's clock (injected, so tests need no sleeping).
//
// The receive side of transport-wide congestion control: remembers when each transport-wide
// sequence number arrived and turns that into transport-cc feedback (RTPFB FMT 15), which the
// publisher's send-side estimator needs; without it a browser stays at its start bitrate.
// Sequence numbers are unwrapped to 64 bits; a gap not filled by the time it is reported is a
// loss; a packet arriving after its number was reported is counted late and dropped (the
// sender has already judged it). No allocation: a fixed ring and a fixed status array.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/rtp/rtcp_transport_cc.h"

namespace huddle::sfu::bwe {

struct TwccRecorderStats {
  std::uint64_t packets = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t late = 0;       // arrived after its number was reported (or fell out of the window)
  std::uint64_t feedbacks = 0;  // feedback packets built
};

class TwccRecorder {
 public:
  // Must cover everything that can arrive between two feedbacks (4096 packets in 50 ms is
  // ~80 Mbps of 1200-byte packets).
  static constexpr std::int64_t kWindow = 4096;
  // Keeps one feedback well under an MTU (at most ~2 bytes per packet plus chunks).
  static constexpr std::size_t kMaxPacketsPerFeedback = 400;
  static constexpr std::size_t kMaxFeedbackBytes = 1200;

  explicit TwccRecorder(std::int64_t intervalUs = 50'000) noexcept : intervalUs_(intervalUs) {}

  void onPacket(std::uint16_t seq, std::int64_t arrivalUs) noexcept;

  // A feedback is due: the interval passed since the last one (or a full feedback is waiting)
  // and something is unreported.
  [[nodiscard]] bool due(std::int64_t nowUs) const noexcept;

  // Builds the next feedback into `out` (reports at most kMaxPacketsPerFeedback numbers);
  // returns its size, 0 when there is nothing to report or `out` is too small. Call again
  // while it returns non-zero and due() holds, to drain a backlog.
  std::size_t buildFeedback(std::uint32_t senderSsrc, std::uint32_t mediaSsrc, std::int64_t nowUs,
                            std::span<std::uint8_t> out) noexcept;

  [[nodiscard]] std::int64_t unreported() const noexcept { return end_ - begin_; }
  [[nodiscard]] const TwccRecorderStats& stats() const noexcept { return stats_; }

 private:
  static constexpr std::int64_t kNotReceived = INT64_MIN;
  std::int64_t& slot(std::int64_t unwrapped) noexcept {
    return arrivals_[static_cast<std::size_t>(unwrapped & (kWindow - 1))];
  }

  std::int64_t intervalUs_;
  bool started_ = false;
  std::int64_t begin_ = 0;  // first unwrapped number not yet reported
  std::int64_t end_ = 0;    // highest unwrapped number seen + 1
  std::int64_t lastFeedbackUs_ = 0;
  bool sentAny_ = false;
  std::uint8_t feedbackCount_ = 0;
  std::array<std::int64_t, kWindow> arrivals_{};
  std::array<rtc::TwccPacketStatus, kMaxPacketsPerFeedback> statuses_{};
  TwccRecorderStats stats_;
};

}  // namespace huddle::sfu::bwe
