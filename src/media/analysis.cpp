#include "media/analysis.h"

#include <libyuv/compare.h>

#include <cmath>
#include <numbers>

namespace huddle::media {

double psnrI420(const I420View& a, const I420View& b) {
  if (a.width != b.width || a.height != b.height || a.empty() || b.empty()) {
    return -1.0;
  }
  return libyuv::I420Psnr(a.y, a.strideY, a.u, a.strideU, a.v, a.strideV, b.y, b.strideY, b.u, b.strideU, b.v,
                          b.strideV, a.width, a.height);
}

double goertzelPower(std::span<const std::int16_t> samples, int channels, int sampleRate, double frequencyHz) {
  if (channels < 1 || sampleRate <= 0) {
    return 0.0;
  }
  const double coeff = 2.0 * std::cos(2.0 * std::numbers::pi * frequencyHz / sampleRate);
  double s1 = 0.0;
  double s2 = 0.0;
  const auto step = static_cast<std::size_t>(channels);
  for (std::size_t i = 0; i < samples.size(); i += step) {
    const double s0 = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

double dominantFrequencyHz(std::span<const std::int16_t> samples, int channels, int sampleRate, double minHz,
                           double maxHz, double stepHz) {
  if (stepHz <= 0.0 || maxHz < minHz) {
    return 0.0;
  }
  double best = minHz;
  double bestPower = -1.0;
  const auto steps = static_cast<long>((maxHz - minHz) / stepHz);
  for (long i = 0; i <= steps; ++i) {
    const double f = minHz + static_cast<double>(i) * stepHz;
    const double p = goertzelPower(samples, channels, sampleRate, f);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  return best;
}

}  // namespace huddle::media
