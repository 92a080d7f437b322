#include "sfu/quality/audio_level.h"

#include <algorithm>
#include <cmath>

namespace huddle::sfu::quality {

AudioLevelMeter::AudioLevelMeter(std::uint32_t clockRate, AudioLevelConfig config) noexcept
    : config_(config), clockRate_(clockRate == 0 ? 48000 : clockRate) {
  if (config_.windowMs == 0) config_.windowMs = 500;
  alpha_ = config_.smoothReads == 0 ? 1.0 : 2.0 / (config_.smoothReads + 1.0);
  minActiveMs_ = config_.windowMs * std::min<std::uint32_t>(config_.minActivePercent, 100) / 100;
}

double AudioLevelMeter::linear(double dbov) noexcept {
  return std::pow(10.0, -std::clamp(dbov, 0.0, 127.0) / 20.0);
}

void AudioLevelMeter::reset() noexcept {
  started_ = false;
  smoothed_ = 0.0;
  count_ = 0;
  next_ = 0;
}

void AudioLevelMeter::observe(std::uint8_t levelDbov, bool /*voiceActivity*/,
                              std::uint32_t rtpTimestamp, TimePoint arrival) noexcept {
  // After a stop the track starts afresh: the gap is not a packet's duration.
  if (started_ && arrival - lastArrival_ >= std::chrono::milliseconds(config_.staleMs)) reset();
  std::uint32_t durationMs = kFirstPacketMs;
  if (started_) {
    const std::uint32_t delta = rtpTimestamp - highestTimestamp_;
    if (delta == 0 || delta >= 0x80000000u) return;  // duplicate or older: reordered
    durationMs = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(delta) * 1000 / clockRate_, 0xFFFF));
  }
  started_ = true;
  highestTimestamp_ = rtpTimestamp;
  lastArrival_ = arrival;
  ++packets_;
  history_[next_] = Entry{rtpTimestamp, static_cast<std::uint16_t>(durationMs),
                          std::min<std::uint8_t>(levelDbov, 127)};
  next_ = (next_ + 1) % kHistory;
  count_ = std::min(count_ + 1, kHistory);
}

AudioLevelReading AudioLevelMeter::read(TimePoint now) noexcept {
  if (!started_ || now - lastArrival_ >= std::chrono::milliseconds(config_.staleMs)) {
    reset();
    return {};
  }
  // Newest first, until the window of media time is covered. Each packet covers the media
  // time since the previous one (its duration), so a gap before a packet is silence unless
  // the packet is speech, and then only kMaxMsPerPacket of it.
  std::uint32_t covered = 0;
  std::uint32_t activeMs = 0;
  std::uint8_t loudest = 127;
  for (std::size_t i = 0; i < count_ && covered < config_.windowMs; ++i) {
    const Entry& e = history_[(next_ + kHistory - 1 - i) % kHistory];
    const std::uint32_t span = std::min<std::uint32_t>(e.durationMs, config_.windowMs - covered);
    covered += span;
    if (e.level <= config_.activeLevel) {
      activeMs += std::min(span, kMaxMsPerPacket);
      loudest = std::min(loudest, e.level);
    }
  }
  if (activeMs >= minActiveMs_ && activeMs > 0) {
    const double fraction = std::min(1.0, static_cast<double>(activeMs) / config_.windowMs);
    const double level = linear(loudest - 20.0 * std::log10(fraction));
    smoothed_ += (level - smoothed_) * alpha_;
  } else {
    smoothed_ = 0.0;
  }
  return {smoothed_, smoothed_ > 0.0};
}

}  // namespace huddle::sfu::quality
