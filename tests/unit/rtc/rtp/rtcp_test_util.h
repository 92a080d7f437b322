#pragma once
// Helpers shared by the RTCP packet tests.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc::test {

inline RtcpPacket mustParse(const std::vector<std::uint8_t>& bytes) {
  auto packet = parseRtcpPacket(bytes);
  EXPECT_TRUE(packet.has_value());
  EXPECT_TRUE(packet && packet->bytes.size() == bytes.size());
  return packet.value_or(RtcpPacket{});
}

// Runs a builder into a roomy buffer and returns what it wrote.
template <typename Build>
std::vector<std::uint8_t> built(Build&& build) {
  std::array<std::uint8_t, 2048> out{};
  const std::size_t n = build(std::span<std::uint8_t>(out));
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace huddle::rtc::test
