#pragma once
// RTCP source description (RFC 3550 6.5). Only CNAME is kept; other items are skipped.
// Pure, any thread. Parsed CNAMEs are views into the packet bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

inline constexpr std::size_t kMaxSdesChunks = 31;  // SC is five bits

struct SdesChunk {
  std::uint32_t ssrc = 0;
  std::string_view cname;  // empty when the chunk carries no CNAME
  bool operator==(const SdesChunk&) const = default;
};

struct RtcpSdes {
  std::array<SdesChunk, kMaxSdesChunks> items{};
  std::size_t count = 0;

  [[nodiscard]] std::span<const SdesChunk> chunks() const noexcept { return {items.data(), count}; }
  bool push(const SdesChunk& chunk) noexcept {
    if (count == items.size()) {
      return false;
    }
    items[count++] = chunk;
    return true;
  }

  [[nodiscard]] static std::optional<RtcpSdes> parse(const RtcpPacket& packet) noexcept;
  // Writes one CNAME item per chunk (chunks with an empty cname get none). CNAMEs longer than
  // 255 bytes cannot be encoded and make build fail. Returns bytes written or 0.
  [[nodiscard]] std::size_t build(std::span<std::uint8_t> out) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept;
};

}  // namespace huddle::rtc
