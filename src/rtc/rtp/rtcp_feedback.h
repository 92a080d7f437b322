#pragma once
// Shared pieces of RTCP feedback messages (RFC 4585 6.1). Pure, any thread.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

inline constexpr std::uint8_t kFmtNack = 1;
inline constexpr std::uint8_t kFmtTransportCc = 15;
inline constexpr std::uint8_t kFmtPli = 1;
inline constexpr std::uint8_t kFmtFir = 4;
inline constexpr std::uint8_t kFmtAfb = 15;
inline constexpr std::size_t kFeedbackHeaderSize = 12;  // common header + sender + media SSRC

struct FeedbackSsrcs {
  std::uint32_t sender = 0;
  std::uint32_t media = 0;
};

// Checks type and FMT, and that both SSRCs are present.
[[nodiscard]] inline std::optional<FeedbackSsrcs> readFeedbackSsrcs(const RtcpPacket& packet, RtcpType type,
                                                                    std::uint8_t fmt) noexcept {
  if (packet.type != static_cast<std::uint8_t>(type) || packet.count != fmt || packet.body.size() < 8) {
    return std::nullopt;
  }
  return FeedbackSsrcs{byte_io::read32(packet.body.data()), byte_io::read32(packet.body.data() + 4)};
}

inline void writeFeedbackHeader(std::uint8_t* out, RtcpType type, std::uint8_t fmt, std::size_t totalSize,
                                std::uint32_t sender, std::uint32_t media, bool padding = false) noexcept {
  writeRtcpHeader(out, fmt, type, totalSize, padding);
  byte_io::write32(out + 4, sender);
  byte_io::write32(out + 8, media);
}

}  // namespace huddle::rtc
