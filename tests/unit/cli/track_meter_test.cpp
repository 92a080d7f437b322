#include "track_meter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace huddle::cli {
namespace {

constexpr int kRate = 48000;

// A sine of `seconds` at `hz`, plus deterministic white noise of peak `noise`.
std::vector<std::int16_t> tone(double hz, double seconds, int amplitude = 8000, int noise = 0, double phase = 0.3) {
  std::vector<std::int16_t> out(static_cast<std::size_t>(seconds * kRate));
  std::uint32_t lcg = 12345;
  for (std::size_t i = 0; i < out.size(); ++i) {
    lcg = lcg * 1664525u + 1013904223u;
    const double n = noise ? (static_cast<double>(lcg >> 16) / 32768.0 - 1.0) * noise : 0.0;
    out[i] = static_cast<std::int16_t>(
        std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / kRate + phase) + n));
  }
  return out;
}

TEST(TrackMeterAnalysis, DominantFrequencyFindsTonesAcrossTheRange) {
  for (const double hz : {100.0, 440.0, 660.0, 1000.0, 2750.0, 3900.0}) {
    EXPECT_NEAR(dominantFrequency(tone(hz, 1.0), kRate), hz, 1.0) << hz;
  }
}

TEST(TrackMeterAnalysis, DominantFrequencyBetweenScanStepsAndOnShortInput) {
  // 443.3 Hz lies between the coarse scan's 5 Hz steps; 0.2 s is a short window.
  EXPECT_NEAR(dominantFrequency(tone(443.3, 1.0), kRate), 443.3, 1.0);
  EXPECT_NEAR(dominantFrequency(tone(660.0, 0.2), kRate), 660.0, 5.0);
}

TEST(TrackMeterAnalysis, DominantFrequencyInNoise) {
  // Noise at half the tone's peak: the tone still stands out.
  EXPECT_NEAR(dominantFrequency(tone(440.0, 1.0, 8000, 4000), kRate), 440.0, 2.0);
}

TEST(TrackMeterAnalysis, ZeroCrossingsCountATone) {
  EXPECT_NEAR(zeroCrossingFrequency(tone(440.0, 1.0), kRate), 440.0, 2.0);
  EXPECT_NEAR(zeroCrossingFrequency(tone(1000.0, 0.5), kRate), 1000.0, 4.0);
  EXPECT_EQ(zeroCrossingFrequency(std::vector<std::int16_t>(4800, 0), kRate), 0.0);
}

TEST(TrackMeterAnalysis, RmsLevelOfSineAndSilence) {
  // A sine's RMS is its peak over sqrt(2).
  EXPECT_NEAR(rmsLevel(tone(440.0, 1.0, 8000)), 8000 / std::numbers::sqrt2 / 32768.0, 1e-3);
  EXPECT_NEAR(rmsLevel(tone(440.0, 1.0, 16000)), 16000 / std::numbers::sqrt2 / 32768.0, 1e-3);
  EXPECT_EQ(rmsLevel(std::vector<std::int16_t>(480, 0)), 0.0);
}

TEST(TrackMeterAnalysis, EmptyOrInvalidInputGivesZero) {
  const std::vector<std::int16_t> none;
  EXPECT_EQ(dominantFrequency(none, kRate), 0.0);
  EXPECT_EQ(zeroCrossingFrequency(none, kRate), 0.0);
  EXPECT_EQ(rmsLevel(none), 0.0);
  EXPECT_EQ(dominantFrequency(tone(440.0, 0.1), 0), 0.0);
  EXPECT_EQ(zeroCrossingFrequency(tone(440.0, 0.1), -1), 0.0);
}

}  // namespace
}  // namespace huddle::cli
