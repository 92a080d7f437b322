#include "media/synthetic_sources.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace huddle::media {
namespace {

TEST(TestPattern, CounterReadsBackAtManySizes) {
  for (const auto& [w, h] : {std::pair{1280, 720}, std::pair{640, 360}, std::pair{160, 90}, std::pair{321, 179}}) {
    TestPatternSource pattern(w, h);
    VideoFrame frame;
    for (const std::uint32_t counter : {0u, 1u, 0x8000u, 0xABCDu, 0xFFFFu, 0x10005u}) {
      pattern.draw(counter, frame);
      EXPECT_EQ(readFrameCounter(frame), std::optional<std::uint16_t>(counter & 0xFFFF)) << w << "x" << h;
    }
  }
}

TEST(TestPattern, NextAdvancesCounterAndTimestamps) {
  TestPatternSource pattern(320, 180, 30);
  VideoFrame frame;
  for (std::uint32_t i = 0; i < 5; ++i) {
    pattern.next(frame);
    EXPECT_EQ(readFrameCounter(frame), std::optional<std::uint16_t>(i));
    EXPECT_EQ(frame.rtpTimestamp(), i * 3000);
    EXPECT_EQ(frame.captureTimeUs(), static_cast<std::int64_t>(i) * 1000000 / 30);
  }
  EXPECT_EQ(pattern.framesProduced(), 5u);
}

TEST(TestPattern, BarsMoveBetweenFrames) {
  TestPatternSource pattern(320, 180);
  VideoFrame a, b;
  pattern.draw(0, a);
  pattern.draw(10, b);
  int differing = 0;
  const int row = 170;
  for (int x = 0; x < 320; ++x) {
    differing += a.dataY()[row * a.strideY() + x] != b.dataY()[row * b.strideY() + x];
  }
  EXPECT_GT(differing, 0);
}

TEST(TestPattern, FlatFrameHasNoCounter) {
  VideoFrame frame(640, 360);
  frame.fill(16, 128, 128);
  EXPECT_FALSE(readFrameCounter(frame).has_value());
  frame.fill(128, 128, 128);
  EXPECT_FALSE(readFrameCounter(frame).has_value());
  VideoFrame tiny(8, 8);
  EXPECT_FALSE(readFrameCounter(tiny).has_value());
}

TEST(ToneSource, PhaseContinuesAcrossFrames) {
  const double f = 440.0;
  const int amplitude = 10000;
  ToneSource tone(f, amplitude, 2, 480);
  AudioFrame frame;
  std::uint64_t n = 0;
  for (int k = 0; k < 20; ++k) {
    tone.next(frame);
    ASSERT_EQ(frame.channels(), 2);
    ASSERT_EQ(frame.samplesPerChannel(), 480);
    EXPECT_EQ(frame.rtpTimestamp(), static_cast<std::uint32_t>(n));
    for (int i = 0; i < 480; ++i, ++n) {
      const double expected = amplitude * std::sin(2.0 * std::numbers::pi * f * static_cast<double>(n) / 48000.0);
      ASSERT_NEAR(frame.samples()[static_cast<std::size_t>(2 * i)], expected, 1.5) << "sample " << n;
      ASSERT_EQ(frame.samples()[static_cast<std::size_t>(2 * i)], frame.samples()[static_cast<std::size_t>(2 * i + 1)]);
    }
  }
}

}  // namespace
}  // namespace huddle::media
