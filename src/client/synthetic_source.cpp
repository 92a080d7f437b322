#include "client/synthetic_source.h"

#include <chrono>

#include "media/synthetic_sources.h"

namespace huddle::client {

namespace {

// Real-time pacing against an absolute schedule, so a late frame does not shift the rest.
class Pacer {
 public:
  explicit Pacer(std::chrono::microseconds period) : period_(period), next_(std::chrono::steady_clock::now()) {}
  void wait() {
    next_ += period_;
    const auto now = std::chrono::steady_clock::now();
    if (next_ < now - 10 * period_) next_ = now;  // far behind (suspended): do not burst
    std::this_thread::sleep_until(next_);
  }

 private:
  std::chrono::microseconds period_;
  std::chrono::steady_clock::time_point next_;
};

}  // namespace

SyntheticVideoSource::SyntheticVideoSource(std::shared_ptr<LocalVideoTrack> track) : track_(std::move(track)) {}
SyntheticVideoSource::~SyntheticVideoSource() { stop(); }

void SyntheticVideoSource::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { run(); });
}

void SyntheticVideoSource::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

void SyntheticVideoSource::run() {
  const auto& options = track_->options();
  const int fps = options.fps > 0 ? options.fps : 30;
  media::TestPatternSource pattern(options.width, options.height, fps);
  media::VideoFrame frame;
  Pacer pacer(std::chrono::microseconds(1'000'000 / fps));
  while (running_) {
    pattern.next(frame);
    const media::I420View view = frame.view();
    VideoFrameI420 out{view.y, view.u, view.v, view.strideY, view.strideU, view.strideV, view.width, view.height, 0};
    track_->pushI420(out);
    produced_.fetch_add(1, std::memory_order_relaxed);
    pacer.wait();
  }
}

SyntheticAudioSource::SyntheticAudioSource(std::shared_ptr<LocalAudioTrack> track, double frequencyHz, int amplitude)
    : track_(std::move(track)), frequencyHz_(frequencyHz), amplitude_(amplitude) {}
SyntheticAudioSource::~SyntheticAudioSource() { stop(); }

void SyntheticAudioSource::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { run(); });
}

void SyntheticAudioSource::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

void SyntheticAudioSource::run() {
  const int channels = track_->options().channels;
  media::ToneSource tone(frequencyHz_, amplitude_, channels, 480);
  media::ToneSource quiet(frequencyHz_, 0, channels, 480);
  media::AudioFrame frame;
  Pacer pacer(std::chrono::milliseconds(10));
  while (running_) {
    if (silent_) {
      quiet.next(frame);
    } else {
      tone.next(frame);
    }
    AudioFrameView view{frame.samples().data(), frame.samplesPerChannel(), frame.channels(), 48000, 0};
    track_->pushPcm(view);
    produced_.fetch_add(1, std::memory_order_relaxed);
    pacer.wait();
  }
}

}  // namespace huddle::client
