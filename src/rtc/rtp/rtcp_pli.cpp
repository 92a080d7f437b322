#include "rtc/rtp/rtcp_pli.h"

#include "rtc/rtp/rtcp_feedback.h"

namespace huddle::rtc {

std::optional<RtcpPli> RtcpPli::parse(const RtcpPacket& packet) noexcept {
  const auto ssrcs = readFeedbackSsrcs(packet, RtcpType::PayloadFeedback, kFmtPli);
  if (!ssrcs) {
    return std::nullopt;
  }
  return RtcpPli{ssrcs->sender, ssrcs->media};
}

std::size_t RtcpPli::build(std::span<std::uint8_t> out) const noexcept {
  if (out.size() < kSize) {
    return 0;
  }
  writeFeedbackHeader(out.data(), RtcpType::PayloadFeedback, kFmtPli, kSize, senderSsrc, mediaSsrc);
  return kSize;
}

}  // namespace huddle::rtc
