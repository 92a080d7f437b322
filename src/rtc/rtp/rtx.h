#pragma once
// RTX retransmission payload format (RFC 4588). Pure, any thread; builds into caller buffers.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtp_packet.h"

namespace huddle::rtc {

// The original sequence number carried in the first two payload bytes of an RTX packet.
[[nodiscard]] std::optional<std::uint16_t> readRtxOriginalSeq(const RtpPacketView& rtx) noexcept;

// Copies `original` into `out` as an RTX packet: same header (CSRCs, extensions, marker,
// timestamp) with the RTX payload type, SSRC and sequence, then OSN, then the original payload.
// Padding is dropped. Returns bytes written, 0 when `out` is too small.
[[nodiscard]] std::size_t buildRtxPacket(const RtpPacketView& original, std::uint8_t rtxPayloadType,
                                         std::uint32_t rtxSsrc, std::uint16_t rtxSeq,
                                         std::span<std::uint8_t> out) noexcept;

// The inverse: restores the original packet (payload type, SSRC, OSN as sequence) into `out`.
// Returns bytes written, 0 when `rtx` has no OSN or `out` is too small.
[[nodiscard]] std::size_t buildOriginalFromRtx(const RtpPacketView& rtx, std::uint8_t originalPayloadType,
                                               std::uint32_t originalSsrc,
                                               std::span<std::uint8_t> out) noexcept;

}  // namespace huddle::rtc
