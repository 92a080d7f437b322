#include "rtc/rtp/rtx.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace huddle::rtc {
namespace {

std::vector<std::uint8_t> original() {
  return {
      0xB1, 0xE0, 0x12, 0x34,  // V=2 P=1 X=1 CC=1 | M=1 PT=96 | seq 0x1234
      0x00, 0x01, 0xE2, 0x40,  // timestamp
      0x11, 0x22, 0x33, 0x44,  // SSRC
      0xAA, 0xBB, 0xCC, 0xDD,  // CSRC
      0xBE, 0xDE, 0x00, 0x01,  // one-byte extensions, 1 word
      0x11, 0x00, 0x2A, 0x00,  // id 1 len 2, padding byte
      0x01, 0x02, 0x03, 0x04,  // payload
      0x00, 0x02,              // RTP padding, count 2
  };
}

TEST(Rtx, BuildsRtxFromOriginalAndBack) {
  auto bytes = original();
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);

  std::array<std::uint8_t, 1500> rtxBuf{};
  const std::size_t rtxSize = buildRtxPacket(*packet, 97, 0x55667788, 500, rtxBuf);
  const std::vector<std::uint8_t> expectedRtx = {
      0x91, 0xE1, 0x01, 0xF4,  // padding dropped (P=0) | M=1 PT=97 | RTX seq 500
      0x00, 0x01, 0xE2, 0x40,  // timestamp kept
      0x55, 0x66, 0x77, 0x88,  // RTX SSRC
      0xAA, 0xBB, 0xCC, 0xDD,  // CSRC kept
      0xBE, 0xDE, 0x00, 0x01,  // extensions kept
      0x11, 0x00, 0x2A, 0x00,  //
      0x12, 0x34,              // OSN
      0x01, 0x02, 0x03, 0x04,  // original payload
  };
  ASSERT_EQ(rtxSize, expectedRtx.size());
  EXPECT_EQ(std::vector<std::uint8_t>(rtxBuf.begin(), rtxBuf.begin() + static_cast<std::ptrdiff_t>(rtxSize)),
            expectedRtx);

  const auto rtx = RtpPacketView::parse(std::span<std::uint8_t>(rtxBuf.data(), rtxSize));
  ASSERT_TRUE(rtx);
  EXPECT_EQ(readRtxOriginalSeq(*rtx), 0x1234);

  std::array<std::uint8_t, 1500> restored{};
  const std::size_t restoredSize = buildOriginalFromRtx(*rtx, 96, 0x11223344, restored);
  auto expectedOriginal = original();
  expectedOriginal.resize(expectedOriginal.size() - 2);  // without the padding
  expectedOriginal[0] = 0x91;
  ASSERT_EQ(restoredSize, expectedOriginal.size());
  EXPECT_EQ(std::vector<std::uint8_t>(restored.begin(), restored.begin() + static_cast<std::ptrdiff_t>(restoredSize)),
            expectedOriginal);
}

TEST(Rtx, FailsWhenBufferTooSmall) {
  auto bytes = original();
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  std::array<std::uint8_t, 29> small{};  // needs 30
  EXPECT_EQ(buildRtxPacket(*packet, 97, 1, 1, small), 0u);
}

TEST(Rtx, RejectsRtxWithoutOsn) {
  std::vector<std::uint8_t> bytes = {0x80, 0x61, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x12};
  const auto rtx = RtpPacketView::parse(bytes);
  ASSERT_TRUE(rtx);
  EXPECT_FALSE(readRtxOriginalSeq(*rtx));
  std::array<std::uint8_t, 64> out{};
  EXPECT_EQ(buildOriginalFromRtx(*rtx, 96, 1, out), 0u);
}

TEST(Rtx, EmptyOriginalPayloadGivesOsnOnly) {
  std::vector<std::uint8_t> bytes = {0x80, 0x60, 0xAB, 0xCD, 0, 0, 0, 9, 0, 0, 0, 1};
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  std::array<std::uint8_t, 64> out{};
  ASSERT_EQ(buildRtxPacket(*packet, 97, 2, 7, out), 14u);
  EXPECT_EQ(out[12], 0xAB);
  EXPECT_EQ(out[13], 0xCD);
}

}  // namespace
}  // namespace huddle::rtc
