#include "rtc/rtp/rtcp_transport_cc.h"

#include <gtest/gtest.h>

#include "rtcp_test_util.h"

namespace huddle::rtc {
namespace {

using test::built;
using test::mustParse;

// 38 statuses from seq 10: a run-length chunk, a 2-bit vector, a 1-bit vector and a run of
// large deltas; 34 delta bytes; 2 bytes of RTCP padding.
const std::vector<std::uint8_t> kTwcc = {
    0xAF, 0xCD, 0x00, 0x0F,  // P=1 FMT=15 | PT=205 | length 15 (64 bytes)
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x11, 0x22, 0x33, 0x44,  // media SSRC
    0x00, 0x0A, 0x00, 0x26,  // base seq 10 | packet status count 38
    0x12, 0x34, 0x56, 0x05,  // reference time 0x123456 (x64 ms) | fb pkt count 5
    0x20, 0x0F,              // run length: small delta x15 (seq 10..24)
    0xC6, 0x49,              // 2-bit vector: not, small, large, small, not, large, small (25..31)
    0xAC, 0xE9,              // 1-bit vector: 1 0 1 1 0 0 1 1 1 0 1 0 0 1 (32..45)
    0x40, 0x02,              // run length: large delta x2 (46..47)
    0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,  // 15 small deltas of 4 ticks (1 ms)
    0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,        //
    0x00,                    // seq 26: 0
    0xFF, 0xFC,              // seq 27: large -4
    0xFF,                    // seq 28: 255
    0x03, 0xE8,              // seq 30: large 1000
    0x02,                    // seq 31: 2
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // seqs 32..45 received: 1..8
    0x01, 0x2C,              // seq 46: large 300
    0xFE, 0xD4,              // seq 47: large -300
    0x00, 0x02,              // RTCP padding, count 2
};

std::vector<TwccPacketStatus> expectedStatuses() {
  std::vector<TwccPacketStatus> v;
  std::uint16_t seq = 10;
  auto add = [&](bool received, std::int32_t delta) { v.push_back({seq++, received, delta}); };
  for (int i = 0; i < 15; ++i) {
    add(true, 4);
  }
  add(false, 0);
  add(true, 0);
  add(true, -4);
  add(true, 255);
  add(false, 0);
  add(true, 1000);
  add(true, 2);
  const int pattern[14] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1};
  std::int32_t next = 1;
  for (const int bit : pattern) {
    if (bit) {
      add(true, next++);
    } else {
      add(false, 0);
    }
  }
  add(true, 300);
  add(true, -300);
  return v;
}

TEST(RtcpTransportCc, ParseCheckBuildCompare) {
  const auto fb = RtcpTransportCc::parse(mustParse(kTwcc));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->senderSsrc(), 1u);
  EXPECT_EQ(fb->mediaSsrc(), 0x11223344u);
  EXPECT_EQ(fb->baseSeq(), 10);
  EXPECT_EQ(fb->packetStatusCount(), 38);
  EXPECT_EQ(fb->referenceTime(), 0x123456);
  EXPECT_EQ(fb->feedbackPacketCount(), 5);

  std::vector<TwccPacketStatus> statuses;
  fb->decode(statuses);
  EXPECT_EQ(statuses, expectedStatuses());

  std::array<TwccPacketStatus, 5> firstFive{};
  EXPECT_EQ(fb->decode(firstFive), 5u);
  EXPECT_EQ(firstFive[4], (TwccPacketStatus{14, true, 4}));

  const auto rebuilt = built([&](auto out) {
    return RtcpTransportCc::build(1, 0x11223344, 0x123456, 5, statuses, out);
  });
  EXPECT_EQ(rebuilt, kTwcc);
}

TEST(RtcpTransportCc, PartialStatusVectorAcrossWrapAndNegativeReferenceTime) {
  const std::vector<TwccPacketStatus> statuses = {{65534, true, 1}, {65535, false, 0}, {0, true, 2}};
  const std::vector<std::uint8_t> expected = {
      0x8F, 0xCD, 0x00, 0x05,  // P=0 FMT=15 | PT=205 | length 5 (24 bytes, already aligned)
      0x00, 0x00, 0x00, 0x03,  // sender SSRC
      0x00, 0x00, 0x00, 0x04,  // media SSRC
      0xFF, 0xFE, 0x00, 0x03,  // base seq 65534 | count 3
      0xFF, 0xFF, 0xFE, 0x00,  // reference time -2 | fb pkt count 0
      0xA8, 0x00,              // 1-bit vector: 1 0 1, remaining 11 symbols unused
      0x01, 0x02,              // deltas
  };
  EXPECT_EQ(built([&](auto out) { return RtcpTransportCc::build(3, 4, -2, 0, statuses, out); }), expected);
  const auto fb = RtcpTransportCc::parse(mustParse(expected));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->referenceTime(), -2);
  std::vector<TwccPacketStatus> back;
  fb->decode(back);
  EXPECT_EQ(back, statuses);
}

TEST(RtcpTransportCc, RejectsInvalidBuildInput) {
  const std::vector<TwccPacketStatus> gap = {{1, true, 1}, {3, true, 1}};
  EXPECT_TRUE(built([&](auto out) { return RtcpTransportCc::build(1, 2, 0, 0, gap, out); }).empty());
  const std::vector<TwccPacketStatus> huge = {{1, true, 40000}};
  EXPECT_TRUE(built([&](auto out) { return RtcpTransportCc::build(1, 2, 0, 0, huge, out); }).empty());
  EXPECT_TRUE(built([&](auto out) {
                return RtcpTransportCc::build(1, 2, 0, 0, std::span<const TwccPacketStatus>{}, out);
              }).empty());
}

TEST(RtcpTransportCc, RejectsTruncatedDeltas) {
  auto bytes = kTwcc;
  // Drop the last large delta and the padding: the packet ends 3 bytes early.
  bytes.resize(60);
  bytes[0] = 0x8F;  // no padding
  bytes[3] = 0x0E;  // 60 bytes
  EXPECT_FALSE(RtcpTransportCc::parse(mustParse(bytes)));
}

TEST(RtcpTransportCc, RejectsMissingChunksReservedSymbolAndZeroCount) {
  auto noChunks = kTwcc;
  noChunks.resize(20);
  noChunks[0] = 0x8F;
  noChunks[3] = 0x04;
  EXPECT_FALSE(RtcpTransportCc::parse(mustParse(noChunks)));

  auto reserved = kTwcc;
  reserved[20] = 0x60;  // run-length chunk with symbol 3
  EXPECT_FALSE(RtcpTransportCc::parse(mustParse(reserved)));

  auto zero = kTwcc;
  zero[14] = 0x00;
  zero[15] = 0x00;
  EXPECT_FALSE(RtcpTransportCc::parse(mustParse(zero)));
}

}  // namespace
}  // namespace huddle::rtc
