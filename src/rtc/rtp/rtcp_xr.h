#pragma once
// RTCP extended reports (RFC 3611) with the two blocks WebRTC uses for receiver-side RTT:
// receiver reference time (RRTR, BT 4) and DLRR (BT 5). Other block types are skipped.
// Pure, any thread; the parsed message views its DLRR sub-blocks.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

struct DlrrItem {
  std::uint32_t ssrc = 0;
  std::uint32_t lastRr = 0;           // middle 32 bits of the RRTR NTP time
  std::uint32_t delaySinceLastRr = 0;  // 1/65536 s
  bool operator==(const DlrrItem&) const = default;
};

class RtcpXr {
 public:
  [[nodiscard]] static std::optional<RtcpXr> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] std::uint32_t senderSsrc() const noexcept { return senderSsrc_; }
  [[nodiscard]] std::optional<std::uint64_t> rrtrNtp() const noexcept { return rrtr_; }
  // Only the first DLRR block is kept; WebRTC senders emit one.
  [[nodiscard]] std::size_t dlrrCount() const noexcept { return dlrr_.size() / 12; }
  [[nodiscard]] DlrrItem dlrr(std::size_t index) const noexcept;

  // Writes an RRTR block when `rrtrNtp` is set and a DLRR block when `dlrr` is not empty.
  [[nodiscard]] static std::size_t build(std::uint32_t senderSsrc, std::optional<std::uint64_t> rrtrNtp,
                                         std::span<const DlrrItem> dlrr, std::span<std::uint8_t> out) noexcept;

 private:
  std::uint32_t senderSsrc_ = 0;
  std::optional<std::uint64_t> rrtr_;
  std::span<const std::uint8_t> dlrr_;
};

}  // namespace huddle::rtc
