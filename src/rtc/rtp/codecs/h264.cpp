#include "rtc/rtp/codecs/h264.h"

namespace huddle::rtc {

namespace {
bool startsKeyframe(std::uint8_t nalType) noexcept { return nalType == kH264NalIdr || nalType == kH264NalSps; }
}  // namespace

std::optional<H264PayloadInfo> H264PayloadInfo::parse(std::span<const std::uint8_t> payload) noexcept {
  if (payload.empty() || (payload[0] & 0x80) != 0) {  // forbidden_zero_bit
    return std::nullopt;
  }
  H264PayloadInfo info;
  info.packetType = payload[0] & 0x1F;
  if (info.packetType >= 1 && info.packetType <= 23) {
    info.firstNalType = info.packetType;
    info.keyframe = startsKeyframe(info.packetType);
    return info;
  }
  if (info.packetType == kH264StapA) {
    std::size_t pos = 1;
    bool first = true;
    if (pos >= payload.size()) {
      return std::nullopt;
    }
    while (pos < payload.size()) {
      if (pos + 2 > payload.size()) {
        return std::nullopt;
      }
      const std::size_t len = static_cast<std::size_t>((payload[pos] << 8) | payload[pos + 1]);
      pos += 2;
      if (len == 0 || pos + len > payload.size()) {
        return std::nullopt;
      }
      const std::uint8_t nalType = payload[pos] & 0x1F;
      if (first) {
        info.firstNalType = nalType;
        first = false;
      }
      info.keyframe = info.keyframe || startsKeyframe(nalType);
      pos += len;
    }
    return info;
  }
  if (info.packetType == kH264FuA) {
    if (payload.size() < 3) {  // indicator, FU header and at least one byte of the fragment
      return std::nullopt;
    }
    const std::uint8_t fuHeader = payload[1];
    info.firstNalType = fuHeader & 0x1F;
    info.startOfNal = (fuHeader & 0x80) != 0;
    info.keyframe = info.startOfNal && startsKeyframe(info.firstNalType);
    return info;
  }
  return std::nullopt;
}

}  // namespace huddle::rtc
