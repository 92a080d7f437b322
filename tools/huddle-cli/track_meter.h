#pragma once
// Thread-safe: the frame sinks run on the SDK's media threads, everything else on any thread.
//
// What `huddle-cli join` measures about one remote track, from the decoded frames themselves
// (not only the SDK's counters): for video the frame counter the test pattern draws and the
// mean Y/U/V of the picture, whole and lower half (a black or green frame shows at once; the
// test pattern's counter blocks sit in the upper half only); for audio the pitch
// and level of the last second of PCM. The sinks copy a few numbers (video) or the samples of
// channel 0 into a ring allocated up front (audio) and return: no allocation per frame.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/remote_track.h"

namespace huddle::cli {

using SteadyTime = std::chrono::steady_clock::time_point;

class RemoteTrackMeter final {
 public:
  // `joinStart`: when the join began, the origin of the first-frame times.
  RemoteTrackMeter(std::shared_ptr<client::RemoteTrack> track, std::string participantIdentity,
                   SteadyTime joinStart);
  ~RemoteTrackMeter();
  RemoteTrackMeter(const RemoteTrackMeter&) = delete;
  RemoteTrackMeter& operator=(const RemoteTrackMeter&) = delete;

  // Installs the frame sink (the meter must outlive it: detach() before destroying).
  void attach();
  // Removes the sink; no sink call runs once this returns.
  void detach();
  // Called when the track is unsubscribed: its figures are kept as they were.
  void markUnsubscribed();

  [[nodiscard]] client::TrackKind kind() const noexcept { return kind_; }
  [[nodiscard]] const client::RemoteTrack& track() const noexcept { return *track_; }
  // Frames that reached the sink so far.
  [[nodiscard]] std::uint64_t framesSeen() const;

  // Every figure, as written to --stats-json (analysis of the audio ring happens here).
  [[nodiscard]] nlohmann::json report() const;
  // One line for the table printed at the end.
  [[nodiscard]] std::string tableRow() const;

 private:
  void onVideo(const client::VideoFrameI420& frame);
  void onAudio(const client::AudioFrameView& frame);
  // The ring's samples, oldest first.
  [[nodiscard]] std::vector<std::int16_t> audioSamples() const;

  const std::shared_ptr<client::RemoteTrack> track_;
  const std::string participant_;
  const client::TrackKind kind_;
  const SteadyTime joinStart_;
  SteadyTime attachedAt_;

  mutable std::mutex mutex_;
  std::uint64_t frames_ = 0;
  std::optional<SteadyTime> firstFrameAt_;
  std::optional<SteadyTime> unsubscribedAt_;
  // Video.
  int width_ = 0;
  int height_ = 0;
  std::optional<std::uint16_t> firstCounter_;
  std::optional<std::uint16_t> lastCounter_;
  std::uint64_t framesWithCounter_ = 0;
  std::uint64_t counterRegressions_ = 0;  // a counter lower than the previous (not a wrap)
  double meanY_ = 0;
  double meanU_ = 0;
  double meanV_ = 0;
  double lowerY_ = 0;  // the same, over the lower half of the picture
  double lowerU_ = 0;
  double lowerV_ = 0;
  // Audio.
  std::vector<std::int16_t> ring_;  // last second of channel 0, allocated once
  std::size_t ringPos_ = 0;
  std::size_t ringFilled_ = 0;
  std::uint64_t nonSilentFrames_ = 0;
  int channels_ = 0;
  int sampleRate_ = 0;
};

// Pitch of a tone: a coarse Goertzel scan over a short tail of `samples` (wide bins, so a
// coarse step cannot fall between them), refined over all of them in 0.5 Hz steps.
[[nodiscard]] double dominantFrequency(const std::vector<std::int16_t>& samples, int sampleRate);
// Frequency from the count of sign changes (a cross-check that needs no scan range).
[[nodiscard]] double zeroCrossingFrequency(const std::vector<std::int16_t>& samples, int sampleRate);
// RMS of the samples relative to full scale (0..1).
[[nodiscard]] double rmsLevel(const std::vector<std::int16_t>& samples);

}  // namespace huddle::cli
