#pragma once
// Thread-safe: start/stop from any thread; each source runs its own pacing thread.
//
// Test media for bots, load tests and examples: a moving test pattern with a frame counter
// that survives encoding and scaling (media::readFrameCounter reads it back), and a sine tone.
// Each source feeds one local track in real time until stopped or destroyed.

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "client/local_track.h"

namespace huddle::client {

class SyntheticVideoSource final {
 public:
  // Frames at the track's size and frame rate.
  explicit SyntheticVideoSource(std::shared_ptr<LocalVideoTrack> track);
  ~SyntheticVideoSource();
  SyntheticVideoSource(const SyntheticVideoSource&) = delete;
  SyntheticVideoSource& operator=(const SyntheticVideoSource&) = delete;
  void start();
  void stop();
  [[nodiscard]] std::uint64_t framesProduced() const noexcept { return produced_.load(); }

 private:
  void run();
  std::shared_ptr<LocalVideoTrack> track_;
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> produced_{0};
  std::thread thread_;
};

class SyntheticAudioSource final {
 public:
  // amplitude: peak in 16-bit units.
  explicit SyntheticAudioSource(std::shared_ptr<LocalAudioTrack> track, double frequencyHz = 440.0,
                                int amplitude = 8000);
  ~SyntheticAudioSource();
  SyntheticAudioSource(const SyntheticAudioSource&) = delete;
  SyntheticAudioSource& operator=(const SyntheticAudioSource&) = delete;
  void start();
  void stop();
  // Silence instead of the tone while set (speaker-detection tests).
  void setSilent(bool silent) noexcept { silent_ = silent; }
  [[nodiscard]] std::uint64_t framesProduced() const noexcept { return produced_.load(); }

 private:
  void run();
  std::shared_ptr<LocalAudioTrack> track_;
  double frequencyHz_;
  int amplitude_;
  std::atomic<bool> running_{false};
  std::atomic<bool> silent_{false};
  std::atomic<std::uint64_t> produced_{0};
  std::thread thread_;
};

}  // namespace huddle::client
