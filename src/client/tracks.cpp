#include <algorithm>

#include "client/track_state.h"

namespace huddle::client {

// ---- LocalTrack -------------------------------------------------------------------------------

TrackKind LocalTrack::kind() const noexcept { return state_->kind; }
const std::string& LocalTrack::name() const noexcept {
  return state_->kind == TrackKind::Video ? state_->video.name : state_->audio.name;
}
TrackSource LocalTrack::source() const noexcept {
  return state_->kind == TrackKind::Video ? state_->video.source : state_->audio.source;
}
std::string LocalTrack::sid() const { return state_->sid(); }
bool LocalTrack::published() const { return state_->published(); }
void LocalTrack::setMuted(bool muted) { state_->setMuted(muted); }
bool LocalTrack::muted() const { return state_->muted(); }
LocalTrackStats LocalTrack::stats() const { return state_->stats(); }

std::shared_ptr<LocalVideoTrack> LocalVideoTrack::create(VideoTrackOptions options) {
  auto state = std::make_shared<LocalTrackState>(TrackKind::Video, std::move(options), AudioTrackOptions{});
  return std::shared_ptr<LocalVideoTrack>(new LocalVideoTrack(std::move(state)));
}
const VideoTrackOptions& LocalVideoTrack::options() const noexcept { return state_->video; }
bool LocalVideoTrack::pushI420(const VideoFrameI420& frame) { return state_->pushI420(frame); }
bool LocalVideoTrack::pushPacked(const VideoFramePacked& frame) { return state_->pushPacked(frame); }
bool LocalVideoTrack::pushNv12(const VideoFrameNv12& frame) { return state_->pushNv12(frame); }

std::shared_ptr<LocalAudioTrack> LocalAudioTrack::create(AudioTrackOptions options) {
  auto state = std::make_shared<LocalTrackState>(TrackKind::Audio, VideoTrackOptions{}, std::move(options));
  return std::shared_ptr<LocalAudioTrack>(new LocalAudioTrack(std::move(state)));
}
const AudioTrackOptions& LocalAudioTrack::options() const noexcept { return state_->audio; }
bool LocalAudioTrack::pushPcm(const AudioFrameView& frame) { return state_->pushPcm(frame); }

// ---- RemoteTrack ------------------------------------------------------------------------------

TrackKind RemoteTrack::kind() const noexcept { return state_->kind; }
const std::string& RemoteTrack::sid() const noexcept { return state_->sid; }
const std::string& RemoteTrack::participantIdentity() const noexcept { return state_->participantIdentity; }
const std::string& RemoteTrack::participantSid() const noexcept { return state_->participantSid; }
const std::string& RemoteTrack::name() const noexcept { return state_->name; }
TrackSource RemoteTrack::source() const noexcept { return state_->source; }
RemoteTrackStats RemoteTrack::stats() const { return state_->stats(); }
bool RemoteTrack::active() const { return state_->active(); }

void RemoteVideoTrack::setFrameSink(FrameSink sink) { state_->setVideoSink(std::move(sink)); }
void RemoteVideoTrack::setEnabled(bool enabled) {
  state_->updateSettings([enabled](RemoteTrackState::Settings& s) { s.enabled = enabled; });
}
void RemoteVideoTrack::setVideoDimensions(int width, int height) {
  state_->updateSettings([width, height](RemoteTrackState::Settings& s) {
    s.width = std::max(0, width);
    s.height = std::max(0, height);
  });
}
void RemoteVideoTrack::setVideoQuality(VideoQuality quality) {
  state_->updateSettings([quality](RemoteTrackState::Settings& s) {
    s.quality = quality;
    s.width = 0;
    s.height = 0;
  });
}
void RemoteAudioTrack::setFrameSink(FrameSink sink) { state_->setAudioSink(std::move(sink)); }

}  // namespace huddle::client
