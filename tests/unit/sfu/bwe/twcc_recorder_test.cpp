#include "sfu/bwe/twcc_recorder.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::sfu::bwe {
namespace {

struct Decoded {
  rtc::RtcpTransportCc header;
  std::vector<rtc::TwccPacketStatus> statuses;
  std::vector<std::int64_t> arrivalsUs;  // per status; -1 when not received
};

Decoded decode(std::span<const std::uint8_t> bytes) {
  rtc::RtcpCompoundReader reader(bytes);
  auto packet = reader.next();
  EXPECT_TRUE(packet.has_value());
  auto fb = rtc::RtcpTransportCc::parse(*packet);
  EXPECT_TRUE(fb.has_value());
  Decoded d{*fb, {}, {}};
  fb->decode(d.statuses);
  std::int64_t t = static_cast<std::int64_t>(fb->referenceTime()) * rtc::kTwccReferenceTimeTickUs;
  for (const auto& s : d.statuses) {
    if (s.received) {
      t += s.deltaTicks * rtc::kTwccDeltaTickUs;
      d.arrivalsUs.push_back(t);
    } else {
      d.arrivalsUs.push_back(-1);
    }
  }
  return d;
}

Decoded buildOne(TwccRecorder& r, std::int64_t nowUs) {
  std::array<std::uint8_t, TwccRecorder::kMaxFeedbackBytes> out{};
  const std::size_t n = r.buildFeedback(7, 9, nowUs, out);
  EXPECT_GT(n, 0u);
  return decode(std::span<const std::uint8_t>(out.data(), n));
}

TEST(TwccRecorder, ReportsArrivalsAndLossesInOrder) {
  TwccRecorder r;
  r.onPacket(100, 1'000'000);
  r.onPacket(101, 1'001'000);
  // 102 lost
  r.onPacket(103, 1'010'000);
  ASSERT_TRUE(r.due(1'010'000));
  const Decoded d = buildOne(r, 1'010'000);
  EXPECT_EQ(d.header.senderSsrc(), 7u);
  EXPECT_EQ(d.header.mediaSsrc(), 9u);
  EXPECT_EQ(d.header.baseSeq(), 100);
  ASSERT_EQ(d.statuses.size(), 4u);
  EXPECT_TRUE(d.statuses[0].received);
  EXPECT_TRUE(d.statuses[1].received);
  EXPECT_FALSE(d.statuses[2].received);
  EXPECT_TRUE(d.statuses[3].received);
  // Arrival differences survive to the 250 us tick.
  EXPECT_EQ(d.arrivalsUs[1] - d.arrivalsUs[0], 1000);
  EXPECT_EQ(d.arrivalsUs[3] - d.arrivalsUs[1], 9000);
  EXPECT_EQ(r.unreported(), 0);
  EXPECT_FALSE(r.due(1'100'000));
}

TEST(TwccRecorder, WaitsForTheIntervalBetweenFeedbacks) {
  TwccRecorder r(50'000);
  r.onPacket(1, 0);
  ASSERT_TRUE(r.due(0));
  buildOne(r, 0);
  r.onPacket(2, 10'000);
  EXPECT_FALSE(r.due(10'000));
  EXPECT_FALSE(r.due(49'999));
  EXPECT_TRUE(r.due(50'000));
}

TEST(TwccRecorder, ReorderedPacketFillsItsGapBeforeTheReport) {
  TwccRecorder r;
  r.onPacket(10, 0);
  r.onPacket(12, 2'000);
  r.onPacket(11, 3'000);  // late but before the feedback
  const Decoded d = buildOne(r, 5'000);
  ASSERT_EQ(d.statuses.size(), 3u);
  for (const auto& s : d.statuses) EXPECT_TRUE(s.received);
  // Negative deltas (11 arrived after 12) are carried as large deltas.
  EXPECT_EQ(d.arrivalsUs[1] - d.arrivalsUs[0], 3'000);
  EXPECT_EQ(d.arrivalsUs[2] - d.arrivalsUs[0], 2'000);
}

TEST(TwccRecorder, PacketAfterItsReportIsCountedLateAndDuplicatesIgnored) {
  TwccRecorder r;
  r.onPacket(10, 0);
  r.onPacket(12, 1'000);
  buildOne(r, 1'000);
  r.onPacket(11, 2'000);
  EXPECT_EQ(r.stats().late, 1u);
  EXPECT_EQ(r.unreported(), 0);
  r.onPacket(13, 3'000);
  r.onPacket(13, 3'500);
  EXPECT_EQ(r.stats().duplicates, 1u);
  const Decoded d = buildOne(r, 60'000);
  EXPECT_EQ(d.header.baseSeq(), 13);
  EXPECT_EQ(d.statuses.size(), 1u);
}

TEST(TwccRecorder, SequenceWrapKeepsNumbersContinuous) {
  TwccRecorder r;
  std::int64_t t = 5'000'000;
  for (std::uint32_t i = 0; i < 6; ++i) r.onPacket(static_cast<std::uint16_t>(65533 + i), t += 1000);
  const Decoded d = buildOne(r, t);
  EXPECT_EQ(d.header.baseSeq(), 65533);
  ASSERT_EQ(d.statuses.size(), 6u);
  EXPECT_EQ(d.statuses[5].seq, 2);
  for (const auto& s : d.statuses) EXPECT_TRUE(s.received);
}

TEST(TwccRecorder, FeedbackCountIncrementsAndBacklogDrainsInBoundedPackets) {
  TwccRecorder r;
  for (int i = 0; i < 1000; ++i) r.onPacket(static_cast<std::uint16_t>(i), i * 100);
  EXPECT_TRUE(r.due(100'000));
  std::size_t covered = 0;
  int built = 0;
  for (; built < 10 && r.due(100'000); ++built) {
    const Decoded d = buildOne(r, 100'000);
    EXPECT_EQ(d.header.feedbackPacketCount(), built);
    EXPECT_EQ(d.statuses.size(), TwccRecorder::kMaxPacketsPerFeedback);
    EXPECT_EQ(d.header.baseSeq(), covered);
    covered += d.statuses.size();
  }
  // Full feedbacks go at once; the remainder waits for the interval like any other.
  EXPECT_EQ(built, 2);
  EXPECT_TRUE(r.due(150'000));
  EXPECT_EQ(covered + static_cast<std::size_t>(r.unreported()), 1000u);
  EXPECT_GE(built, 2);
}

TEST(TwccRecorder, ArrivalGapBeyondTheDeltaRangeSplitsTheFeedback) {
  TwccRecorder r;
  r.onPacket(1, 0);
  r.onPacket(2, 10'000'000);  // 10 s later: beyond a 16-bit delta of 250 us ticks
  const Decoded first = buildOne(r, 10'000'000);
  EXPECT_EQ(first.statuses.size(), 1u);
  ASSERT_EQ(r.unreported(), 1);
  const Decoded second = buildOne(r, 10'100'000);
  EXPECT_EQ(second.header.baseSeq(), 2);
  EXPECT_EQ(second.arrivalsUs[0] / 1000, 10'000);
}

TEST(TwccRecorder, HugeJumpKeepsOnlyTheLastWindowUnreported) {
  TwccRecorder r;
  r.onPacket(0, 0);
  r.onPacket(30'000, 1'000);
  EXPECT_LE(r.unreported(), TwccRecorder::kWindow);
  const Decoded d = buildOne(r, 1'000);
  EXPECT_GT(d.header.baseSeq(), 0);  // the oldest fell out
}

}  // namespace
}  // namespace huddle::sfu::bwe
