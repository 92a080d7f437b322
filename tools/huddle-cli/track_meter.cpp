#include "track_meter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include "media/analysis.h"
#include "media/synthetic_sources.h"

namespace huddle::cli {
namespace {

constexpr int kRingSeconds = 1;
constexpr int kMaxSampleRate = 48000;
// Below this RMS (16-bit units) a 10 ms frame counts as silence (comfort noise, concealment).
constexpr double kSilenceRms = 300.0;
// Every 8th pixel of every 8th row: enough for a mean, cheap at 1080p.
constexpr int kLumaStep = 8;

// Mean of rows [top, height) of a plane, sampled.
double planeMean(const std::uint8_t* plane, int stride, int width, int height, int top = 0) {
  if (plane == nullptr || width <= 0 || height <= 0) return 0;
  std::uint64_t sum = 0;
  std::uint64_t count = 0;
  for (int y = top; y < height; y += kLumaStep) {
    const std::uint8_t* row = plane + static_cast<std::ptrdiff_t>(y) * stride;
    for (int x = 0; x < width; x += kLumaStep) {
      sum += row[x];
      ++count;
    }
  }
  return count ? static_cast<double>(sum) / static_cast<double>(count) : 0;
}

double msBetween(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Limited-range BT.601, as libyuv and the browsers convert; exact for a flat picture.
std::vector<int> yuvToRgb(double y, double u, double v) {
  const double c = 1.164 * (y - 16);
  const auto clamp = [](double x) { return static_cast<int>(std::lround(std::clamp(x, 0.0, 255.0))); };
  return {clamp(c + 1.596 * (v - 128)), clamp(c - 0.392 * (u - 128) - 0.813 * (v - 128)),
          clamp(c + 2.017 * (u - 128))};
}

double round1(double x) { return std::round(x * 10) / 10; }

}  // namespace

RemoteTrackMeter::RemoteTrackMeter(std::shared_ptr<client::RemoteTrack> track, std::string participantIdentity,
                                   SteadyTime joinStart)
    : track_(std::move(track)),
      participant_(std::move(participantIdentity)),
      kind_(track_->kind()),
      joinStart_(joinStart),
      attachedAt_(std::chrono::steady_clock::now()) {
  if (kind_ == client::TrackKind::Audio) ring_.assign(static_cast<std::size_t>(kRingSeconds * kMaxSampleRate), 0);
}

RemoteTrackMeter::~RemoteTrackMeter() { detach(); }

void RemoteTrackMeter::attach() {
  attachedAt_ = std::chrono::steady_clock::now();
  if (auto* video = dynamic_cast<client::RemoteVideoTrack*>(track_.get())) {
    video->setFrameSink([this](const client::VideoFrameI420& frame) { onVideo(frame); });
  } else if (auto* audio = dynamic_cast<client::RemoteAudioTrack*>(track_.get())) {
    audio->setFrameSink([this](const client::AudioFrameView& frame) { onAudio(frame); });
  }
}

void RemoteTrackMeter::detach() {
  if (auto* video = dynamic_cast<client::RemoteVideoTrack*>(track_.get())) {
    video->setFrameSink(nullptr);
  } else if (auto* audio = dynamic_cast<client::RemoteAudioTrack*>(track_.get())) {
    audio->setFrameSink(nullptr);
  }
}

void RemoteTrackMeter::markUnsubscribed() {
  const std::lock_guard lock(mutex_);
  if (!unsubscribedAt_) unsubscribedAt_ = std::chrono::steady_clock::now();
}

std::uint64_t RemoteTrackMeter::framesSeen() const {
  const std::lock_guard lock(mutex_);
  return frames_;
}

void RemoteTrackMeter::onVideo(const client::VideoFrameI420& frame) {
  const media::I420View view{frame.y,     frame.u,     frame.v,      frame.strideY, frame.strideU,
                             frame.strideV, frame.width, frame.height, 0,             0};
  const auto counter = media::readFrameCounter(view);
  const int chromaWidth = (frame.width + 1) / 2;
  const int chromaHeight = (frame.height + 1) / 2;
  const double y = planeMean(frame.y, frame.strideY, frame.width, frame.height);
  const double u = planeMean(frame.u, frame.strideU, chromaWidth, chromaHeight);
  const double v = planeMean(frame.v, frame.strideV, chromaWidth, chromaHeight);
  // The lower half: where the test pattern has only its bars, never the counter blocks.
  const double lowY = planeMean(frame.y, frame.strideY, frame.width, frame.height, frame.height / 2);
  const double lowU = planeMean(frame.u, frame.strideU, chromaWidth, chromaHeight, chromaHeight / 2);
  const double lowV = planeMean(frame.v, frame.strideV, chromaWidth, chromaHeight, chromaHeight / 2);
  const auto now = std::chrono::steady_clock::now();

  const std::lock_guard lock(mutex_);
  ++frames_;
  if (!firstFrameAt_) firstFrameAt_ = now;
  width_ = frame.width;
  height_ = frame.height;
  meanY_ = y;
  meanU_ = u;
  meanV_ = v;
  lowerY_ = lowY;
  lowerU_ = lowU;
  lowerV_ = lowV;
  if (counter) {
    // The counter wraps at 65536; a step back of less than half the range is a regression.
    if (lastCounter_ && static_cast<std::uint16_t>(*counter - *lastCounter_) > 0x8000) ++counterRegressions_;
    if (!firstCounter_) firstCounter_ = counter;
    lastCounter_ = counter;
    ++framesWithCounter_;
  }
}

void RemoteTrackMeter::onAudio(const client::AudioFrameView& frame) {
  if (frame.samples == nullptr || frame.channels < 1 || frame.samplesPerChannel <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  double squares = 0;
  const std::lock_guard lock(mutex_);
  for (int i = 0; i < frame.samplesPerChannel; ++i) {
    const std::int16_t s = frame.samples[static_cast<std::size_t>(i * frame.channels)];
    squares += static_cast<double>(s) * s;
    ring_[ringPos_] = s;
    ringPos_ = (ringPos_ + 1) % ring_.size();
  }
  ringFilled_ = std::min(ring_.size(), ringFilled_ + static_cast<std::size_t>(frame.samplesPerChannel));
  if (std::sqrt(squares / frame.samplesPerChannel) > kSilenceRms) ++nonSilentFrames_;
  ++frames_;
  if (!firstFrameAt_) firstFrameAt_ = now;
  channels_ = frame.channels;
  sampleRate_ = frame.sampleRate;
}

std::vector<std::int16_t> RemoteTrackMeter::audioSamples() const {
  std::vector<std::int16_t> out(ringFilled_);
  const std::size_t start = (ringPos_ + ring_.size() - ringFilled_) % std::max<std::size_t>(1, ring_.size());
  for (std::size_t i = 0; i < ringFilled_; ++i) out[i] = ring_[(start + i) % ring_.size()];
  return out;
}

nlohmann::json RemoteTrackMeter::report() const {
  const auto stats = track_->stats();
  const auto now = std::chrono::steady_clock::now();
  nlohmann::json out{
      {"participant", participant_},
      {"participantSid", track_->participantSid()},
      {"trackSid", track_->sid()},
      {"kind", client::toString(kind_)},
      {"name", track_->name()},
      {"source", client::toString(track_->source())},
      {"framesDecoded", stats.framesDecoded},
      {"framesDropped", stats.framesDropped},
      {"packetsReceived", stats.packetsReceived},
      {"bytesReceived", stats.bytesReceived},
      {"packetsLost", stats.packetsLost},
      {"packetsRecovered", stats.packetsRecovered},
      {"nacksSent", stats.nacksSent},
      {"keyframesRequested", stats.keyframesRequested},
      {"freezes", stats.freezes},
      {"freezeSeconds", stats.freezeSeconds},
      {"bitrateBps", std::lround(stats.bitrateBps)},
  };
  const std::lock_guard lock(mutex_);
  out["framesSeen"] = frames_;
  out["subscribedMs"] = std::lround(msBetween(joinStart_, attachedAt_));
  const SteadyTime end = unsubscribedAt_.value_or(now);
  if (firstFrameAt_) {
    out["firstFrameMs"] = std::lround(msBetween(joinStart_, *firstFrameAt_));
    out["firstFrameAfterSubscribeMs"] = std::lround(msBetween(attachedAt_, *firstFrameAt_));
    const double seconds = msBetween(*firstFrameAt_, end) / 1000.0;
    out["avgBitrateBps"] = seconds > 0.5 ? std::lround(static_cast<double>(stats.bytesReceived) * 8 / seconds) : 0;
  } else {
    out["firstFrameMs"] = nullptr;
    out["firstFrameAfterSubscribeMs"] = nullptr;
    out["avgBitrateBps"] = 0;
  }
  out["unsubscribed"] = unsubscribedAt_.has_value();
  if (kind_ == client::TrackKind::Video) {
    out["width"] = width_;
    out["height"] = height_;
    out["framesWithCounter"] = framesWithCounter_;
    out["firstFrameCounter"] = firstCounter_ ? nlohmann::json(*firstCounter_) : nlohmann::json(nullptr);
    out["lastFrameCounter"] = lastCounter_ ? nlohmann::json(*lastCounter_) : nlohmann::json(nullptr);
    out["counterRegressions"] = counterRegressions_;
    out["meanLuma"] = round1(meanY_);
    out["meanU"] = round1(meanU_);
    out["meanV"] = round1(meanV_);
    out["meanRgb"] = frames_ ? yuvToRgb(meanY_, meanU_, meanV_) : std::vector<int>{};
    out["lowerHalfMeanRgb"] = frames_ ? yuvToRgb(lowerY_, lowerU_, lowerV_) : std::vector<int>{};
  } else if (kind_ == client::TrackKind::Audio) {
    const auto samples = audioSamples();
    const int rate = sampleRate_ > 0 ? sampleRate_ : kMaxSampleRate;
    const double rms = rmsLevel(samples);
    out["channels"] = channels_;
    out["sampleRate"] = rate;
    out["nonSilentFrames"] = nonSilentFrames_;
    out["concealedSamples"] = stats.concealedSamples;
    out["samplesAnalysed"] = samples.size();
    // Needs a tenth of a second at least for a meaningful pitch.
    const bool enough = samples.size() >= static_cast<std::size_t>(rate / 10);
    out["dominantHz"] = enough ? nlohmann::json(round1(dominantFrequency(samples, rate))) : nlohmann::json(nullptr);
    out["zeroCrossingHz"] = enough ? nlohmann::json(round1(zeroCrossingFrequency(samples, rate))) : nlohmann::json(nullptr);
    out["rms"] = std::round(rms * 10000) / 10000;
    out["rmsDbfs"] = rms > 0 ? round1(20 * std::log10(rms)) : -120.0;
  }
  return out;
}

std::string RemoteTrackMeter::tableRow() const {
  const auto r = report();
  char detail[160];
  if (kind_ == client::TrackKind::Video) {
    const std::string counter = r["lastFrameCounter"].is_null() ? "-" : std::to_string(r["lastFrameCounter"].get<int>());
    std::snprintf(detail, sizeof detail, "%dx%d luma %.0f counter %s", r["width"].get<int>(), r["height"].get<int>(),
                  r["meanLuma"].get<double>(), counter.c_str());
  } else {
    const double hz = r["dominantHz"].is_null() ? 0.0 : r["dominantHz"].get<double>();
    std::snprintf(detail, sizeof detail, "%.1f Hz, %.1f dBFS", hz, r["rmsDbfs"].get<double>());
  }
  const std::string first = r["firstFrameMs"].is_null() ? "-" : std::to_string(r["firstFrameMs"].get<long>());
  char line[400];
  std::snprintf(line, sizeof line, "%-16s %-5s %-16s %8llu %8.0f %6llu %6llu %8s  %s", participant_.c_str(),
                client::toString(kind_), track_->sid().c_str(),
                static_cast<unsigned long long>(r["framesDecoded"].get<std::uint64_t>()),
                r["avgBitrateBps"].get<double>() / 1000.0,
                static_cast<unsigned long long>(r["packetsLost"].get<std::uint64_t>()),
                static_cast<unsigned long long>(r["freezes"].get<std::uint64_t>()), first.c_str(), detail);
  return line;
}

double dominantFrequency(const std::vector<std::int16_t>& samples, int sampleRate) {
  if (samples.empty() || sampleRate <= 0) return 0;
  // 50 ms: Goertzel bins about 20 Hz wide, so a 5 Hz scan lands inside the peak's main lobe.
  const std::size_t tail = std::min(samples.size(), static_cast<std::size_t>(sampleRate / 20));
  const std::span<const std::int16_t> all(samples);
  const double coarse = media::dominantFrequencyHz(all.last(tail), 1, sampleRate, 50.0, 4000.0, 5.0);
  return media::dominantFrequencyHz(all, 1, sampleRate, std::max(20.0, coarse - 15.0), coarse + 15.0, 0.5);
}

double zeroCrossingFrequency(const std::vector<std::int16_t>& samples, int sampleRate) {
  if (samples.size() < 2 || sampleRate <= 0) return 0;
  std::size_t crossings = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    if ((samples[i - 1] < 0) != (samples[i] < 0)) ++crossings;
  }
  const double seconds = static_cast<double>(samples.size() - 1) / sampleRate;
  return static_cast<double>(crossings) / 2.0 / seconds;
}

double rmsLevel(const std::vector<std::int16_t>& samples) {
  if (samples.empty()) return 0;
  double squares = 0;
  for (const auto s : samples) squares += static_cast<double>(s) * s;
  return std::sqrt(squares / static_cast<double>(samples.size())) / 32768.0;
}

}  // namespace huddle::cli
