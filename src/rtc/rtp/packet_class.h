#pragma once
// First-byte demultiplexing of RTP and RTCP. Pure, any thread.

#include <cstdint>
#include <span>

namespace huddle::rtc {

inline constexpr std::size_t kRtpFixedHeaderSize = 12;
inline constexpr std::size_t kRtcpHeaderSize = 4;

// RFC 7983: a first byte in 128..191 means RTP or RTCP (version 2); STUN, DTLS and
// ZRTP use other ranges, so this one test separates media from the handshake traffic.
[[nodiscard]] inline bool isRtpOrRtcp(std::span<const std::uint8_t> data) noexcept {
  return data.size() >= kRtcpHeaderSize && data[0] >= 128 && data[0] <= 191;
}

// RFC 5761 section 4: with rtcp-mux the second byte 192..223 is RTCP, because RTP payload
// types 64..95 (which would alias it with the marker bit set) are not allowed to be used.
[[nodiscard]] inline bool isRtcp(std::span<const std::uint8_t> data) noexcept {
  return isRtpOrRtcp(data) && data[1] >= 192 && data[1] <= 223;
}

[[nodiscard]] inline bool isRtp(std::span<const std::uint8_t> data) noexcept {
  return isRtpOrRtcp(data) && data.size() >= kRtpFixedHeaderSize && !(data[1] >= 192 && data[1] <= 223);
}

}  // namespace huddle::rtc
