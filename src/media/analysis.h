#pragma once
// Measurements of decoded media, for tests and end-to-end checks: picture fidelity and the
// pitch of a tone. Pure, any thread.

#include <cstdint>
#include <span>

#include "media/video_frame.h"

namespace huddle::media {

// PSNR of all three planes in dB between two same-size frames (libyuv's I420Psnr; 128 for
// identical frames); a negative value when the sizes differ.
[[nodiscard]] double psnrI420(const I420View& a, const I420View& b);

// Power of one frequency in interleaved PCM (channel 0 only), by the Goertzel recurrence.
[[nodiscard]] double goertzelPower(std::span<const std::int16_t> samples, int channels, int sampleRate,
                                   double frequencyHz);

// The frequency in [minHz, maxHz] (scanned in stepHz steps) with the most power in channel 0.
[[nodiscard]] double dominantFrequencyHz(std::span<const std::int16_t> samples, int channels, int sampleRate,
                                         double minHz = 50.0, double maxHz = 4000.0, double stepHz = 1.0);

}  // namespace huddle::media
