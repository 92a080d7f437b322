#pragma once
// Codec identities the forwarding path cares about, and keyframe detection per codec.
// Pure, any thread.

#include <cstdint>
#include <span>
#include <string_view>

namespace huddle::sfu {

enum class CodecKind : std::uint8_t { Opus, Red, Vp8, Vp9, H264, Av1, H265, Other };

// From an SDP encoding name or a mime subtype, case-insensitively: "VP8", "opus", "H264"...
[[nodiscard]] CodecKind codecKindFromName(std::string_view encodingName) noexcept;
// "video/VP8", "audio/opus": the mime type LiveKit puts in TrackInfo.
[[nodiscard]] std::string_view mimeTypeOf(CodecKind codec) noexcept;
[[nodiscard]] bool isVideo(CodecKind codec) noexcept;

// Whether this RTP payload starts a frame a decoder can start from. Audio is always true
// (every packet is decodable on its own for layer-switch purposes).
[[nodiscard]] bool isKeyframe(CodecKind codec, std::span<const std::uint8_t> payload) noexcept;

}  // namespace huddle::sfu
