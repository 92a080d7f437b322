#pragma once
// Builders for RTP packets with real VP8 payloads and RFC 8285 one-byte extensions, and
// recording doubles for the sink and keyframe requester.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "rtc/rtp/rtp_packet.h"
#include "sfu/media/rtp_sink.h"

namespace huddle::sfu::test {

using Bytes = std::vector<std::uint8_t>;

struct RtpSpec {
  std::uint8_t payloadType = 96;
  std::uint16_t seq = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0x11111111;
  bool marker = false;
  std::vector<std::pair<std::uint8_t, Bytes>> extensions;  // one-byte form, ids 1..14
  Bytes payload;
};

inline void putU16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

inline void putU32(Bytes& b, std::uint32_t v) {
  putU16(b, static_cast<std::uint16_t>(v >> 16));
  putU16(b, static_cast<std::uint16_t>(v));
}

inline Bytes buildRtp(const RtpSpec& spec) {
  Bytes b;
  b.push_back(static_cast<std::uint8_t>(0x80 | (spec.extensions.empty() ? 0 : 0x10)));
  b.push_back(static_cast<std::uint8_t>((spec.marker ? 0x80 : 0) | spec.payloadType));
  putU16(b, spec.seq);
  putU32(b, spec.timestamp);
  putU32(b, spec.ssrc);
  if (!spec.extensions.empty()) {
    Bytes block;
    for (const auto& [id, data] : spec.extensions) {
      block.push_back(static_cast<std::uint8_t>((id << 4) | (data.size() - 1)));
      block.insert(block.end(), data.begin(), data.end());
    }
    while (block.size() % 4 != 0) block.push_back(0);
    putU16(b, 0xBEDE);
    putU16(b, static_cast<std::uint16_t>(block.size() / 4));
    b.insert(b.end(), block.begin(), block.end());
  }
  b.insert(b.end(), spec.payload.begin(), spec.payload.end());
  return b;
}

// VP8 (RFC 7741): descriptor with S=1, PID=0, then the payload header whose P bit (bit 0 of the
// first octet) is 0 on key frames; key frames carry the start code 9d 01 2a.
inline Bytes vp8Keyframe(std::size_t size = 100) {
  Bytes p{0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01};
  while (p.size() < size) p.push_back(static_cast<std::uint8_t>(p.size()));
  return p;
}
inline Bytes vp8Delta(std::size_t size = 100) {
  Bytes p{0x10, 0x51, 0x02, 0x00};
  while (p.size() < size) p.push_back(static_cast<std::uint8_t>(p.size() * 3));
  return p;
}
// A later packet of a frame: S=0.
inline Bytes vp8Continuation(std::size_t size = 100) {
  Bytes p{0x00};
  while (p.size() < size) p.push_back(static_cast<std::uint8_t>(p.size() * 5));
  return p;
}
// The first packet of a frame with the extended descriptor Chromium sends: a 15-bit picture id
// and TL0PICIDX (X=1, I=1 with M=1, L=1).
inline Bytes vp8WithPictureId(bool keyframe, std::uint16_t pictureId, std::uint8_t tl0PicIdx,
                              std::size_t size = 100) {
  Bytes p{0x90, 0xC0, static_cast<std::uint8_t>(0x80 | (pictureId >> 8)),
          static_cast<std::uint8_t>(pictureId), tl0PicIdx};
  const Bytes header = keyframe ? Bytes{0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01}
                                : Bytes{0x51, 0x02, 0x00};
  p.insert(p.end(), header.begin(), header.end());
  while (p.size() < size) p.push_back(static_cast<std::uint8_t>(p.size() * 7));
  return p;
}
// Its picture id and TL0PICIDX as a receiver reads them.
inline std::pair<std::uint16_t, std::uint8_t> vp8PictureIdOf(std::span<const std::uint8_t> payload) {
  return {static_cast<std::uint16_t>(((payload[2] & 0x7F) << 8) | payload[3]), payload[4]};
}
inline Bytes opusPayload() { return Bytes{0x78, 0x01, 0x02, 0x03, 0x04}; }

// Keeps the bytes alive beside a view over them.
struct OwnedPacket {
  Bytes bytes;
  rtc::RtpPacketView view() { return *rtc::RtpPacketView::parse(std::span<std::uint8_t>(bytes)); }
};

class RecordingSink final : public RtpSink {
 public:
  bool accept = true;
  bool keep = true;  // false: count only (long runs)
  std::size_t calls = 0;
  std::size_t roomViolations = 0;  // fewer than 16 octets after the packet
  std::vector<Bytes> packets;

  bool sendRtp(std::span<std::uint8_t> buffer, std::size_t length) override {
    ++calls;
    if (buffer.size() < length + 16) ++roomViolations;
    if (keep) packets.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    return accept;
  }

  [[nodiscard]] rtc::RtpPacketView last() {
    return *rtc::RtpPacketView::parse(std::span<std::uint8_t>(packets.back()));
  }
  [[nodiscard]] rtc::RtpPacketView at(std::size_t i) {
    return *rtc::RtpPacketView::parse(std::span<std::uint8_t>(packets.at(i)));
  }
};

class RecordingRequester final : public KeyframeRequester {
 public:
  std::vector<std::uint32_t> requests;
  void requestKeyframe(std::uint32_t publisherSsrc) override { requests.push_back(publisherSsrc); }
};

}  // namespace huddle::sfu::test
