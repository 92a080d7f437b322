#pragma once
// VP8 RTP payload descriptor (RFC 7741 4.2) and the keyframe bit of the VP8 payload header
// (4.3). Enough for an SFU to find keyframes and temporal layers. Pure, any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace huddle::rtc {

struct Vp8Descriptor {
  bool nonReference = false;      // N
  bool startOfPartition = false;  // S
  std::uint8_t partitionId = 0;   // PID
  std::optional<std::uint16_t> pictureId;
  bool pictureId15Bit = false;  // M: the picture id took two bytes
  std::optional<std::uint8_t> tl0PicIdx;
  std::optional<std::uint8_t> temporalId;  // TID, present when T is set
  bool layerSync = false;                  // Y
  std::optional<std::uint8_t> keyIdx;      // K
  std::size_t size = 0;                    // descriptor bytes before the VP8 payload
  bool keyframe = false;  // first packet of a key frame: S=1, PID=0 and P bit clear

  [[nodiscard]] static std::optional<Vp8Descriptor> parse(std::span<const std::uint8_t> payload) noexcept;
  // Writes the descriptor alone (not the payload header). Returns bytes written or 0.
  [[nodiscard]] std::size_t serialize(std::span<std::uint8_t> out) const noexcept;
  [[nodiscard]] std::size_t serializedSize() const noexcept;
};

}  // namespace huddle::rtc
