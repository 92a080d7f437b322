#pragma once
// Thread-safe: push*() from any one thread at a time per track (the capture thread); the rest
// from any thread.
//
// Tracks the application publishes. A track is created on its own, fed by the application (or a
// synthetic source, see synthetic_source.h) and published with LocalParticipant::publishTrack.
// Frames pushed while the track is not published, or while it is muted, are counted and
// dropped; pushing never blocks on the network or on the encoder.

#include <cstdint>
#include <memory>
#include <string>

#include "client/media_frames.h"
#include "client/track_publication.h"

namespace huddle::client {

class LocalTrackState;  // internal

struct VideoTrackOptions {
  std::string name = "camera";
  TrackSource source = TrackSource::Camera;
  // The size of the top layer; pushed frames of another size are scaled to it.
  int width = 1280;
  int height = 720;
  int fps = 30;
  // Publish three layers (quarter, half and full size) instead of one, as LiveKit clients do
  // for cameras. Frames smaller than 640 pixels wide get one layer regardless.
  bool simulcast = true;
  // Bitrate of the top layer in kbps; 0 picks one from the size (LiveKit's presets).
  int maxBitrateKbps = 0;
};

struct AudioTrackOptions {
  std::string name = "microphone";
  TrackSource source = TrackSource::Microphone;
  int channels = 1;  // 1 or 2
  int bitrateBps = 32000;
};

struct LocalTrackStats {
  std::uint64_t framesPushed = 0;
  std::uint64_t framesDropped = 0;  // not published, muted, encoder behind, or rejected input
  std::uint64_t framesEncoded = 0;  // all layers
  std::uint64_t packetsSent = 0;
  std::uint64_t bytesSent = 0;      // payload octets, first sends
  std::uint64_t packetsRetransmitted = 0;
  std::uint64_t keyframeRequests = 0;
};

class LocalTrack {
 public:
  virtual ~LocalTrack() = default;
  [[nodiscard]] TrackKind kind() const noexcept;
  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] TrackSource source() const noexcept;
  // TR_... once published, else empty.
  [[nodiscard]] std::string sid() const;
  [[nodiscard]] bool published() const;
  // Muting stops sending media and tells the room (others see onTrackMuted). Allowed before
  // publishing: the track is then published muted.
  void setMuted(bool muted);
  [[nodiscard]] bool muted() const;
  [[nodiscard]] LocalTrackStats stats() const;

  // Internal.
  [[nodiscard]] const std::shared_ptr<LocalTrackState>& state() const noexcept { return state_; }

 protected:
  explicit LocalTrack(std::shared_ptr<LocalTrackState> state) : state_(std::move(state)) {}
  std::shared_ptr<LocalTrackState> state_;
};

class LocalVideoTrack final : public LocalTrack {
 public:
  [[nodiscard]] static std::shared_ptr<LocalVideoTrack> create(VideoTrackOptions options = {});
  [[nodiscard]] const VideoTrackOptions& options() const noexcept;

  // The frame is copied (and scaled) before the call returns. False when dropped.
  bool pushI420(const VideoFrameI420& frame);
  bool pushPacked(const VideoFramePacked& frame);
  bool pushNv12(const VideoFrameNv12& frame);

 private:
  explicit LocalVideoTrack(std::shared_ptr<LocalTrackState> state) : LocalTrack(std::move(state)) {}
};

class LocalAudioTrack final : public LocalTrack {
 public:
  [[nodiscard]] static std::shared_ptr<LocalAudioTrack> create(AudioTrackOptions options = {});
  [[nodiscard]] const AudioTrackOptions& options() const noexcept;

  // 48 kHz with the track's channel count, any multiple of 10 ms (480 samples per channel).
  // False when dropped or refused (another rate, layout or length).
  bool pushPcm(const AudioFrameView& frame);

 private:
  explicit LocalAudioTrack(std::shared_ptr<LocalTrackState> state) : LocalTrack(std::move(state)) {}
};

}  // namespace huddle::client
