#include "rtc/rtp/rtcp_remb.h"

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_feedback.h"

namespace huddle::rtc {

namespace {
constexpr std::uint32_t kRembTag = 0x52454D42;  // "REMB"
constexpr std::uint32_t kMaxMantissa = (1u << 18) - 1;
}  // namespace

std::optional<RtcpRemb> RtcpRemb::parse(const RtcpPacket& packet) noexcept {
  const auto ssrcs = readFeedbackSsrcs(packet, RtcpType::PayloadFeedback, kFmtAfb);
  if (!ssrcs) {
    return std::nullopt;
  }
  const auto fci = packet.body.subspan(8);
  if (fci.size() < 8 || byte_io::read32(fci.data()) != kRembTag) {
    return std::nullopt;
  }
  const std::size_t numSsrc = fci[4];
  if (fci.size() < 8 + 4 * numSsrc) {
    return std::nullopt;
  }
  const std::uint8_t exponent = fci[5] >> 2;
  const std::uint32_t mantissa = byte_io::read24(&fci[5]) & kMaxMantissa;
  const std::uint64_t bitrate = std::uint64_t{mantissa} << exponent;
  // A 63-bit exponent would overflow; such a value is garbage rather than an estimate.
  if ((bitrate >> exponent) != mantissa) {
    return std::nullopt;
  }
  RtcpRemb remb;
  remb.senderSsrc_ = ssrcs->sender;
  remb.bitrate_ = bitrate;
  remb.ssrcs_ = fci.subspan(8, 4 * numSsrc);
  return remb;
}

std::uint32_t RtcpRemb::ssrc(std::size_t index) const noexcept {
  return byte_io::read32(ssrcs_.data() + 4 * index);
}

std::size_t RtcpRemb::build(std::uint32_t senderSsrc, std::uint64_t bitrateBps,
                            std::span<const std::uint32_t> ssrcs, std::span<std::uint8_t> out) noexcept {
  const std::size_t total = kFeedbackHeaderSize + 8 + 4 * ssrcs.size();
  if (ssrcs.size() > 255 || out.size() < total) {
    return 0;
  }
  std::uint8_t exponent = 0;
  while ((bitrateBps >> exponent) > kMaxMantissa) {
    ++exponent;
  }
  const auto mantissa = static_cast<std::uint32_t>(bitrateBps >> exponent);
  std::uint8_t* p = out.data();
  writeFeedbackHeader(p, RtcpType::PayloadFeedback, kFmtAfb, total, senderSsrc, 0);
  p += kFeedbackHeaderSize;
  byte_io::write32(p, kRembTag);
  p[4] = static_cast<std::uint8_t>(ssrcs.size());
  byte_io::write24(p + 5, (std::uint32_t{exponent} << 18) | mantissa);
  p += 8;
  for (const std::uint32_t s : ssrcs) {
    byte_io::write32(p, s);
    p += 4;
  }
  return total;
}

}  // namespace huddle::rtc
