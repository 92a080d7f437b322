#pragma once
// Writes RTP fixed headers with RFC 8285 one-byte header extensions into a caller buffer.
// Pure, any thread; no allocation.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace huddle::client {

// One-byte extension ids are 1..14; 0 leaves the extension out.
struct RtpExtensionIds {
  std::uint8_t mid = 0;
  std::uint8_t rid = 0;
  std::uint8_t repairedRid = 0;  // carried instead of rid by RTX packets
  std::uint8_t transportCc = 0;
  std::uint8_t absSendTime = 0;
  std::uint8_t audioLevel = 0;
};

inline constexpr std::uint8_t kMaxOneByteExtensionId = 14;
inline constexpr std::size_t kMaxOneByteExtensionSize = 16;

struct RtpHeaderFields {
  std::uint8_t payloadType = 0;
  bool marker = false;
  std::uint16_t sequenceNumber = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

// Values of the elements to write; an element is written when its id is non-zero and it has a
// value (strings non-empty).
struct RtpExtensionValues {
  std::uint8_t midId = 0;
  std::string_view mid;
  std::uint8_t ridId = 0;  // rid or repaired rid
  std::string_view rid;
  std::uint8_t transportCcId = 0;
  std::uint16_t transportSeq = 0;
  std::uint8_t absSendTimeId = 0;
  std::uint32_t absSendTime24 = 0;
  std::uint8_t audioLevelId = 0;
  std::optional<std::uint8_t> audioLevelByte;  // V bit in the top bit, level in the low 7
};

// The largest header writeRtpHeader produces: 12 fixed + 4 block header + elements.
inline constexpr std::size_t kMaxRtpHeaderSize = 12 + 4 + (1 + kMaxOneByteExtensionSize) * 2 + 3 + 4 + 2 + 3;

// Returns the header size (a multiple of 4), or 0 when `out` is too small.
[[nodiscard]] std::size_t writeRtpHeader(const RtpHeaderFields& fields, const RtpExtensionValues& ext,
                                         std::span<std::uint8_t> out) noexcept;

// abs-send-time: 6.18 fixed-point seconds in 24 bits, from microseconds of any monotonic clock.
[[nodiscard]] inline std::uint32_t absSendTime24(std::int64_t micros) noexcept {
  return static_cast<std::uint32_t>(((static_cast<std::uint64_t>(micros) << 18) / 1000000) & 0xFFFFFF);
}

}  // namespace huddle::client
