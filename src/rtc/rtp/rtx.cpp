#include "rtc/rtp/rtx.h"

#include <cstring>

#include "rtc/rtp/byte_io.h"

namespace huddle::rtc {

namespace {

constexpr std::size_t kOsnSize = 2;

// Writes header + payload without padding and fixes the P bit; the caller patches fields.
void copyWithoutPadding(const RtpPacketView& in, std::span<const std::uint8_t> payload,
                        std::size_t osnGap, std::uint8_t* out) noexcept {
  const auto header = in.data().first(in.headerSize());
  std::memcpy(out, header.data(), header.size());
  out[0] = static_cast<std::uint8_t>(out[0] & ~0x20);
  if (!payload.empty()) {
    std::memcpy(out + header.size() + osnGap, payload.data(), payload.size());
  }
}

}  // namespace

std::optional<std::uint16_t> readRtxOriginalSeq(const RtpPacketView& rtx) noexcept {
  const auto payload = rtx.payload();
  if (payload.size() < kOsnSize) {
    return std::nullopt;
  }
  return byte_io::read16(payload.data());
}

std::size_t buildRtxPacket(const RtpPacketView& original, std::uint8_t rtxPayloadType, std::uint32_t rtxSsrc,
                           std::uint16_t rtxSeq, std::span<std::uint8_t> out) noexcept {
  const auto payload = original.payload();
  const std::size_t total = original.headerSize() + kOsnSize + payload.size();
  if (out.size() < total) {
    return 0;
  }
  copyWithoutPadding(original, payload, kOsnSize, out.data());
  byte_io::write16(out.data() + original.headerSize(), original.sequenceNumber());
  out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | (rtxPayloadType & 0x7F));
  byte_io::write16(out.data() + 2, rtxSeq);
  byte_io::write32(out.data() + 8, rtxSsrc);
  return total;
}

std::size_t buildOriginalFromRtx(const RtpPacketView& rtx, std::uint8_t originalPayloadType,
                                 std::uint32_t originalSsrc, std::span<std::uint8_t> out) noexcept {
  const auto osn = readRtxOriginalSeq(rtx);
  if (!osn) {
    return 0;
  }
  const auto payload = rtx.payload().subspan(kOsnSize);
  const std::size_t total = rtx.headerSize() + payload.size();
  if (out.size() < total) {
    return 0;
  }
  copyWithoutPadding(rtx, payload, 0, out.data());
  out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | (originalPayloadType & 0x7F));
  byte_io::write16(out.data() + 2, *osn);
  byte_io::write32(out.data() + 8, originalSsrc);
  return total;
}

}  // namespace huddle::rtc
