#include "rtc/rtp/rtcp_xr.h"

#include "rtc/rtp/byte_io.h"

namespace huddle::rtc {

namespace {
constexpr std::uint8_t kBlockRrtr = 4;
constexpr std::uint8_t kBlockDlrr = 5;
}  // namespace

std::optional<RtcpXr> RtcpXr::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::ExtendedReport) || packet.body.size() < 4) {
    return std::nullopt;
  }
  RtcpXr xr;
  xr.senderSsrc_ = byte_io::read32(packet.body.data());
  const auto blocks = packet.body.subspan(4);
  std::size_t pos = 0;
  bool haveDlrr = false;
  while (pos < blocks.size()) {
    if (pos + 4 > blocks.size()) {
      return std::nullopt;
    }
    const std::uint8_t type = blocks[pos];
    const std::size_t len = 4 * std::size_t{byte_io::read16(&blocks[pos + 2])};
    if (pos + 4 + len > blocks.size()) {
      return std::nullopt;
    }
    const auto content = blocks.subspan(pos + 4, len);
    if (type == kBlockRrtr) {
      if (content.size() != 8) {
        return std::nullopt;
      }
      xr.rrtr_ = byte_io::read64(content.data());
    } else if (type == kBlockDlrr && !haveDlrr) {
      if (content.size() % 12 != 0) {
        return std::nullopt;
      }
      xr.dlrr_ = content;
      haveDlrr = true;
    }
    pos += 4 + len;
  }
  return xr;
}

DlrrItem RtcpXr::dlrr(std::size_t index) const noexcept {
  const std::uint8_t* p = dlrr_.data() + 12 * index;
  return DlrrItem{byte_io::read32(p), byte_io::read32(p + 4), byte_io::read32(p + 8)};
}

std::size_t RtcpXr::build(std::uint32_t senderSsrc, std::optional<std::uint64_t> rrtrNtp,
                          std::span<const DlrrItem> dlrr, std::span<std::uint8_t> out) noexcept {
  const std::size_t total = 8 + (rrtrNtp ? 12 : 0) + (dlrr.empty() ? 0 : 4 + 12 * dlrr.size());
  if (out.size() < total || 3 * dlrr.size() > 0xFFFF || total / 4 - 1 > 0xFFFF) {
    return 0;
  }
  std::uint8_t* p = out.data();
  writeRtcpHeader(p, 0, RtcpType::ExtendedReport, total);
  byte_io::write32(p + 4, senderSsrc);
  p += 8;
  if (rrtrNtp) {
    p[0] = kBlockRrtr;
    p[1] = 0;
    byte_io::write16(p + 2, 2);
    byte_io::write64(p + 4, *rrtrNtp);
    p += 12;
  }
  if (!dlrr.empty()) {
    p[0] = kBlockDlrr;
    p[1] = 0;
    byte_io::write16(p + 2, static_cast<std::uint16_t>(3 * dlrr.size()));
    p += 4;
    for (const DlrrItem& item : dlrr) {
      byte_io::write32(p, item.ssrc);
      byte_io::write32(p + 4, item.lastRr);
      byte_io::write32(p + 8, item.delaySinceLastRr);
      p += 12;
    }
  }
  return total;
}

}  // namespace huddle::rtc
