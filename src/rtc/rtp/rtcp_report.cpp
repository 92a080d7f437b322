#include "rtc/rtp/rtcp_report.h"

#include "rtc/rtp/byte_io.h"

namespace huddle::rtc {

namespace {

ReportBlock readBlock(const std::uint8_t* p) noexcept {
  ReportBlock b;
  b.ssrc = byte_io::read32(p);
  b.fractionLost = p[4];
  b.cumulativeLost = byte_io::readSigned24(p + 5);
  b.extendedHighestSeq = byte_io::read32(p + 8);
  b.jitter = byte_io::read32(p + 12);
  b.lastSr = byte_io::read32(p + 16);
  b.delaySinceLastSr = byte_io::read32(p + 20);
  return b;
}

void writeBlock(std::uint8_t* p, const ReportBlock& b) noexcept {
  byte_io::write32(p, b.ssrc);
  p[4] = b.fractionLost;
  byte_io::write24(p + 5, static_cast<std::uint32_t>(b.cumulativeLost) & 0xFFFFFF);
  byte_io::write32(p + 8, b.extendedHighestSeq);
  byte_io::write32(p + 12, b.jitter);
  byte_io::write32(p + 16, b.lastSr);
  byte_io::write32(p + 20, b.delaySinceLastSr);
}

// Report blocks follow a fixed prefix; profile-specific extensions may trail them and are
// ignored (RFC 3550 6.4.1).
bool readBlocks(std::span<const std::uint8_t> body, std::size_t prefix, std::uint8_t count,
                ReportBlockList& out) noexcept {
  if (body.size() < prefix + kReportBlockSize * std::size_t{count}) {
    return false;
  }
  for (std::size_t i = 0; i < count; ++i) {
    out.push(readBlock(&body[prefix + i * kReportBlockSize]));
  }
  return true;
}

}  // namespace

std::optional<RtcpSenderReport> RtcpSenderReport::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::SenderReport) || packet.body.size() < 24) {
    return std::nullopt;
  }
  const std::uint8_t* p = packet.body.data();
  RtcpSenderReport sr;
  sr.ssrc = byte_io::read32(p);
  sr.ntpTimestamp = byte_io::read64(p + 4);
  sr.rtpTimestamp = byte_io::read32(p + 12);
  sr.packetCount = byte_io::read32(p + 16);
  sr.octetCount = byte_io::read32(p + 20);
  if (!readBlocks(packet.body, 24, packet.count, sr.reports)) {
    return std::nullopt;
  }
  return sr;
}

std::size_t RtcpSenderReport::build(std::span<std::uint8_t> out) const noexcept {
  const std::size_t total = size();
  if (out.size() < total || reports.count > kMaxReportBlocks) {
    return 0;
  }
  std::uint8_t* p = out.data();
  writeRtcpHeader(p, static_cast<std::uint8_t>(reports.count), RtcpType::SenderReport, total);
  byte_io::write32(p + 4, ssrc);
  byte_io::write64(p + 8, ntpTimestamp);
  byte_io::write32(p + 16, rtpTimestamp);
  byte_io::write32(p + 20, packetCount);
  byte_io::write32(p + 24, octetCount);
  for (std::size_t i = 0; i < reports.count; ++i) {
    writeBlock(p + 28 + i * kReportBlockSize, reports.items[i]);
  }
  return total;
}

std::optional<RtcpReceiverReport> RtcpReceiverReport::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::ReceiverReport) || packet.body.size() < 4) {
    return std::nullopt;
  }
  RtcpReceiverReport rr;
  rr.ssrc = byte_io::read32(packet.body.data());
  if (!readBlocks(packet.body, 4, packet.count, rr.reports)) {
    return std::nullopt;
  }
  return rr;
}

std::size_t RtcpReceiverReport::build(std::span<std::uint8_t> out) const noexcept {
  const std::size_t total = size();
  if (out.size() < total || reports.count > kMaxReportBlocks) {
    return 0;
  }
  std::uint8_t* p = out.data();
  writeRtcpHeader(p, static_cast<std::uint8_t>(reports.count), RtcpType::ReceiverReport, total);
  byte_io::write32(p + 4, ssrc);
  for (std::size_t i = 0; i < reports.count; ++i) {
    writeBlock(p + 8 + i * kReportBlockSize, reports.items[i]);
  }
  return total;
}

}  // namespace huddle::rtc
