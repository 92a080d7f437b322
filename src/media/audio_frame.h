#pragma once
// 16-bit PCM audio frames at 48 kHz, interleaved, with an owned buffer reused across frames.
// Not thread-safe: one owner at a time.

#include <cstdint>
#include <span>
#include <vector>

namespace huddle::media {

inline constexpr int kAudioSampleRate = 48000;
// 120 ms: the longest frame Opus produces, so any decoded packet fits.
inline constexpr int kMaxAudioSamplesPerChannel = kAudioSampleRate * 120 / 1000;
inline constexpr int kMaxAudioChannels = 2;

class AudioFrame final {
 public:
  AudioFrame() = default;
  AudioFrame(int channels, int samplesPerChannel) { reset(channels, samplesPerChannel); }
  AudioFrame(AudioFrame&&) noexcept = default;
  AudioFrame& operator=(AudioFrame&&) noexcept = default;
  AudioFrame(const AudioFrame&) = delete;
  AudioFrame& operator=(const AudioFrame&) = delete;

  // Sets the layout (channels clamped to 1..2, samples to 0..120 ms); keeps the buffer when big
  // enough. Sample values are unspecified afterwards.
  void reset(int channels, int samplesPerChannel);
  void copyFrom(const AudioFrame& other);

  [[nodiscard]] int sampleRate() const noexcept { return kAudioSampleRate; }
  [[nodiscard]] int channels() const noexcept { return channels_; }
  [[nodiscard]] int samplesPerChannel() const noexcept { return samplesPerChannel_; }
  [[nodiscard]] std::int64_t durationUs() const noexcept {
    return static_cast<std::int64_t>(samplesPerChannel_) * 1000000 / kAudioSampleRate;
  }
  // Interleaved: L R L R ... for stereo.
  [[nodiscard]] std::span<std::int16_t> samples() noexcept {
    return {samples_.data(), static_cast<std::size_t>(channels_ * samplesPerChannel_)};
  }
  [[nodiscard]] std::span<const std::int16_t> samples() const noexcept {
    return {samples_.data(), static_cast<std::size_t>(channels_ * samplesPerChannel_)};
  }

  [[nodiscard]] std::int64_t captureTimeUs() const noexcept { return captureTimeUs_; }
  void setCaptureTimeUs(std::int64_t us) noexcept { captureTimeUs_ = us; }
  // On the 48 kHz RTP clock of Opus (RFC 7587).
  [[nodiscard]] std::uint32_t rtpTimestamp() const noexcept { return rtpTimestamp_; }
  void setRtpTimestamp(std::uint32_t ts) noexcept { rtpTimestamp_ = ts; }

 private:
  int channels_ = 1;
  int samplesPerChannel_ = 0;
  std::int64_t captureTimeUs_ = 0;
  std::uint32_t rtpTimestamp_ = 0;
  std::vector<std::int16_t> samples_;
};

}  // namespace huddle::media
