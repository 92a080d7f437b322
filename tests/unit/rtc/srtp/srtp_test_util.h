#pragma once
// Hand-built RTP/RTCP packets and hex helpers for the SRTP tests (the RTP parser lives elsewhere).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace huddle::rtc::test {

// Room for the largest packet plus any SRTP/SRTCP trailer.
inline constexpr std::size_t kBufferSize = 1600;
using PacketBuffer = std::array<std::uint8_t, kBufferSize>;

inline std::vector<std::uint8_t> fromHex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (const char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;  // spaces and line breaks between groups
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

inline std::string toHex(const std::uint8_t* data, std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

inline void putU16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

inline void putU32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Writes a 12-octet RTP header (V=2, no padding/extension/CSRC, PT 96) and a payload whose
// octets depend on seq, so each packet differs. Returns the packet length.
inline std::size_t writeRtp(PacketBuffer& buffer, std::uint32_t ssrc, std::uint16_t seq,
                            std::size_t payloadLength) {
  buffer[0] = 0x80;
  buffer[1] = 96;
  putU16(&buffer[2], seq);
  putU32(&buffer[4], 90000u + seq * 3000u);
  putU32(&buffer[8], ssrc);
  for (std::size_t i = 0; i < payloadLength; ++i) {
    buffer[12 + i] = static_cast<std::uint8_t>(i * 7 + seq);
  }
  return 12 + payloadLength;
}

// A Receiver Report with one report block (V=2, RC=1, PT 201, length 7 words = 32 octets).
inline std::size_t writeRtcpReceiverReport(PacketBuffer& buffer, std::uint32_t senderSsrc,
                                           std::uint32_t mediaSsrc, std::uint32_t highestSeq) {
  buffer[0] = 0x81;
  buffer[1] = 201;
  putU16(&buffer[2], 7);
  putU32(&buffer[4], senderSsrc);
  putU32(&buffer[8], mediaSsrc);
  putU32(&buffer[12], 0);           // fraction lost, cumulative lost
  putU32(&buffer[16], highestSeq);  // extended highest sequence number
  putU32(&buffer[20], 12);          // jitter
  putU32(&buffer[24], 0);           // LSR
  putU32(&buffer[28], 0);           // DLSR
  return 32;
}

}  // namespace huddle::rtc::test
