#pragma once
// Thread-safe: each state guards itself. Internal to huddle_client.
//
// What the public track handles (local_track.h, remote_track.h) share with the media engine.
// The engine owns the pipelines and attaches them here while a track is published or
// subscribed; the handles push into them or read their figures under the state's mutex, so a
// pipeline is never destroyed under a running push.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "client/local_track.h"
#include "client/remote_track.h"
#include "media/audio_frame.h"
#include "media/video_frame.h"

namespace huddle::client {

class VideoSendPipeline;
class AudioSendPipeline;

class LocalTrackState final {
 public:
  LocalTrackState(TrackKind kind, VideoTrackOptions video, AudioTrackOptions audio);

  const TrackKind kind;
  const VideoTrackOptions video;
  const AudioTrackOptions audio;

  // Engine side (network thread). The hook tells the Room about mute changes while published.
  void attach(VideoSendPipeline* video, AudioSendPipeline* audio, std::string sid,
              std::function<void(bool muted)> muteHook);
  // Folds the pipeline's figures into the totals; no push reaches it after this returns.
  void detach();

  // Handle side (any thread).
  bool pushI420(const VideoFrameI420& frame);
  bool pushPacked(const VideoFramePacked& frame);
  bool pushNv12(const VideoFrameNv12& frame);
  bool pushPcm(const AudioFrameView& frame);
  void setMuted(bool muted);
  [[nodiscard]] bool muted() const;
  [[nodiscard]] std::string sid() const;
  [[nodiscard]] bool published() const;
  [[nodiscard]] LocalTrackStats stats() const;
  // Claimed by the Room that publishes it; false when another Room already holds it.
  bool claim(const void* owner);
  void release(const void* owner);

 private:
  [[nodiscard]] LocalTrackStats statsLocked() const;

  mutable std::mutex mutex_;
  VideoSendPipeline* videoPipeline_ = nullptr;
  AudioSendPipeline* audioPipeline_ = nullptr;
  std::function<void(bool)> muteHook_;
  std::string sid_;
  bool muted_ = false;
  const void* owner_ = nullptr;
  LocalTrackStats totals_;   // of pipelines already detached
  std::uint64_t pushed_ = 0;
  std::uint64_t dropped_ = 0;
  media::AudioFrame chunk_;  // one 10 ms piece of a longer push
  media::VideoFrame nv12Scratch_;  // NV12 converted before the pipeline scales it
};

class RemoteTrackState final {
 public:
  RemoteTrackState(TrackKind kind, std::string sid, std::string participantIdentity, std::string participantSid,
                   std::string name, TrackSource source);

  const TrackKind kind;
  const std::string sid;
  const std::string participantIdentity;
  const std::string participantSid;
  const std::string name;
  const TrackSource source;

  void setVideoSink(RemoteVideoTrack::FrameSink sink);
  void setAudioSink(RemoteAudioTrack::FrameSink sink);
  // Engine side: decode thread / audio clock.
  void deliverVideo(const media::I420View& frame);
  void deliverAudio(const media::AudioFrame& frame);
  [[nodiscard]] bool wantsAudio() const { return hasAudioSink_.load(std::memory_order_relaxed); }

  // Subscriber preferences for the server (UpdateTrackSettings); the engine sends them.
  struct Settings {
    bool enabled = true;
    int width = 0;  // 0: no size preference
    int height = 0;
    VideoQuality quality = VideoQuality::High;
  };
  void updateSettings(const std::function<void(Settings&)>& change);
  void setSettingsHook(std::function<void(const Settings&)> hook);

  void publishStats(const RemoteTrackStats& stats);
  [[nodiscard]] RemoteTrackStats stats() const;
  void deactivate() { active_ = false; }
  [[nodiscard]] bool active() const { return active_; }

 private:
  std::mutex sinkMutex_;
  RemoteVideoTrack::FrameSink videoSink_;
  RemoteAudioTrack::FrameSink audioSink_;
  std::atomic<bool> hasAudioSink_{false};
  mutable std::mutex statsMutex_;
  RemoteTrackStats stats_;
  std::atomic<std::int64_t> firstFrameUs_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<bool> active_{true};
  std::mutex settingsMutex_;
  Settings settings_;
  std::function<void(const Settings&)> settingsHook_;
};

}  // namespace huddle::client
