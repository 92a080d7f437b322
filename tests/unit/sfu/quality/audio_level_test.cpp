#include "sfu/quality/audio_level.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace huddle::sfu::quality {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A 48 kHz Opus stream, 20 ms per packet, driven in media and arrival time together; the room
// reads every 400 ms (20 packets).
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
  // `reads` update intervals of `level`, the reading after the last.
  AudioLevelReading ticks(int reads, std::uint8_t level) {
    AudioLevelReading r;
    for (int i = 0; i < reads; ++i) {
      packets(20, level);
      r = meter.read(now);
    }
    return r;
  }
};

TEST(AudioLevelMeter, SilenceIsNotASpeaker) {
  Feed f;
  const auto r = f.ticks(10, 127);
  EXPECT_FALSE(r.active);
  EXPECT_EQ(r.level, 0.0);
}

TEST(AudioLevelMeter, SpeechIsActiveOnceItFillsFortyPercentOfTheWindow) {
  Feed f;
  f.packets(9, 10);  // 180 ms of 500
  EXPECT_FALSE(f.meter.read(f.now).active);
  Feed g;
  g.packets(10, 10);  // 200 ms
  const auto r = g.meter.read(g.now);
  EXPECT_TRUE(r.active);
  // 40 % of the window: 8 dB lower than the packets; the first read moves 2/3 of the way.
  EXPECT_NEAR(r.level, AudioLevelMeter::linear(10 - 20 * std::log10(0.4)) * 2.0 / 3.0, 1e-9);
}

TEST(AudioLevelMeter, SteadySpeechConvergesToItsLevel) {
  Feed f;
  const auto r = f.ticks(20, 10);
  EXPECT_TRUE(r.active);
  EXPECT_NEAR(r.level, AudioLevelMeter::linear(10), 1e-6);
}

TEST(AudioLevelMeter, ThresholdIsInclusiveAt35Dbov) {
  Feed at;
  EXPECT_TRUE(at.ticks(5, 35).active);
  Feed below;
  EXPECT_FALSE(below.ticks(5, 36).active);
}

TEST(AudioLevelMeter, AShortPauseKeepsTheSpeakerALongOneEndsIt) {
  Feed f;
  f.ticks(5, 10);
  f.packets(10, 127);  // 200 ms pause: 300 ms of speech still in the window
  EXPECT_TRUE(f.meter.read(f.now).active);
  f.packets(10, 10);
  f.packets(16, 127);  // 320 ms pause: 180 ms of speech left
  const auto r = f.meter.read(f.now);
  EXPECT_FALSE(r.active);
  EXPECT_EQ(r.level, 0.0);
}

TEST(AudioLevelMeter, ALoudClickIsNoSpeaker) {
  Feed f;
  f.packets(30, 127);
  f.packets(3, 0);  // 60 ms at full scale
  f.packets(5, 127);
  EXPECT_FALSE(f.meter.read(f.now).active);
}

TEST(AudioLevelMeter, PartlyActiveWindowsReadQuieter) {
  Feed full;
  const double fullLevel = full.ticks(20, 20).level;
  Feed part;  // 15 of every 20 packets: 300 of the last 500 ms at best, 60 %
  AudioLevelReading r;
  for (int i = 0; i < 20; ++i) {
    part.packets(5, 127);
    part.packets(15, 20);
    r = part.meter.read(part.now);
  }
  ASSERT_TRUE(r.active);
  EXPECT_LT(r.level, fullLevel);
  EXPECT_GT(r.level, fullLevel * 0.5);
}

TEST(AudioLevelMeter, SmoothingDampsAJumpAcrossReads) {
  Feed f;
  const double quiet = f.ticks(20, 30).level;
  const double first = f.ticks(1, 5).level;
  const double settled = f.ticks(20, 5).level;
  EXPECT_GT(first, quiet);
  EXPECT_LT(first, settled);
  EXPECT_NEAR(first, quiet + (settled - quiet) * 2.0 / 3.0, 1e-6);
}

TEST(AudioLevelMeter, StopsWhenPacketsStop) {
  Feed f;
  f.ticks(5, 10);
  EXPECT_TRUE(f.meter.read(f.now + 700ms).active);
  EXPECT_FALSE(f.meter.read(f.now + 800ms).active);
  // And starts from nothing when they come back: the gap is not read as speech.
  f.now += 1s;
  f.ts += 48000;
  f.packets(10, 10);
  const auto r = f.meter.read(f.now);
  EXPECT_TRUE(r.active);
  EXPECT_NEAR(r.level, AudioLevelMeter::linear(10 - 20 * std::log10(0.4)) * 2.0 / 3.0, 1e-9);
}

TEST(AudioLevelMeter, ReorderedPacketsAreIgnored) {
  Feed f;
  f.ticks(5, 127);
  // Loud packets with old timestamps (a burst of late arrivals) change nothing.
  for (int i = 0; i < 50; ++i) f.meter.observe(0, true, f.ts - 960 * 50 + 960 * i, f.now);
  EXPECT_FALSE(f.meter.read(f.now).active);
}

TEST(AudioLevelMeter, ADtxGapCountsAsTimeNotAsSpeech) {
  Feed f;
  f.ticks(5, 10);
  // DTX: silence comes as one packet per 400 ms; two of them cover the window.
  for (int i = 0; i < 2; ++i) {
    f.ts += 19200;
    f.now += 400ms;
    f.meter.observe(127, false, f.ts, f.now);
  }
  EXPECT_FALSE(f.meter.read(f.now).active);
  // One loud packet after a gap stands for one frame, not for the gap.
  f.ts += 19200;
  f.now += 400ms;
  f.meter.observe(0, true, f.ts, f.now);
  EXPECT_FALSE(f.meter.read(f.now).active);
}

}  // namespace
}  // namespace huddle::sfu::quality
