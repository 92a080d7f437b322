#include "sfu/quality/audio_level.h"

#include <algorithm>
#include <cmath>

namespace huddle::sfu::quality {

AudioLevelMeter::AudioLevelMeter(std::uint32_t clockRate, AudioLevelConfig config) noexcept
    : config_(config), clockRate_(clockRate == 0 ? 48000 : clockRate) {
  if (config_.windowMs == 0) config_.windowMs = 400;
  alpha_ = config_.smoothWindows == 0 ? 1.0 : 2.0 / (config_.smoothWindows + 1.0);
  threshold_ = linear(config_.activeLevel);
  minActiveMs_ = config_.windowMs * std::min<std::uint32_t>(config_.minActivePercent, 100) / 100;
}

double AudioLevelMeter::linear(double dbov) noexcept {
  return std::pow(10.0, -std::clamp(dbov, 0.0, 127.0) / 20.0);
}

void AudioLevelMeter::observe(std::uint8_t levelDbov, bool /*voiceActivity*/,
                              std::uint32_t rtpTimestamp, TimePoint arrival) noexcept {
  if (started_ && arrival - lastArrival_ >= std::chrono::milliseconds(config_.staleMs)) {
    reset();  // after a stop the track starts afresh; the gap is no window of its own
    started_ = false;
  }
  std::uint32_t durationMs = kFirstPacketMs;
  if (started_) {
    const std::uint32_t delta = rtpTimestamp - highestTimestamp_;
    if (delta >= 0x80000000u) return;  // older than what we have seen: reordered
    durationMs = static_cast<std::uint32_t>(static_cast<std::uint64_t>(delta) * 1000 / clockRate_);
  }
  started_ = true;
  highestTimestamp_ = rtpTimestamp;
  lastArrival_ = arrival;
  ++packets_;
  levelDbov = std::min<std::uint8_t>(levelDbov, 127);

  // A gap (DTX, a stalled sender) counts as observed but not as speech: the window it ends
  // is judged mostly quiet.
  observedMs_ += durationMs;
  if (levelDbov <= config_.activeLevel) {
    activeMs_ += std::min(durationMs, kMaxActiveMsPerPacket);
    loudest_ = std::min(loudest_, levelDbov);
  }
  if (observedMs_ >= config_.windowMs) closeWindow();
}

void AudioLevelMeter::closeWindow() noexcept {
  if (activeMs_ >= minActiveMs_ && activeMs_ > 0 && observedMs_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(activeMs_) / observedMs_);
    const double adjusted = loudest_ - 20.0 * std::log10(fraction);
    smoothed_ += (linear(adjusted) - smoothed_) * alpha_;
    lastWindowActive_ = true;
  } else if (lastWindowActive_) {
    smoothed_ -= smoothed_ * alpha_;  // a pause: lower, keep the speaker for one window
    lastWindowActive_ = false;
  } else {
    smoothed_ = 0.0;
  }
  observedMs_ = 0;
  activeMs_ = 0;
  loudest_ = 127;
}

void AudioLevelMeter::reset() noexcept {
  smoothed_ = 0.0;
  lastWindowActive_ = false;
  observedMs_ = 0;
  activeMs_ = 0;
  loudest_ = 127;
}

AudioLevelReading AudioLevelMeter::read(TimePoint now) noexcept {
  if (!started_ || now - lastArrival_ >= std::chrono::milliseconds(config_.staleMs)) {
    reset();
    return {};
  }
  // The windows decided whether this is speech; the threshold applies per packet. (Comparing
  // the smoothed level with the threshold would leave a voice exactly at it never active: the
  // average only approaches its input.)
  return {smoothed_, smoothed_ > 0.0};
}

}  // namespace huddle::sfu::quality
