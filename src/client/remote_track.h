#pragma once
// Thread-safe. Frame sinks run on the SDK's media threads (video: the track's decode thread;
// audio: the Room's audio clock), never on the application's executor: a sink must copy what it
// needs and return quickly. Setting a sink (or nullptr) waits for a running sink call to end,
// so after setFrameSink(nullptr) returns no call is in progress (so it must not be called from
// inside the sink itself).
//
// Tracks of other participants, handed to RoomDelegate::onTrackSubscribed. A track stops
// delivering when it is unsubscribed (onTrackUnsubscribed) or the room disconnects; the object
// stays valid for as long as the application holds it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client/media_frames.h"
#include "client/track_publication.h"

namespace huddle::client {

class RemoteTrackState;  // internal

struct RemoteTrackStats {
  std::uint64_t packetsReceived = 0;
  std::uint64_t bytesReceived = 0;
  std::uint64_t packetsLost = 0;       // given up after NACKs (video) or never arrived (audio)
  std::uint64_t packetsRecovered = 0;  // by NACK (video) or FEC (audio)
  std::uint64_t nacksSent = 0;
  std::uint64_t keyframesRequested = 0;
  std::uint64_t framesDecoded = 0;  // video frames, or 10 ms audio frames delivered
  std::uint64_t framesDropped = 0;
  std::uint64_t freezes = 0;        // video: a frame came at least 3x the usual interval late
  double freezeSeconds = 0;
  std::uint64_t concealedSamples = 0;  // audio
  int width = 0;                       // video: the last decoded size
  int height = 0;
  double bitrateBps = 0;  // average over the last stats interval (about a second)
  std::int64_t firstFrameUs = 0;  // steady clock when the first frame was delivered; 0: none yet
};

class RemoteTrack {
 public:
  virtual ~RemoteTrack() = default;
  [[nodiscard]] TrackKind kind() const noexcept;
  [[nodiscard]] const std::string& sid() const noexcept;
  [[nodiscard]] const std::string& participantIdentity() const noexcept;
  [[nodiscard]] const std::string& participantSid() const noexcept;
  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] TrackSource source() const noexcept;
  [[nodiscard]] RemoteTrackStats stats() const;
  // False once unsubscribed or the room disconnected.
  [[nodiscard]] bool active() const;

  // Internal.
  [[nodiscard]] const std::shared_ptr<RemoteTrackState>& state() const noexcept { return state_; }

 protected:
  explicit RemoteTrack(std::shared_ptr<RemoteTrackState> state) : state_(std::move(state)) {}
  std::shared_ptr<RemoteTrackState> state_;
};

class RemoteVideoTrack final : public RemoteTrack {
 public:
  using FrameSink = std::function<void(const VideoFrameI420& frame)>;
  explicit RemoteVideoTrack(std::shared_ptr<RemoteTrackState> state) : RemoteTrack(std::move(state)) {}
  void setFrameSink(FrameSink sink);

  // What the application shows (LiveKit's adaptive stream, by hand): the server then forwards
  // the simulcast layer that fits and stops sending a disabled track. Tiles of a grid call
  // setVideoDimensions as they resize; a hidden tile calls setEnabled(false).
  void setEnabled(bool enabled);
  void setVideoDimensions(int width, int height);
  void setVideoQuality(VideoQuality quality);
};

class RemoteAudioTrack final : public RemoteTrack {
 public:
  // 10 ms of 48 kHz PCM at a time, in real time (the jitter buffer's output).
  using FrameSink = std::function<void(const AudioFrameView& frame)>;
  explicit RemoteAudioTrack(std::shared_ptr<RemoteTrackState> state) : RemoteTrack(std::move(state)) {}
  void setFrameSink(FrameSink sink);
};

}  // namespace huddle::client
