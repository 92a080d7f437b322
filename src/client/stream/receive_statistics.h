#pragma once
// What a receiver reports about one incoming SSRC (RFC 3550 6.4.1, appendix A.1/A.3/A.8):
// extended highest sequence, cumulative and fractional loss, interarrival jitter, and LSR/DLSR
// from the last sender report. Pure; not thread-safe (owned by one receive stream).

#include <cstdint>
#include <optional>

#include "client/stream/stream_clock.h"
#include "rtc/rtp/rtcp_report.h"

namespace huddle::client {

class ReceiveStatistics final {
 public:
  explicit ReceiveStatistics(std::uint32_t clockRate) noexcept : clockRate_(clockRate) {}

  // Each distinct packet once (duplicates are the caller's to filter). Retransmissions count as
  // received but do not feed jitter: their transit time says nothing about the network's jitter.
  void onPacket(std::uint16_t seq, std::uint32_t rtpTimestamp, StreamTime arrival, bool retransmitted) noexcept;
  void onSenderReport(std::uint64_t ntpTimestamp, StreamTime arrival) noexcept;

  // Empty before the first packet. Moves the "since last report" window for fraction lost.
  [[nodiscard]] std::optional<rtc::ReportBlock> makeReportBlock(std::uint32_t mediaSsrc, StreamTime now) noexcept;

  [[nodiscard]] std::uint32_t extendedHighestSeq() const noexcept { return cycles_ + maxSeq_; }
  [[nodiscard]] std::int64_t cumulativeLost() const noexcept;
  [[nodiscard]] std::uint32_t jitter() const noexcept { return static_cast<std::uint32_t>(jitterQ4_ >> 4); }
  [[nodiscard]] std::uint64_t received() const noexcept { return received_; }

 private:
  std::uint32_t clockRate_;
  bool started_ = false;
  std::uint16_t baseSeq_ = 0;
  std::uint16_t maxSeq_ = 0;
  std::uint32_t cycles_ = 0;  // sequence wraps, shifted left 16
  std::uint64_t received_ = 0;
  std::uint64_t expectedPrior_ = 0;
  std::uint64_t receivedPrior_ = 0;
  // Jitter in timestamp units, times 16 (the A.8 integer form keeps four fraction bits).
  std::uint64_t jitterQ4_ = 0;
  bool haveTransit_ = false;
  std::int64_t lastTransit_ = 0;
  std::optional<std::uint32_t> lastSrMiddle_;
  std::int64_t lastSrArrivalUs_ = 0;
};

}  // namespace huddle::client
