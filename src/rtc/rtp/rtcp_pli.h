#pragma once
// Picture loss indication (RFC 4585 6.3.1): a payload-specific feedback with no FCI.
// Pure, any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

struct RtcpPli {
  static constexpr std::size_t kSize = 12;
  std::uint32_t senderSsrc = 0;
  std::uint32_t mediaSsrc = 0;

  [[nodiscard]] static std::optional<RtcpPli> parse(const RtcpPacket& packet) noexcept;
  [[nodiscard]] std::size_t build(std::span<std::uint8_t> out) const noexcept;
};

}  // namespace huddle::rtc
