#include "client/track_state.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "client/pipeline/audio_send_pipeline.h"
#include "client/pipeline/video_send_pipeline.h"
#include "media/convert.h"

namespace huddle::client {

namespace {

std::int64_t steadyNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---- LocalTrackState --------------------------------------------------------------------------

LocalTrackState::LocalTrackState(TrackKind trackKind, VideoTrackOptions videoOptions, AudioTrackOptions audioOptions)
    : kind(trackKind), video(std::move(videoOptions)), audio(std::move(audioOptions)) {}

void LocalTrackState::attach(VideoSendPipeline* videoPipeline, AudioSendPipeline* audioPipeline, std::string sid,
                             std::function<void(bool)> muteHook) {
  std::lock_guard lock(mutex_);
  videoPipeline_ = videoPipeline;
  audioPipeline_ = audioPipeline;
  sid_ = std::move(sid);
  muteHook_ = std::move(muteHook);
  if (audioPipeline_ != nullptr) audioPipeline_->setMuted(muted_);
}

void LocalTrackState::detach() {
  std::lock_guard lock(mutex_);
  totals_ = statsLocked();
  totals_.framesPushed = 0;
  totals_.framesDropped = 0;
  videoPipeline_ = nullptr;
  audioPipeline_ = nullptr;
  muteHook_ = nullptr;
  sid_.clear();
}

bool LocalTrackState::pushI420(const VideoFrameI420& frame) {
  std::lock_guard lock(mutex_);
  ++pushed_;
  if (videoPipeline_ == nullptr || muted_) {
    ++dropped_;
    return false;
  }
  media::I420View view;
  view.y = frame.y;
  view.u = frame.u;
  view.v = frame.v;
  view.strideY = frame.strideY;
  view.strideU = frame.strideU;
  view.strideV = frame.strideV;
  view.width = frame.width;
  view.height = frame.height;
  view.captureTimeUs = frame.timestampUs != 0 ? frame.timestampUs : steadyNowUs();
  if (!videoPipeline_->pushI420(view)) {
    ++dropped_;
    return false;
  }
  return true;
}

bool LocalTrackState::pushPacked(const VideoFramePacked& frame) {
  std::lock_guard lock(mutex_);
  ++pushed_;
  if (videoPipeline_ == nullptr || muted_) {
    ++dropped_;
    return false;
  }
  media::PackedImage image;
  image.data = frame.data;
  image.stride = frame.stride;
  image.width = frame.width;
  image.height = frame.height;
  image.format = frame.format == PixelFormat::Rgba   ? media::PackedFormat::Rgba
                 : frame.format == PixelFormat::Bgra ? media::PackedFormat::Bgra
                                                     : media::PackedFormat::Argb;
  if (!videoPipeline_->pushPacked(image, frame.timestampUs != 0 ? frame.timestampUs : steadyNowUs())) {
    ++dropped_;
    return false;
  }
  return true;
}

bool LocalTrackState::pushNv12(const VideoFrameNv12& frame) {
  std::lock_guard lock(mutex_);
  ++pushed_;
  if (videoPipeline_ == nullptr || muted_) {
    ++dropped_;
    return false;
  }
  media::Nv12Image image;
  image.y = frame.y;
  image.strideY = frame.strideY;
  image.uv = frame.uv;
  image.strideUV = frame.strideUV;
  image.width = frame.width;
  image.height = frame.height;
  // The buffer is kept between pushes: a steady camera does not allocate.
  if (!media::nv12ToI420(image, nv12Scratch_).ok()) {
    ++dropped_;
    return false;
  }
  nv12Scratch_.setCaptureTimeUs(frame.timestampUs != 0 ? frame.timestampUs : steadyNowUs());
  if (!videoPipeline_->pushI420(nv12Scratch_.view())) {
    ++dropped_;
    return false;
  }
  return true;
}

bool LocalTrackState::pushPcm(const AudioFrameView& frame) {
  constexpr int kPer10ms = AudioSendPipeline::kSamplesPer10ms;
  std::lock_guard lock(mutex_);
  ++pushed_;
  const bool shapeOk = frame.samples != nullptr && frame.sampleRate == 48000 && frame.channels == audio.channels &&
                       frame.samplesPerChannel > 0 && frame.samplesPerChannel % kPer10ms == 0;
  if (!shapeOk || audioPipeline_ == nullptr) {
    ++dropped_;
    return false;
  }
  // Muted audio still goes in: the pipeline keeps the RTP clock running and sends nothing.
  const auto now = std::chrono::steady_clock::now();
  const std::int64_t baseUs = frame.timestampUs != 0 ? frame.timestampUs : steadyNowUs();
  bool ok = true;
  for (int offset = 0; offset < frame.samplesPerChannel; offset += kPer10ms) {
    chunk_.reset(frame.channels, kPer10ms);
    std::memcpy(chunk_.samples().data(), frame.samples + static_cast<std::ptrdiff_t>(offset) * frame.channels,
                sizeof(std::int16_t) * static_cast<std::size_t>(kPer10ms * frame.channels));
    chunk_.setCaptureTimeUs(baseUs + offset * 1000000LL / 48000);
    ok = audioPipeline_->push10ms(chunk_, now + std::chrono::microseconds(offset * 1000000LL / 48000)) && ok;
  }
  if (!ok) ++dropped_;
  return ok;
}

void LocalTrackState::setMuted(bool muted) {
  std::function<void(bool)> hook;
  {
    std::lock_guard lock(mutex_);
    if (muted_ == muted) return;
    muted_ = muted;
    if (audioPipeline_ != nullptr) audioPipeline_->setMuted(muted);
    hook = muteHook_;
  }
  if (hook) hook(muted);
}

bool LocalTrackState::muted() const {
  std::lock_guard lock(mutex_);
  return muted_;
}

std::string LocalTrackState::sid() const {
  std::lock_guard lock(mutex_);
  return sid_;
}

bool LocalTrackState::published() const {
  std::lock_guard lock(mutex_);
  return !sid_.empty();
}

LocalTrackStats LocalTrackState::stats() const {
  std::lock_guard lock(mutex_);
  return statsLocked();
}

LocalTrackStats LocalTrackState::statsLocked() const {
  LocalTrackStats s = totals_;
  s.framesPushed = pushed_;
  s.framesDropped = dropped_;
  auto addStream = [&s](const RtpSendStreamStats& st) {
    s.packetsSent += st.packets;
    s.bytesSent += st.payloadOctets;
    s.packetsRetransmitted += st.retransmittedPackets;
    s.keyframeRequests += st.keyframeRequests;
  };
  if (videoPipeline_ != nullptr) {
    const auto p = videoPipeline_->stats();
    s.framesDropped += p.framesDropped + p.framesRejected;
    for (int l = 0; l < videoPipeline_->layerCount(); ++l) {
      s.framesEncoded += p.framesEncoded[static_cast<std::size_t>(l)];
      addStream(videoPipeline_->streamStats(l));
    }
  }
  if (audioPipeline_ != nullptr) {
    const auto p = audioPipeline_->stats();
    s.framesEncoded += p.packetsSent;
    addStream(audioPipeline_->streamStats());
  }
  return s;
}

bool LocalTrackState::claim(const void* owner) {
  std::lock_guard lock(mutex_);
  if (owner_ != nullptr && owner_ != owner) return false;
  if (owner_ == owner) return false;  // already published by this Room
  owner_ = owner;
  return true;
}

void LocalTrackState::release(const void* owner) {
  std::lock_guard lock(mutex_);
  if (owner_ == owner) owner_ = nullptr;
}

// ---- RemoteTrackState -------------------------------------------------------------------------

RemoteTrackState::RemoteTrackState(TrackKind trackKind, std::string trackSid, std::string identity,
                                   std::string participant, std::string trackName, TrackSource trackSource)
    : kind(trackKind),
      sid(std::move(trackSid)),
      participantIdentity(std::move(identity)),
      participantSid(std::move(participant)),
      name(std::move(trackName)),
      source(trackSource) {}

void RemoteTrackState::setVideoSink(RemoteVideoTrack::FrameSink sink) {
  std::lock_guard lock(sinkMutex_);
  videoSink_ = std::move(sink);
}

void RemoteTrackState::setAudioSink(RemoteAudioTrack::FrameSink sink) {
  std::lock_guard lock(sinkMutex_);
  audioSink_ = std::move(sink);
  hasAudioSink_ = static_cast<bool>(audioSink_);
}

void RemoteTrackState::deliverVideo(const media::I420View& frame) {
  std::int64_t expected = 0;
  firstFrameUs_.compare_exchange_strong(expected, steadyNowUs());
  delivered_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(sinkMutex_);
  if (!videoSink_) return;
  VideoFrameI420 out;
  out.y = frame.y;
  out.u = frame.u;
  out.v = frame.v;
  out.strideY = frame.strideY;
  out.strideU = frame.strideU;
  out.strideV = frame.strideV;
  out.width = frame.width;
  out.height = frame.height;
  out.timestampUs = frame.captureTimeUs;
  videoSink_(out);
}

void RemoteTrackState::deliverAudio(const media::AudioFrame& frame) {
  std::int64_t expected = 0;
  firstFrameUs_.compare_exchange_strong(expected, steadyNowUs());
  delivered_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(sinkMutex_);
  if (!audioSink_) return;
  AudioFrameView out;
  out.samples = frame.samples().data();
  out.samplesPerChannel = frame.samplesPerChannel();
  out.channels = frame.channels();
  out.sampleRate = frame.sampleRate();
  out.timestampUs = frame.captureTimeUs();
  audioSink_(out);
}

void RemoteTrackState::updateSettings(const std::function<void(Settings&)>& change) {
  std::function<void(const Settings&)> hook;
  Settings now;
  {
    std::lock_guard lock(settingsMutex_);
    change(settings_);
    now = settings_;
    hook = settingsHook_;
  }
  if (hook) hook(now);
}

void RemoteTrackState::setSettingsHook(std::function<void(const Settings&)> hook) {
  std::lock_guard lock(settingsMutex_);
  settingsHook_ = std::move(hook);
}

void RemoteTrackState::publishStats(const RemoteTrackStats& stats) {
  std::lock_guard lock(statsMutex_);
  stats_ = stats;
}

RemoteTrackStats RemoteTrackState::stats() const {
  std::lock_guard lock(statsMutex_);
  RemoteTrackStats s = stats_;
  s.firstFrameUs = firstFrameUs_.load();
  return s;
}

}  // namespace huddle::client
