#include "sfu/bwe/send_side_bwe.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "link_sim.h"

namespace huddle::sfu::bwe {
namespace {

using test::Session;

constexpr std::int64_t kSecond = 1'000'000;

TEST(SendSideBwe, StartsAtTheConfiguredStart) {
  SendSideBwe bwe;
  EXPECT_EQ(bwe.estimateBps(0), 1'000'000u);
  EXPECT_FALSE(bwe.hasFeedback());
}

TEST(SendSideBwe, CleanFeedbackWithoutQueueingRampsUp) {
  auto s = std::make_unique<Session>();
  s->run(10 * kSecond);
  EXPECT_GT(s->feedbacks, 100u);
  EXPECT_GT(s->bwe.stats().packetsAcked, 1000u);
  EXPECT_EQ(s->bwe.stats().packetsLost, 0u);
  EXPECT_EQ(s->bwe.stats().overuses, 0u);
  // 8 %/s for 10 s from 1 Mbps is ~2.1 Mbps.
  EXPECT_GT(s->bwe.estimateBps(s->nowUs), 1'800'000u);
  EXPECT_LE(s->bwe.estimateBps(s->nowUs), 10'000'000u);
}

TEST(SendSideBwe, RampStopsAtTheConfiguredMaximum) {
  auto s = std::make_unique<Session>();
  s->maxSendBps = 3'000'000;  // the sender has less to send than the estimate allows
  s->run(45 * kSecond);
  EXPECT_EQ(s->bwe.estimateBps(s->nowUs), 10'000'000u);
}

TEST(SendSideBwe, GrowingDelayBacksOffBelowTheBottleneck) {
  auto s = std::make_unique<Session>();
  s->link.capacityBps = 600'000;
  s->run(20 * kSecond);
  EXPECT_GT(s->bwe.stats().overuses, 0u);
  const std::uint64_t estimate = s->bwe.estimateBps(s->nowUs);
  std::printf("bottleneck 600 kbps: estimate %llu bps after 20 s, %llu overuses\n",
              static_cast<unsigned long long>(estimate),
              static_cast<unsigned long long>(s->bwe.stats().overuses));
  EXPECT_LT(estimate, 900'000u);
  EXPECT_GE(estimate, 100'000u);
  EXPECT_EQ(s->bwe.stats().lossDecreases, 0u);  // delay, not loss, did it
}

TEST(SendSideBwe, DelayDetectorSeesGrowingQueueAsOveruse) {
  auto s = std::make_unique<Session>();
  s->link.capacityBps = 500'000;
  s->maxSendBps = 1'000'000;
  s->run(3 * kSecond);
  EXPECT_GT(s->bwe.stats().overuses, 0u);
  EXPECT_LT(s->bwe.estimateBps(s->nowUs), 1'000'000u);
}

TEST(SendSideBwe, HeavyLossBacksOff) {
  auto s = std::make_unique<Session>();
  s->link.lossRate = 0.25;
  s->run(5 * kSecond);
  EXPECT_GT(s->bwe.stats().packetsLost, 30u);
  EXPECT_GT(s->bwe.stats().lossDecreases, 0u);
  EXPECT_GT(s->bwe.lastLossFraction(), 0.10);
  EXPECT_LT(s->bwe.estimateBps(s->nowUs), 500'000u);
}

TEST(SendSideBwe, LightLossStillAllowsGrowth) {
  auto s = std::make_unique<Session>();
  s->link.lossRate = 0.01;
  s->run(10 * kSecond);
  EXPECT_GT(s->bwe.stats().packetsLost, 0u);
  EXPECT_GT(s->bwe.estimateBps(s->nowUs), 1'500'000u);
}

TEST(SendSideBwe, RecoversAfterCongestionEnds) {
  auto s = std::make_unique<Session>();
  s->link.capacityBps = 400'000;
  s->run(10 * kSecond);
  const std::uint64_t congested = s->bwe.estimateBps(s->nowUs);
  EXPECT_LT(congested, 600'000u);
  s->link.capacityBps = 100'000'000;
  s->run(15 * kSecond);
  EXPECT_GT(s->bwe.estimateBps(s->nowUs), congested * 2);
}

TEST(SendSideBwe, RembCapsTheEstimateWhileFresh) {
  auto s = std::make_unique<Session>();
  s->run(5 * kSecond);
  s->bwe.onRemb(300'000, s->nowUs);
  EXPECT_EQ(s->bwe.estimateBps(s->nowUs), 300'000u);
  EXPECT_GT(s->bwe.estimateBps(s->nowUs + 4 * kSecond), 300'000u);
}

TEST(SendSideBwe, SequenceWrapAcrossTheHistory) {
  auto s = std::make_unique<Session>();
  s->seq = 65'000;
  s->run(5 * kSecond);  // ~1.3 Mbps of 1200 B packets wraps the 16-bit number
  EXPECT_LT(s->seq, 65'000);
  EXPECT_EQ(s->bwe.stats().packetsUnknown, 0u);
  EXPECT_GT(s->bwe.estimateBps(s->nowUs), 1'200'000u);
}

TEST(SendSideBwe, FeedbackAboutUnknownPacketsIsIgnored) {
  SendSideBwe bwe;
  std::array<rtc::TwccPacketStatus, 3> st{{{500, true, 4}, {501, false, 0}, {502, true, 4}}};
  std::array<std::uint8_t, 128> out{};
  const std::size_t n = rtc::RtcpTransportCc::build(1, 2, 10, 0, st, out);
  ASSERT_GT(n, 0u);
  rtc::RtcpCompoundReader reader(std::span<const std::uint8_t>(out.data(), n));
  auto p = reader.next();
  ASSERT_TRUE(p);
  auto fb = rtc::RtcpTransportCc::parse(*p);
  ASSERT_TRUE(fb);
  bwe.onTransportFeedback(*fb, 1'000'000);
  EXPECT_EQ(bwe.stats().packetsUnknown, 3u);
  EXPECT_EQ(bwe.stats().packetsLost, 0u);
  EXPECT_EQ(bwe.estimateBps(1'000'000), 1'000'000u);
}

}  // namespace
}  // namespace huddle::sfu::bwe
