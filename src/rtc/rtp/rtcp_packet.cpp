#include "rtc/rtp/rtcp_packet.h"

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/packet_class.h"

namespace huddle::rtc {

std::optional<RtcpPacket> parseRtcpPacket(std::span<const std::uint8_t> data) noexcept {
  if (data.size() < kRtcpHeaderSize || (data[0] >> 6) != 2) {
    return std::nullopt;
  }
  const std::size_t total = 4 * (std::size_t{byte_io::read16(&data[2])} + 1);
  if (total > data.size()) {
    return std::nullopt;
  }
  RtcpPacket packet;
  packet.count = data[0] & 0x1F;
  packet.type = data[1];
  packet.bytes = data.first(total);
  std::size_t bodyEnd = total;
  if (data[0] & 0x20) {
    // Padding count includes itself and may not eat into the header.
    const std::size_t padding = packet.bytes.back();
    if (padding == 0 || padding > total - kRtcpHeaderSize) {
      return std::nullopt;
    }
    bodyEnd -= padding;
  }
  packet.body = packet.bytes.subspan(kRtcpHeaderSize, bodyEnd - kRtcpHeaderSize);
  return packet;
}

void writeRtcpHeader(std::uint8_t* out, std::uint8_t count, RtcpType type, std::size_t totalSize,
                     bool padding) noexcept {
  out[0] = static_cast<std::uint8_t>(0x80 | (padding ? 0x20 : 0x00) | (count & 0x1F));
  out[1] = static_cast<std::uint8_t>(type);
  byte_io::write16(out + 2, static_cast<std::uint16_t>(totalSize / 4 - 1));
}

std::optional<RtcpPacket> RtcpCompoundReader::next() noexcept {
  if (rest_.empty() || malformed_) {
    return std::nullopt;
  }
  auto packet = parseRtcpPacket(rest_);
  if (!packet) {
    malformed_ = true;
    return std::nullopt;
  }
  rest_ = rest_.subspan(packet->bytes.size());
  return packet;
}

bool isValidRtcpCompound(std::span<const std::uint8_t> data) noexcept {
  if (data.empty()) {
    return false;
  }
  RtcpCompoundReader reader(data);
  while (reader.next()) {
  }
  return !reader.malformed();
}

}  // namespace huddle::rtc
