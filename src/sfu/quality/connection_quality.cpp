#include "sfu/quality/connection_quality.h"

#include <algorithm>
#include <cmath>

namespace huddle::sfu::quality {

namespace {

constexpr double kMaxR = 93.2;  // G.107 default basic signal-to-noise with no impairment
constexpr double kCodecDelayMs = 20.0;

bool lost(const StreamWindow& w) noexcept {
  if (!w.mustDeliver) return false;
  if (w.lossFraction) return false;  // a receiver report arrived: the path is there
  return w.packetsExpected <= 0 || w.packetsLost >= w.packetsExpected;
}

double rOf(const StreamWindow& w) noexcept {
  double d = kCodecDelayMs + 2.0 * std::max(0.0, w.jitterSeconds) * 1000.0;
  if (w.rttSeconds) d += std::max(0.0, *w.rttSeconds) * 1000.0 / 2.0;
  double id = 0.024 * d;
  if (d > 177.3) id += 0.11 * (d - 177.3);

  double loss = 0.0;
  if (w.lossFraction) {
    loss = *w.lossFraction;
  } else if (w.packetsExpected > 0) {
    loss = static_cast<double>(std::max<std::int64_t>(0, w.packetsLost)) /
           static_cast<double>(w.packetsExpected);
  }
  const double p = std::clamp(loss, 0.0, 1.0) * 100.0;
  const double ie = 95.0 * p / (p + 10.0);

  double ibr = 0.0;
  if (w.expectedBps > 0 && w.actualBps < w.expectedBps) {
    const double actual = std::max<double>(1.0, static_cast<double>(w.actualBps));
    ibr = 25.0 * std::log2(static_cast<double>(w.expectedBps) / actual);
  }
  return std::clamp(kMaxR - id - ie - ibr, 0.0, 100.0);
}

}  // namespace

std::string_view connectionQualityName(ConnectionQuality q) noexcept {
  switch (q) {
    case ConnectionQuality::Poor: return "poor";
    case ConnectionQuality::Good: return "good";
    case ConnectionQuality::Excellent: return "excellent";
    case ConnectionQuality::Lost: return "lost";
  }
  return "unknown";
}

double mosFromR(double r) noexcept {
  r = std::clamp(r, 0.0, 100.0);
  const double mos = 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
  return std::clamp(mos, 1.0, 4.5);
}

ConnectionQuality qualityFromR(double r) noexcept {
  if (r >= ConnectionQualityScorer::kExcellentR) return ConnectionQuality::Excellent;
  if (r >= ConnectionQualityScorer::kGoodR) return ConnectionQuality::Good;
  return ConnectionQuality::Poor;
}

QualityScore scoreStream(const StreamWindow& window) noexcept {
  if (lost(window)) return {0.0, 1.0, ConnectionQuality::Lost};
  const double r = rOf(window);
  return {r, mosFromR(r), qualityFromR(r)};
}

QualityScore ConnectionQualityScorer::update(std::span<const StreamWindow> streams) noexcept {
  if (streams.empty()) {
    // Nothing flows: keep the last judgement's level for a participant that had streams
    // (it stopped publishing), otherwise report the default.
    if (!started_) last_ = QualityScore{kMaxR, mosFromR(kMaxR), ConnectionQuality::Excellent};
    return last_;
  }
  bool anyLost = false;
  double worst = 100.0;
  for (const StreamWindow& w : streams) {
    if (lost(w)) {
      anyLost = true;
      continue;
    }
    worst = std::min(worst, rOf(w));
  }
  if (anyLost) {
    started_ = true;
    smoothedR_ = kAfterLostR;
    last_ = QualityScore{0.0, 1.0, ConnectionQuality::Lost};
    return last_;
  }
  if (!started_) {
    smoothedR_ = worst;
    started_ = true;
  } else {
    const double factor = worst < smoothedR_ ? kDownFactor : kUpFactor;
    smoothedR_ += (worst - smoothedR_) * factor;
  }
  last_ = QualityScore{smoothedR_, mosFromR(smoothedR_), qualityFromR(smoothedR_)};
  return last_;
}

}  // namespace huddle::sfu::quality
