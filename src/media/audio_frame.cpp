#include "media/audio_frame.h"

#include <algorithm>

namespace huddle::media {

void AudioFrame::reset(int channels, int samplesPerChannel) {
  channels_ = std::clamp(channels, 1, kMaxAudioChannels);
  samplesPerChannel_ = std::clamp(samplesPerChannel, 0, kMaxAudioSamplesPerChannel);
  const auto needed = static_cast<std::size_t>(channels_ * samplesPerChannel_);
  if (samples_.size() < needed) {
    samples_.resize(needed);
  }
}

void AudioFrame::copyFrom(const AudioFrame& other) {
  if (&other == this) {
    return;
  }
  reset(other.channels_, other.samplesPerChannel_);
  captureTimeUs_ = other.captureTimeUs_;
  rtpTimestamp_ = other.rtpTimestamp_;
  const auto src = other.samples();
  std::copy(src.begin(), src.end(), samples().begin());
}

}  // namespace huddle::media
