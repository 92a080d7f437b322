#pragma once
// Typed readers and in-place writers for the RTP header extensions WebRTC negotiates.
// Pure, any thread. Readers take the element data returned by RtpPacketView::findExtension.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/rtp/rtp_packet.h"

namespace huddle::rtc {

// urn:ietf:params:rtp-hdrext:sdes:mid, rtp-stream-id, repaired-rtp-stream-id (RFC 8843/8852).
// The view points into the packet. Empty elements are rejected.
[[nodiscard]] std::optional<std::string_view> readSdesString(std::span<const std::uint8_t> data) noexcept;
[[nodiscard]] inline std::optional<std::string_view> readMid(std::span<const std::uint8_t> data) noexcept {
  return readSdesString(data);
}
[[nodiscard]] inline std::optional<std::string_view> readRid(std::span<const std::uint8_t> data) noexcept {
  return readSdesString(data);
}
[[nodiscard]] inline std::optional<std::string_view> readRepairedRid(
    std::span<const std::uint8_t> data) noexcept {
  return readSdesString(data);
}

// http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time: 6.18 fixed-point seconds, 24 bits.
[[nodiscard]] std::optional<std::uint32_t> readAbsSendTime(std::span<const std::uint8_t> data) noexcept;

// draft-holmer-rmcat-transport-wide-cc-extensions-01: 16-bit transport-wide sequence number.
[[nodiscard]] std::optional<std::uint16_t> readTransportWideSeq(std::span<const std::uint8_t> data) noexcept;

// RFC 6464 client-to-mixer audio level.
struct AudioLevel {
  bool voiceActivity = false;
  std::uint8_t levelDbov = 127;  // 0 is loudest, 127 silence; the value is -dBov
  bool operator==(const AudioLevel&) const = default;
};
[[nodiscard]] std::optional<AudioLevel> readAudioLevel(std::span<const std::uint8_t> data) noexcept;

// AV1 dependency descriptor: we only forward it, so the reader hands back the raw bytes.
[[nodiscard]] std::optional<std::span<const std::uint8_t>> readDependencyDescriptor(
    std::span<const std::uint8_t> data) noexcept;

// In-place writers: the element `id` must already be present with the right size, because an
// SFU rewrites values on forward but never grows a packet it did not build.
bool setTransportWideSeq(RtpPacketView& packet, std::uint8_t id, std::uint16_t seq) noexcept;
bool setAbsSendTime(RtpPacketView& packet, std::uint8_t id, std::uint32_t absSendTime24) noexcept;

}  // namespace huddle::rtc
