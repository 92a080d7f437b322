#pragma once
// Opus RTP payload (RFC 7587). Every packet decodes on its own, so every packet is a
// "keyframe" for layer-switch purposes. Pure, any thread.

#include <cstdint>
#include <span>

namespace huddle::rtc {

struct OpusPayload {
  [[nodiscard]] static bool isKeyframe(std::span<const std::uint8_t> payload) noexcept { return !payload.empty(); }
};

}  // namespace huddle::rtc
