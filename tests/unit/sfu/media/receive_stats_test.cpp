#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "sfu/media/receive_stats.h"

namespace huddle::sfu {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(RtpReceiveStats, CountsInOrderPacketsWithoutLoss) {
  RtpReceiveStats stats(90000);
  const auto t0 = Clock::now();
  for (std::uint16_t i = 0; i < 10; ++i) {
    stats.onPacket(static_cast<std::uint16_t>(100 + i), 3000u * i, 1000, t0 + i * 33ms);
  }
  EXPECT_EQ(stats.packets(), 10u);
  EXPECT_EQ(stats.bytes(), 10000u);
  EXPECT_EQ(stats.expected(), 10);
  EXPECT_EQ(stats.cumulativeLost(), 0);
  EXPECT_EQ(stats.extendedHighestSeq(), 109u);
  EXPECT_EQ(stats.closeInterval().fractionLost, 0);
}

TEST(RtpReceiveStats, LossAndFractionPerInterval) {
  RtpReceiveStats stats(90000);
  const auto t0 = Clock::now();
  // 20 expected, every 4th missing: 5 lost -> 64/256.
  for (std::uint16_t i = 0; i < 20; ++i) {
    if (i % 4 == 3) continue;
    stats.onPacket(i, 3000u * i, 100, t0);
  }
  // The last sequence (19) is a loss that is only known once 20 arrives.
  stats.onPacket(20, 60000, 100, t0);
  const ReceiveInterval first = stats.closeInterval();
  EXPECT_EQ(first.expected, 21);
  EXPECT_EQ(first.lost, 5);
  EXPECT_EQ(first.fractionLost, (5 << 8) / 21);
  EXPECT_EQ(stats.cumulativeLost(), 5);

  // Next interval: a reordered late arrival of 19 makes up one loss; nothing new is missing.
  stats.onPacket(19, 57000, 100, t0);
  stats.onPacket(21, 63000, 100, t0);
  const ReceiveInterval second = stats.closeInterval();
  EXPECT_EQ(second.expected, 1);
  EXPECT_EQ(second.received, 2);
  EXPECT_EQ(second.fractionLost, 0);  // negative loss reports as 0
  EXPECT_EQ(stats.cumulativeLost(), 4);
}

TEST(RtpReceiveStats, SequenceWrapCountsCycles) {
  RtpReceiveStats stats(48000);
  const auto t0 = Clock::now();
  for (std::uint32_t i = 0; i < 10; ++i) {
    stats.onPacket(static_cast<std::uint16_t>(65530 + i), 960 * i, 50, t0);
  }
  EXPECT_EQ(stats.extendedHighestSeq(), 0x10000u + 3u);
  EXPECT_EQ(stats.expected(), 10);
  EXPECT_EQ(stats.cumulativeLost(), 0);
  // A late packet from before the wrap does not move the highest sequence back.
  stats.onPacket(65534, 960 * 4, 50, t0);
  EXPECT_EQ(stats.extendedHighestSeq(), 0x10000u + 3u);
}

TEST(RtpReceiveStats, LargeJumpIsARestartOnlyWhenTheNextPacketFollows) {
  RtpReceiveStats stats(90000);
  const auto t0 = Clock::now();
  for (std::uint16_t i = 0; i < 5; ++i) stats.onPacket(i, 0, 10, t0);
  // One stray packet far ahead is ignored for the sequence state.
  stats.onPacket(30000, 0, 10, t0);
  EXPECT_EQ(stats.extendedHighestSeq(), 4u);
  stats.onPacket(5, 0, 10, t0);
  EXPECT_EQ(stats.extendedHighestSeq(), 5u);
  EXPECT_EQ(stats.restarts(), 0u);
  // Two in sequence: the sender restarted at 40000.
  stats.onPacket(40000, 0, 10, t0);
  stats.onPacket(40001, 0, 10, t0);
  EXPECT_EQ(stats.restarts(), 1u);
  EXPECT_EQ(stats.extendedHighestSeq(), 40001u);
  EXPECT_EQ(stats.expected(), 1);
  EXPECT_EQ(stats.cumulativeLost(), 0);
}

TEST(RtpReceiveStats, JitterIsZeroForPerfectPacingAndGrowsWithVariation) {
  RtpReceiveStats steady(90000);
  const auto t0 = Clock::now();
  for (std::uint16_t i = 0; i < 50; ++i) {
    steady.onPacket(i, 3000u * i, 100, t0 + i * std::chrono::microseconds(33333));
  }
  EXPECT_LE(steady.jitter(), 1u);  // rounding of 1/30 s to microseconds

  RtpReceiveStats shaky(90000);
  for (std::uint16_t i = 0; i < 200; ++i) {
    // Arrival alternates 10 ms early and late around the nominal 33.3 ms grid: |D| = 20 ms.
    const auto wobble = (i % 2 == 0) ? 10ms : -10ms;
    shaky.onPacket(i, 3000u * i, 100, t0 + 50ms + i * std::chrono::microseconds(33333) + wobble);
  }
  // Converges to |D| = 20 ms = 1800 ticks.
  EXPECT_NEAR(static_cast<double>(shaky.jitter()), 1800.0, 20.0);
  EXPECT_NEAR(shaky.jitterSeconds(), 0.020, 0.0003);
}

TEST(RtpReceiveStats, RetransmissionsCountButDoNotMoveJitter) {
  RtpReceiveStats stats(90000);
  const auto t0 = Clock::now();
  for (std::uint16_t i = 0; i < 10; ++i) {
    if (i == 5) continue;
    stats.onPacket(i, 3000u * i, 100, t0 + i * std::chrono::microseconds(33333));
  }
  const auto before = stats.jitter();
  stats.onPacket(5, 3000u * 5, 100, t0 + 2s, true);
  EXPECT_EQ(stats.jitter(), before);
  EXPECT_EQ(stats.cumulativeLost(), 0);
}

TEST(RtpReceiveStats, ReportBlockCarriesLsrAndDlsr) {
  RtpReceiveStats stats(90000);
  const auto t0 = Clock::now();
  stats.onPacket(1, 0, 100, t0);
  stats.onPacket(3, 6000, 100, t0);
  EXPECT_EQ(stats.makeReportBlock(0x1234, t0).lastSr, 0u);  // no SR yet: LSR and DLSR zero

  const std::uint64_t ntp = 0x0000'1234'5678'9ABCull << 0;
  stats.onSenderReport(ntp, t0);
  stats.onPacket(4, 9000, 100, t0 + 100ms);
  const rtc::ReportBlock block = stats.makeReportBlock(0xCAFE, t0 + 500ms);
  EXPECT_EQ(block.ssrc, 0xCAFEu);
  EXPECT_EQ(block.lastSr, static_cast<std::uint32_t>(ntp >> 16));
  EXPECT_NEAR(block.delaySinceLastSr, 0.5 * 65536, 2);
  EXPECT_EQ(block.extendedHighestSeq, 4u);
  EXPECT_EQ(block.cumulativeLost, 1);
  EXPECT_EQ(block.fractionLost, 0);  // the first block closed the interval that held the loss
}

}  // namespace
}  // namespace huddle::sfu
