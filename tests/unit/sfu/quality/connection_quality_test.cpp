#include "sfu/quality/connection_quality.h"

#include <gtest/gtest.h>

#include <array>

#include "sfu/quality/stream_loss.h"

namespace huddle::sfu::quality {
namespace {

StreamWindow lossy(double fraction, double rttSeconds = 0.02, double jitterSeconds = 0.002) {
  StreamWindow w;
  w.mustDeliver = true;
  w.packetsExpected = 1000;
  w.packetsLost = static_cast<std::int64_t>(fraction * 1000);
  w.jitterSeconds = jitterSeconds;
  w.rttSeconds = rttSeconds;
  return w;
}

TEST(ConnectionQuality, LossBoundaries) {
  EXPECT_EQ(scoreStream(lossy(0.0)).quality, ConnectionQuality::Excellent);
  EXPECT_EQ(scoreStream(lossy(0.01)).quality, ConnectionQuality::Excellent);
  EXPECT_EQ(scoreStream(lossy(0.02)).quality, ConnectionQuality::Good);
  EXPECT_EQ(scoreStream(lossy(0.05)).quality, ConnectionQuality::Good);
  EXPECT_EQ(scoreStream(lossy(0.06)).quality, ConnectionQuality::Poor);
  EXPECT_EQ(scoreStream(lossy(0.10)).quality, ConnectionQuality::Poor);
}

TEST(ConnectionQuality, ScoreFallsWithEachImpairment) {
  const double clean = scoreStream(lossy(0.0)).mos;
  EXPECT_GT(clean, 4.3);
  EXPECT_LE(clean, 4.5);
  EXPECT_LT(scoreStream(lossy(0.03)).mos, clean);
  EXPECT_LT(scoreStream(lossy(0.0, 0.4)).mos, clean);        // 400 ms RTT
  EXPECT_LT(scoreStream(lossy(0.0, 0.02, 0.05)).mos, clean);  // 50 ms jitter
  EXPECT_GE(scoreStream(lossy(1.0 - 1e-3)).mos, 1.0);
}

TEST(ConnectionQuality, LongDelayAloneIsPoor) {
  // 1 s RTT: one-way 500 ms + jitter buffer, far past the E-model's knee at 177 ms.
  EXPECT_EQ(scoreStream(lossy(0.0, 1.0)).quality, ConnectionQuality::Poor);
  EXPECT_EQ(scoreStream(lossy(0.0, 0.7)).quality, ConnectionQuality::Good);
  EXPECT_EQ(scoreStream(lossy(0.0, 0.2)).quality, ConnectionQuality::Excellent);
}

TEST(ConnectionQuality, BitrateBelowExpectationCostsALevelPerHalving) {
  StreamWindow w = lossy(0.0);
  w.expectedBps = 1'000'000;
  w.actualBps = 1'000'000;
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Excellent);
  w.actualBps = 1'500'000;  // more than expected is no penalty
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Excellent);
  w.actualBps = 500'000;
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Good);
  w.actualBps = 200'000;
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Poor);
}

TEST(ConnectionQuality, NothingFromAPublisherIsLost) {
  StreamWindow w;
  w.mustDeliver = true;
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Lost);
  w.mustDeliver = false;  // muted: nothing expected
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Excellent);
  StreamWindow allLost = lossy(1.0);
  EXPECT_EQ(scoreStream(allLost).quality, ConnectionQuality::Lost);
}

TEST(ConnectionQuality, ReceiverReportFractionIsUsed) {
  StreamWindow w;
  w.lossFraction = 0.10;
  w.rttSeconds = 0.02;
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Poor);
  w.lossFraction = 0.0;
  EXPECT_EQ(scoreStream(w).quality, ConnectionQuality::Excellent);
}

TEST(ConnectionQualityScorer, TheWorstStreamDecides) {
  ConnectionQualityScorer s;
  std::array<StreamWindow, 2> streams{lossy(0.0), lossy(0.10)};
  EXPECT_EQ(s.update(streams).quality, ConnectionQuality::Poor);
}

TEST(ConnectionQualityScorer, NoStreamsIsExcellent) {
  ConnectionQualityScorer s;
  EXPECT_EQ(s.update({}).quality, ConnectionQuality::Excellent);
}

TEST(ConnectionQualityScorer, DropsFastRecoversSlowly) {
  ConnectionQualityScorer s;
  std::array<StreamWindow, 1> clean{lossy(0.0)};
  std::array<StreamWindow, 1> bad{lossy(0.10)};
  EXPECT_EQ(s.update(clean).quality, ConnectionQuality::Excellent);
  // One bad interval is enough to leave excellent.
  EXPECT_EQ(s.update(bad).quality, ConnectionQuality::Poor);
  // One clean interval does not bring it back to excellent.
  const auto after = s.update(clean);
  EXPECT_NE(after.quality, ConnectionQuality::Excellent);
  int intervals = 1;
  while (s.update(clean).quality != ConnectionQuality::Excellent && intervals < 20) ++intervals;
  EXPECT_GE(intervals, 2);
  EXPECT_LT(intervals, 20);
}

TEST(ConnectionQualityScorer, LostThenRecoveryPassesThroughPoorAndGood) {
  ConnectionQualityScorer s;
  std::array<StreamWindow, 1> clean{lossy(0.0)};
  std::array<StreamWindow, 1> none{StreamWindow{true}};
  (void)s.update(clean);
  EXPECT_EQ(s.update(none).quality, ConnectionQuality::Lost);
  EXPECT_EQ(s.update(clean).quality, ConnectionQuality::Poor);
  EXPECT_EQ(s.update(clean).quality, ConnectionQuality::Good);
}

TEST(StreamLossCounter, CountsGapsAndIgnoresLateArrivals) {
  StreamLossCounter c;
  for (std::uint16_t s : {100, 101, 103, 104, 102, 108}) c.onPacket(s);
  const auto w = c.closeWindow();
  EXPECT_EQ(w.expected, 9);  // 100..108
  EXPECT_EQ(w.lost, 4);      // 102 (late: counted lost), 105, 106, 107
  EXPECT_EQ(w.received, 5);
  EXPECT_EQ(c.current().expected, 0);
}

TEST(StreamLossCounter, WrapsAndRestarts) {
  StreamLossCounter c;
  c.onPacket(65534);
  c.onPacket(65535);
  c.onPacket(1);  // 0 lost across the wrap
  auto w = c.closeWindow();
  EXPECT_EQ(w.lost, 1);
  c.onPacket(30000);  // a restart, not 28,000 losses
  c.onPacket(30001);
  w = c.closeWindow();
  EXPECT_EQ(w.lost, 0);
  EXPECT_EQ(w.received, 2);
}

}  // namespace
}  // namespace huddle::sfu::quality
