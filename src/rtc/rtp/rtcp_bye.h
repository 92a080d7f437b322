#pragma once
// RTCP goodbye (RFC 3550 6.6). Pure, any thread; the reason is a view into the packet.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

struct RtcpBye {
  std::array<std::uint32_t, 31> ssrcItems{};
  std::size_t count = 0;
  std::string_view reason;

  [[nodiscard]] std::span<const std::uint32_t> ssrcs() const noexcept { return {ssrcItems.data(), count}; }
  bool push(std::uint32_t ssrc) noexcept {
    if (count == ssrcItems.size()) {
      return false;
    }
    ssrcItems[count++] = ssrc;
    return true;
  }

  [[nodiscard]] static std::optional<RtcpBye> parse(const RtcpPacket& packet) noexcept;
  [[nodiscard]] std::size_t build(std::span<std::uint8_t> out) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept {
    return 4 + 4 * count + (reason.empty() ? 0 : paddedToWord(1 + reason.size()));
  }

 private:
  static constexpr std::size_t paddedToWord(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }
};

}  // namespace huddle::rtc
