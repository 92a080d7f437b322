#pragma once
// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03), an application layer
// feedback (PSFB FMT 15) tagged "REMB". Pure, any thread; the parsed message views its SSRCs.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

class RtcpRemb {
 public:
  [[nodiscard]] static std::optional<RtcpRemb> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] std::uint32_t senderSsrc() const noexcept { return senderSsrc_; }
  [[nodiscard]] std::uint64_t bitrateBps() const noexcept { return bitrate_; }
  [[nodiscard]] std::size_t ssrcCount() const noexcept { return ssrcs_.size() / 4; }
  [[nodiscard]] std::uint32_t ssrc(std::size_t index) const noexcept;

  // The bitrate is stored as an 18-bit mantissa and 6-bit exponent; low bits that do not fit
  // are truncated (the estimate rounds down, never up). At most 255 SSRCs.
  [[nodiscard]] static std::size_t build(std::uint32_t senderSsrc, std::uint64_t bitrateBps,
                                         std::span<const std::uint32_t> ssrcs,
                                         std::span<std::uint8_t> out) noexcept;

 private:
  std::uint32_t senderSsrc_ = 0;
  std::uint64_t bitrate_ = 0;
  std::span<const std::uint8_t> ssrcs_;
};

}  // namespace huddle::rtc
