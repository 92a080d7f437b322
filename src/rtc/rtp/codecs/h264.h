#pragma once
// H.264 RTP payload (RFC 6184) inspection for packetization mode 1: single NAL units, STAP-A
// and FU-A. Finds keyframes; nothing is depacketized. Pure, any thread.

#include <cstdint>
#include <optional>
#include <span>

namespace huddle::rtc {

inline constexpr std::uint8_t kH264NalIdr = 5;
inline constexpr std::uint8_t kH264NalSps = 7;
inline constexpr std::uint8_t kH264NalPps = 8;
inline constexpr std::uint8_t kH264StapA = 24;
inline constexpr std::uint8_t kH264FuA = 28;

struct H264PayloadInfo {
  std::uint8_t packetType = 0;  // NAL type of the RTP payload itself: 1..23, 24 or 28
  std::uint8_t firstNalType = 0;  // first contained NAL (the fragmented one for FU-A)
  bool startOfNal = true;         // false for FU-A continuation fragments
  // An IDR slice or an SPS begins in this packet: a decoder can start here.
  bool keyframe = false;

  // nullopt for empty/truncated payloads and for packet types outside mode 1.
  [[nodiscard]] static std::optional<H264PayloadInfo> parse(std::span<const std::uint8_t> payload) noexcept;
};

}  // namespace huddle::rtc
