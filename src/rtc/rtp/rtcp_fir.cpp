#include "rtc/rtp/rtcp_fir.h"

#include <cstring>

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_feedback.h"

namespace huddle::rtc {

std::optional<RtcpFir> RtcpFir::parse(const RtcpPacket& packet) noexcept {
  const auto ssrcs = readFeedbackSsrcs(packet, RtcpType::PayloadFeedback, kFmtFir);
  if (!ssrcs) {
    return std::nullopt;
  }
  const auto fci = packet.body.subspan(8);
  if (fci.empty() || fci.size() % 8 != 0) {
    return std::nullopt;
  }
  RtcpFir fir;
  fir.senderSsrc_ = ssrcs->sender;
  fir.fci_ = fci;
  return fir;
}

FirEntry RtcpFir::entry(std::size_t index) const noexcept {
  const std::uint8_t* p = fci_.data() + 8 * index;
  return FirEntry{byte_io::read32(p), p[4]};
}

std::size_t RtcpFir::build(std::uint32_t senderSsrc, std::span<const FirEntry> entries,
                           std::span<std::uint8_t> out) noexcept {
  const std::size_t total = kFeedbackHeaderSize + 8 * entries.size();
  if (entries.empty() || out.size() < total || total / 4 - 1 > 0xFFFF) {
    return 0;
  }
  writeFeedbackHeader(out.data(), RtcpType::PayloadFeedback, kFmtFir, total, senderSsrc, 0);
  std::uint8_t* p = out.data() + kFeedbackHeaderSize;
  for (const FirEntry& e : entries) {
    byte_io::write32(p, e.ssrc);
    p[4] = e.seqNr;
    std::memset(p + 5, 0, 3);
    p += 8;
  }
  return total;
}

}  // namespace huddle::rtc
