#pragma once
// The input format of fuzz_vp8_rtp and its seed writer: a stream of packet records, each
//   [flags: 1 byte][payload length: 2 bytes, big-endian, low 11 bits][payload]
// flags bit 0: RTP marker; bits 1-3: how far the sequence number advances before this packet
// minus one (so gaps and, with wrap-around, reordering are expressible); bit 4: the packet
// starts a new RTP timestamp (a new frame as the sender numbers them).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace huddle::fuzz {

struct Vp8RtpRecord {
  bool marker = false;
  std::uint8_t seqAdvance = 1;  // 1..8
  bool newTimestamp = false;
  std::span<const std::uint8_t> payload;
};

// Reads the record at `pos` and advances it; false at the end or on a truncated record.
inline bool nextVp8RtpRecord(std::span<const std::uint8_t> in, std::size_t& pos, Vp8RtpRecord& out) {
  if (in.size() - pos < 3) return false;
  const std::uint8_t flags = in[pos];
  const std::size_t length = ((static_cast<std::size_t>(in[pos + 1]) << 8) | in[pos + 2]) & 0x7FF;
  pos += 3;
  if (in.size() - pos < length) return false;
  out.marker = (flags & 1U) != 0;
  out.seqAdvance = static_cast<std::uint8_t>(((flags >> 1) & 7U) + 1);
  out.newTimestamp = (flags & 0x10U) != 0;
  out.payload = in.subspan(pos, length);
  pos += length;
  return true;
}

inline void appendVp8RtpRecord(std::vector<std::uint8_t>& out, bool marker, bool newTimestamp,
                               std::span<const std::uint8_t> payload) {
  out.push_back(static_cast<std::uint8_t>((marker ? 1U : 0U) | (newTimestamp ? 0x10U : 0U)));
  out.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
}

}  // namespace huddle::fuzz
