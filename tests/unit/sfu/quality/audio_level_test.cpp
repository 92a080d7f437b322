#include "sfu/quality/audio_level.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace huddle::sfu::quality {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A 48 kHz Opus stream, 20 ms per packet, driven in media and arrival time together.
struct Feed {
  AudioLevelMeter meter{48000};
  Clock::time_point now = Clock::time_point{} + 1h;
  std::uint32_t ts = 1000;
  void packets(int n, std::uint8_t level) {
    for (int i = 0; i < n; ++i) {
      meter.observe(level, level < 127, ts, now);
      ts += 960;
      now += 20ms;
    }
  }
  AudioLevelReading read() { return meter.read(now); }
};

TEST(AudioLevelMeter, SilenceIsNotASpeaker) {
  Feed f;
  f.packets(100, 127);
  EXPECT_FALSE(f.read().active);
  EXPECT_EQ(f.read().level, 0.0);
}

TEST(AudioLevelMeter, LoudSpeechBecomesActiveAfterOneWindow) {
  Feed f;
  f.packets(19, 10);  // 380 ms: the first window is not over yet
  EXPECT_FALSE(f.read().active);
  f.packets(1, 10);
  const auto r = f.read();
  EXPECT_TRUE(r.active);
  // First window: the EMA moves 2/3 of the way from 0 to the window's level.
  EXPECT_NEAR(r.level, AudioLevelMeter::linear(10) * 2.0 / 3.0, 1e-9);
  f.packets(200, 10);
  EXPECT_NEAR(f.read().level, AudioLevelMeter::linear(10), 1e-5);
}

TEST(AudioLevelMeter, ThresholdIsInclusiveAt35Dbov) {
  Feed at;
  at.packets(100, 35);
  EXPECT_TRUE(at.read().active);
  Feed below;
  below.packets(100, 36);
  EXPECT_FALSE(below.read().active);
  EXPECT_NEAR(at.meter.activeThreshold(), std::pow(10.0, -35.0 / 20.0), 1e-12);
}

TEST(AudioLevelMeter, AWindowNeedsFortyPercentSpeech) {
  Feed enough;  // 8 of 20 packets loud: 40 %
  for (int w = 0; w < 5; ++w) {
    enough.packets(8, 20);
    enough.packets(12, 127);
  }
  EXPECT_TRUE(enough.read().active);
  Feed few;  // 7 of 20: 35 %
  for (int w = 0; w < 5; ++w) {
    few.packets(7, 20);
    few.packets(13, 127);
  }
  EXPECT_FALSE(few.read().active);
}

TEST(AudioLevelMeter, PartlyActiveWindowsReadQuieterThanFullOnes) {
  Feed full;
  full.packets(200, 20);
  Feed half;
  for (int w = 0; w < 10; ++w) {
    half.packets(10, 20);
    half.packets(10, 127);
  }
  ASSERT_TRUE(half.read().active);
  EXPECT_LT(half.read().level, full.read().level);
  // Half the window: 6 dB lower.
  EXPECT_NEAR(half.read().level, full.read().level * 0.5, 0.01);
}

TEST(AudioLevelMeter, OnePauseKeepsTheSpeakerTwoEndIt) {
  Feed f;
  f.packets(100, 10);
  const double speaking = f.read().level;
  f.packets(20, 127);  // one quiet window
  ASSERT_TRUE(f.read().active);
  EXPECT_NEAR(f.read().level, speaking / 3.0, 1e-9);
  f.packets(20, 10);  // speech again: no flap
  EXPECT_TRUE(f.read().active);
  f.packets(40, 127);  // two quiet windows
  EXPECT_FALSE(f.read().active);
  EXPECT_EQ(f.read().level, 0.0);
}

TEST(AudioLevelMeter, StopsWhenPacketsStop) {
  Feed f;
  f.packets(100, 10);
  ASSERT_TRUE(f.read().active);
  EXPECT_TRUE(f.meter.read(f.now + 700ms).active);
  EXPECT_FALSE(f.meter.read(f.now + 800ms).active);
  // And starts from nothing when they come back.
  f.now += 1s;
  f.ts += 48000;
  f.packets(20, 10);
  EXPECT_NEAR(f.read().level, AudioLevelMeter::linear(10) * 2.0 / 3.0, 1e-9);
}

TEST(AudioLevelMeter, ReorderedPacketsAreIgnored) {
  Feed f;
  f.packets(100, 127);
  // Loud packets with old timestamps (a burst of late arrivals) change nothing.
  for (int i = 0; i < 50; ++i) f.meter.observe(0, true, f.ts - 960 * 50 + 960 * i, f.now);
  f.packets(10, 127);
  EXPECT_FALSE(f.read().active);
}

TEST(AudioLevelMeter, ADtxGapCountsAsTimeNotAsSpeech) {
  Feed f;
  f.packets(100, 127);
  // One loud packet after a 2 s gap (DTX): the gap ends the window, mostly quiet.
  f.ts += 96000;
  f.packets(1, 0);
  EXPECT_FALSE(f.read().active);
}

}  // namespace
}  // namespace huddle::sfu::quality
