#pragma once
// Shared by fuzz_demux and its seed generator: the input format. Single-threaded.
//
// Input: one mode octet, then a body.
//   mode % 3 == 0: the body is an ICE-TCP byte stream; body[0] picks the read size the stream is
//                  cut into (0: all at once), the rest goes through an Rfc4571Framer.
//   mode % 3 == 1: the body is datagrams, each as a 2-octet big-endian length and that many
//                  octets (a short last one is taken as is), sent from one loopback socket to a
//                  UdpMux with a fresh server-role WebRtcTransport behind it.
//   mode % 3 == 2: as 1, but first a correctly signed STUN Binding request with USE-CANDIDATE,
//                  so the source is a bound tuple and the selected path: DTLS, SRTP and SRTCP
//                  datagrams then reach the transport's DTLS and media code.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace huddle::rtc::fuzz {

inline constexpr std::uint8_t kModeStream = 0;
inline constexpr std::uint8_t kModeDatagrams = 1;
inline constexpr std::uint8_t kModeBoundDatagrams = 2;

// Appends one datagram to a mode 1/2 body.
inline void appendDatagram(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> d) {
  out.push_back(static_cast<std::uint8_t>(d.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(d.size() & 0xFF));
  out.insert(out.end(), d.begin(), d.end());
}

}  // namespace huddle::rtc::fuzz
