#include "client/stream/rtp_header_writer.h"

#include <cstring>

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtp_packet.h"

namespace huddle::client {
namespace {

std::size_t putElement(std::uint8_t* out, std::uint8_t id, const std::uint8_t* data, std::size_t len) noexcept {
  out[0] = static_cast<std::uint8_t>((id << 4) | (len - 1));
  std::memcpy(out + 1, data, len);
  return 1 + len;
}

bool usable(std::uint8_t id) noexcept { return id != 0 && id <= kMaxOneByteExtensionId; }

}  // namespace

std::size_t writeRtpHeader(const RtpHeaderFields& fields, const RtpExtensionValues& ext,
                           std::span<std::uint8_t> out) noexcept {
  if (out.size() < kMaxRtpHeaderSize) {
    return 0;
  }
  std::uint8_t* p = out.data();
  p[1] = static_cast<std::uint8_t>((fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7F));
  rtc::byte_io::write16(p + 2, fields.sequenceNumber);
  rtc::byte_io::write32(p + 4, fields.timestamp);
  rtc::byte_io::write32(p + 8, fields.ssrc);

  std::size_t pos = 16;  // elements start after the profile/length word
  if (usable(ext.midId) && !ext.mid.empty() && ext.mid.size() <= kMaxOneByteExtensionSize) {
    pos += putElement(p + pos, ext.midId, reinterpret_cast<const std::uint8_t*>(ext.mid.data()), ext.mid.size());
  }
  if (usable(ext.ridId) && !ext.rid.empty() && ext.rid.size() <= kMaxOneByteExtensionSize) {
    pos += putElement(p + pos, ext.ridId, reinterpret_cast<const std::uint8_t*>(ext.rid.data()), ext.rid.size());
  }
  if (usable(ext.transportCcId)) {
    std::uint8_t v[2];
    rtc::byte_io::write16(v, ext.transportSeq);
    pos += putElement(p + pos, ext.transportCcId, v, sizeof v);
  }
  if (usable(ext.absSendTimeId)) {
    std::uint8_t v[3];
    rtc::byte_io::write24(v, ext.absSendTime24);
    pos += putElement(p + pos, ext.absSendTimeId, v, sizeof v);
  }
  if (usable(ext.audioLevelId) && ext.audioLevelByte) {
    const std::uint8_t v = *ext.audioLevelByte;
    pos += putElement(p + pos, ext.audioLevelId, &v, 1);
  }
  if (pos == 16) {
    p[0] = 0x80;  // V=2, no extension
    return 12;
  }
  const std::size_t padded = rtc::byte_io::padTo4(pos);
  std::memset(p + pos, 0, padded - pos);
  p[0] = 0x90;  // V=2, X=1
  rtc::byte_io::write16(p + 12, rtc::kOneByteExtensionProfile);
  rtc::byte_io::write16(p + 14, static_cast<std::uint16_t>((padded - 16) / 4));
  return padded;
}

}  // namespace huddle::client
