#pragma once
// The first step of both receive streams: parse an RTP packet, check its SSRC and payload
// type, and unwrap RTX (RFC 4588: the original sequence number leads the payload). Pure.

#include <cstdint>
#include <optional>
#include <span>

namespace huddle::client {

struct IncomingRtpConfig {
  std::uint32_t ssrc = 0;
  std::optional<std::uint32_t> rtxSsrc;
  std::uint8_t payloadType = 0;
  std::uint8_t rtxPayloadType = 0;
};

enum class IncomingRtpStatus : std::uint8_t {
  Media,
  Malformed,     // not RTP, or an RTX packet too short for its OSN
  UnknownSsrc,
  UnknownPayloadType,
  PaddingOnly,   // nothing to play (RTX probes, padding)
};

struct IncomingRtp {
  IncomingRtpStatus status = IncomingRtpStatus::Malformed;
  std::uint16_t seq = 0;  // the original sequence number for RTX
  std::uint32_t timestamp = 0;
  bool marker = false;
  bool retransmission = false;  // arrived as RTX
  std::span<const std::uint8_t> payload;
};

[[nodiscard]] IncomingRtp parseIncomingRtp(std::span<std::uint8_t> packet, const IncomingRtpConfig& config) noexcept;

}  // namespace huddle::client
