#include "rtc/rtp/rtp_header_extensions.h"

#include "rtc/rtp/byte_io.h"

namespace huddle::rtc {

std::optional<std::string_view> readSdesString(std::span<const std::uint8_t> data) noexcept {
  // Senders in the one-byte form may pad the value with NULs; they are not part of the id.
  std::size_t len = data.size();
  while (len > 0 && data[len - 1] == 0) {
    --len;
  }
  if (len == 0) {
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(data.data()), len);
}

std::optional<std::uint32_t> readAbsSendTime(std::span<const std::uint8_t> data) noexcept {
  if (data.size() != 3) {
    return std::nullopt;
  }
  return byte_io::read24(data.data());
}

std::optional<std::uint16_t> readTransportWideSeq(std::span<const std::uint8_t> data) noexcept {
  if (data.size() != 2) {
    return std::nullopt;
  }
  return byte_io::read16(data.data());
}

std::optional<AudioLevel> readAudioLevel(std::span<const std::uint8_t> data) noexcept {
  if (data.empty()) {
    return std::nullopt;
  }
  return AudioLevel{(data[0] & 0x80) != 0, static_cast<std::uint8_t>(data[0] & 0x7F)};
}

std::optional<std::span<const std::uint8_t>> readDependencyDescriptor(
    std::span<const std::uint8_t> data) noexcept {
  // The mandatory fields are 3 bytes (start/end, template id, frame number).
  if (data.size() < 3) {
    return std::nullopt;
  }
  return data;
}

bool setTransportWideSeq(RtpPacketView& packet, std::uint8_t id, std::uint16_t seq) noexcept {
  const auto data = packet.findExtension(id);
  if (!data || data->size() != 2) {
    return false;
  }
  byte_io::write16(data->data(), seq);
  return true;
}

bool setAbsSendTime(RtpPacketView& packet, std::uint8_t id, std::uint32_t absSendTime24) noexcept {
  const auto data = packet.findExtension(id);
  if (!data || data->size() != 3) {
    return false;
  }
  byte_io::write24(data->data(), absSendTime24 & 0xFFFFFF);
  return true;
}

}  // namespace huddle::rtc
