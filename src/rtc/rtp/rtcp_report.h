#pragma once
// RTCP sender and receiver reports with report blocks (RFC 3550 6.4). Pure, any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

inline constexpr std::size_t kMaxReportBlocks = 31;  // RC is five bits
inline constexpr std::size_t kReportBlockSize = 24;

struct ReportBlock {
  std::uint32_t ssrc = 0;
  std::uint8_t fractionLost = 0;
  std::int32_t cumulativeLost = 0;  // signed 24-bit on the wire
  std::uint32_t extendedHighestSeq = 0;
  std::uint32_t jitter = 0;
  std::uint32_t lastSr = 0;
  std::uint32_t delaySinceLastSr = 0;
  bool operator==(const ReportBlock&) const = default;
};

// Fixed capacity so that parsing a report never allocates.
struct ReportBlockList {
  std::array<ReportBlock, kMaxReportBlocks> items{};
  std::size_t count = 0;

  [[nodiscard]] std::span<const ReportBlock> blocks() const noexcept { return {items.data(), count}; }
  bool push(const ReportBlock& block) noexcept {
    if (count == items.size()) {
      return false;
    }
    items[count++] = block;
    return true;
  }
};

struct RtcpSenderReport {
  std::uint32_t ssrc = 0;
  std::uint64_t ntpTimestamp = 0;
  std::uint32_t rtpTimestamp = 0;
  std::uint32_t packetCount = 0;
  std::uint32_t octetCount = 0;
  ReportBlockList reports;

  [[nodiscard]] static std::optional<RtcpSenderReport> parse(const RtcpPacket& packet) noexcept;
  // Returns bytes written, 0 when `out` is too small.
  [[nodiscard]] std::size_t build(std::span<std::uint8_t> out) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return 28 + kReportBlockSize * reports.count; }
};

struct RtcpReceiverReport {
  std::uint32_t ssrc = 0;
  ReportBlockList reports;

  [[nodiscard]] static std::optional<RtcpReceiverReport> parse(const RtcpPacket& packet) noexcept;
  [[nodiscard]] std::size_t build(std::span<std::uint8_t> out) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return 8 + kReportBlockSize * reports.count; }
};

}  // namespace huddle::rtc
