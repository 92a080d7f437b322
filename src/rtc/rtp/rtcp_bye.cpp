#include "rtc/rtp/rtcp_bye.h"

#include <cstring>

#include "rtc/rtp/byte_io.h"

namespace huddle::rtc {

std::optional<RtcpBye> RtcpBye::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::Bye)) {
    return std::nullopt;
  }
  const auto body = packet.body;
  const std::size_t ssrcBytes = 4 * std::size_t{packet.count};
  if (body.size() < ssrcBytes) {
    return std::nullopt;
  }
  RtcpBye bye;
  for (std::size_t i = 0; i < packet.count; ++i) {
    bye.push(byte_io::read32(&body[4 * i]));
  }
  if (body.size() > ssrcBytes) {
    const std::size_t len = body[ssrcBytes];
    if (ssrcBytes + 1 + len > body.size()) {
      return std::nullopt;
    }
    bye.reason = std::string_view(reinterpret_cast<const char*>(&body[ssrcBytes + 1]), len);
  }
  return bye;
}

std::size_t RtcpBye::build(std::span<std::uint8_t> out) const noexcept {
  const std::size_t total = size();
  if (out.size() < total || count > ssrcItems.size() || reason.size() > 255) {
    return 0;
  }
  std::uint8_t* p = out.data();
  writeRtcpHeader(p, static_cast<std::uint8_t>(count), RtcpType::Bye, total);
  std::size_t pos = 4;
  for (const std::uint32_t ssrc : ssrcs()) {
    byte_io::write32(p + pos, ssrc);
    pos += 4;
  }
  if (!reason.empty()) {
    p[pos] = static_cast<std::uint8_t>(reason.size());
    std::memcpy(p + pos + 1, reason.data(), reason.size());
    pos += 1 + reason.size();
    std::memset(p + pos, 0, total - pos);
  }
  return total;
}

}  // namespace huddle::rtc
