#include "sfu/quality/speaker_detector.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::sfu::quality {
namespace {

TEST(SpeakerDetector, NobodySpeakingIsNoChange) {
  SpeakerDetector d;
  std::vector<SpeakerReading> r{{"PA_a", 0.0, false}, {"PA_b", 0.0, false}};
  const auto report = d.update(r);
  EXPECT_FALSE(report.changed);
  EXPECT_TRUE(report.speakers.empty());
}

TEST(SpeakerDetector, OrdersLoudestFirstAndReportsChangeOnce) {
  SpeakerDetector d;
  std::vector<SpeakerReading> r{{"PA_a", 0.1, true}, {"PA_b", 0.6, true}, {"PA_c", 0.9, false}};
  auto report = d.update(r);
  ASSERT_TRUE(report.changed);
  ASSERT_EQ(report.speakers.size(), 2u);
  EXPECT_EQ(report.speakers[0].participantSid, "PA_b");
  EXPECT_EQ(report.speakers[1].participantSid, "PA_a");
  EXPECT_TRUE(report.speakers[0].active);
  EXPECT_FLOAT_EQ(report.speakers[0].level, 0.625F);  // quantized up to 1/8
  EXPECT_FLOAT_EQ(report.speakers[1].level, 0.125F);
  report = d.update(r);
  EXPECT_FALSE(report.changed);
  EXPECT_EQ(report.speakers.size(), 2u);
}

TEST(SpeakerDetector, SmallWobblesWithinAStepAreNoChange) {
  SpeakerDetector d;
  std::vector<SpeakerReading> r{{"PA_a", 0.51, true}};
  (void)d.update(r);
  r[0].level = 0.62;
  EXPECT_FALSE(d.update(r).changed);
  r[0].level = 0.63;
  EXPECT_TRUE(d.update(r).changed);
}

TEST(SpeakerDetector, ASwapOfTheLoudestIsAChange) {
  SpeakerDetector d;
  std::vector<SpeakerReading> r{{"PA_a", 0.5, true}, {"PA_b", 0.2, true}};
  (void)d.update(r);
  r[0].level = 0.2;
  r[1].level = 0.5;
  const auto report = d.update(r);
  ASSERT_TRUE(report.changed);
  EXPECT_EQ(report.speakers[0].participantSid, "PA_b");
}

TEST(SpeakerDetector, AStoppedSpeakerIsReportedInactiveOnce) {
  SpeakerDetector d;
  std::vector<SpeakerReading> both{{"PA_a", 0.5, true}, {"PA_b", 0.3, true}};
  (void)d.update(both);
  std::vector<SpeakerReading> onlyB{{"PA_a", 0.0, false}, {"PA_b", 0.3, true}};
  auto report = d.update(onlyB);
  ASSERT_TRUE(report.changed);
  ASSERT_EQ(report.speakers.size(), 2u);
  EXPECT_EQ(report.speakers[0].participantSid, "PA_b");
  EXPECT_TRUE(report.speakers[0].active);
  EXPECT_EQ(report.speakers[1].participantSid, "PA_a");
  EXPECT_FALSE(report.speakers[1].active);
  EXPECT_EQ(report.speakers[1].level, 0.0F);
  report = d.update(onlyB);
  EXPECT_FALSE(report.changed);
  ASSERT_EQ(report.speakers.size(), 1u);
  EXPECT_EQ(d.active().size(), 1u);
}

TEST(SpeakerDetector, AParticipantThatLeftCountsAsStopped) {
  SpeakerDetector d;
  std::vector<SpeakerReading> r{{"PA_a", 0.5, true}};
  (void)d.update(r);
  const auto report = d.update({});
  ASSERT_TRUE(report.changed);
  ASSERT_EQ(report.speakers.size(), 1u);
  EXPECT_FALSE(report.speakers[0].active);
}

TEST(SpeakerDetector, EqualLevelsOrderBySid) {
  SpeakerDetector d;
  std::vector<SpeakerReading> r{{"PA_z", 0.5, true}, {"PA_a", 0.5, true}};
  const auto report = d.update(r);
  ASSERT_EQ(report.speakers.size(), 2u);
  EXPECT_EQ(report.speakers[0].participantSid, "PA_a");
}

TEST(SpeakerDetector, QuantizeKeepsActiveSpeakersAboveZero) {
  EXPECT_FLOAT_EQ(SpeakerDetector::quantize(0.001), 0.125F);
  EXPECT_FLOAT_EQ(SpeakerDetector::quantize(1.5), 1.0F);
  EXPECT_FLOAT_EQ(SpeakerDetector::quantize(-1.0), 0.0F);
}

}  // namespace
}  // namespace huddle::sfu::quality
