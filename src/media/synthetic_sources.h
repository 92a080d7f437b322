#pragma once
// Synthetic media for tests, examples and huddle-cli: a moving test pattern whose frame counter
// can be read back after lossy coding and scaling, and a continuous sine tone. Not thread-safe:
// one thread pulls frames from a source.

#include <cstdint>
#include <optional>

#include "media/audio_frame.h"
#include "media/video_frame.h"

namespace huddle::media {

// Moving colour bars in the lower half and the frame counter as 16 large black/white blocks
// (two rows of eight, each led by a white or black reference block) in the upper half. The
// layout is in fractions of the frame, so it survives scaling to any simulcast layer.
class TestPatternSource final {
 public:
  TestPatternSource(int width, int height, int fps = 30);

  // Draws the next frame into out (reusing its buffer), with capture time counter/fps and the
  // matching 90 kHz RTP timestamp. The counter starts at 0 and wraps at 65536.
  void next(VideoFrame& out);
  // Draws frame number counter without advancing the source.
  void draw(std::uint32_t counter, VideoFrame& out) const;
  [[nodiscard]] std::uint32_t framesProduced() const noexcept { return counter_; }
  [[nodiscard]] int width() const noexcept { return width_; }
  [[nodiscard]] int height() const noexcept { return height_; }
  [[nodiscard]] int fps() const noexcept { return fps_; }

 private:
  int width_;
  int height_;
  int fps_;
  std::uint32_t counter_ = 0;
};

// The 16-bit counter drawn by TestPatternSource, or nothing when the reference blocks are not
// there (a black or foreign frame).
[[nodiscard]] std::optional<std::uint16_t> readFrameCounter(const I420View& frame);

// A sine tone at 48 kHz whose phase runs on across frames, so the joins make no clicks.
class ToneSource final {
 public:
  // amplitude is the peak in 16-bit sample units (0..32767).
  ToneSource(double frequencyHz, int amplitude = 8000, int channels = 1, int samplesPerChannel = 960);

  // Fills out with the next samplesPerChannel samples (every channel the same), with capture time
  // and 48 kHz RTP timestamp continuing from the previous frame.
  void next(AudioFrame& out);
  [[nodiscard]] double frequencyHz() const noexcept { return frequencyHz_; }

 private:
  double frequencyHz_;
  int amplitude_;
  int channels_;
  int samplesPerChannel_;
  double phase_ = 0.0;  // radians, kept in [0, 2 pi)
  std::uint64_t samplesProduced_ = 0;
};

}  // namespace huddle::media
