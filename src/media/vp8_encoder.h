#pragma once
// VP8 encoding with libvpx in real-time mode, plus a simulcast encoder built from several.
// Not thread-safe: one thread drives an encoder (the codec thread of a LocalVideoTrack).

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "media/media_error.h"
#include "media/video_frame.h"

namespace huddle::media {

struct Vp8EncoderConfig {
  int width = 640;
  int height = 360;
  int fps = 30;
  int targetBitrateKbps = 800;
  // libvpx cpu-used for real time (-16..16; higher is faster, lower quality); -6 is what
  // real-time senders commonly pick on desktop CPUs.
  int speed = -6;
  int threads = 1;
  // Frames between automatic keyframes; keyframes otherwise come on request (PLI/FIR).
  int keyframeInterval = 3000;
};

// One encoded frame; data points into the encoder's buffer and is valid until its next encode().
struct EncodedVideoFrame {
  std::span<const std::uint8_t> data;
  bool keyframe = false;
  int width = 0;
  int height = 0;
  std::int64_t captureTimeUs = 0;
  std::uint32_t rtpTimestamp = 0;
};

class Vp8Encoder final {
 public:
  [[nodiscard]] static MediaResult<std::unique_ptr<Vp8Encoder>> create(const Vp8EncoderConfig& config);
  ~Vp8Encoder();
  Vp8Encoder(const Vp8Encoder&) = delete;
  Vp8Encoder& operator=(const Vp8Encoder&) = delete;

  // The frame must have the configured size (scale it first); any strides will do. Rate control may skip a frame
  // under pressure: the result then has empty data. A pending requestKeyframe() is honoured too.
  [[nodiscard]] MediaResult<EncodedVideoFrame> encode(const I420View& frame, bool forceKeyframe = false);
  // The next encode() produces a keyframe (a PLI/FIR from a receiver).
  void requestKeyframe() noexcept;
  [[nodiscard]] MediaResult<Ok> setTargetBitrate(int kbps);
  [[nodiscard]] const Vp8EncoderConfig& config() const noexcept;

 private:
  struct Impl;
  explicit Vp8Encoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Up to three spatial layers from one input: quarter, half and full size (LiveKit's rids
// "q", "h", "f", in that order: index 0 is the smallest).
struct SimulcastConfig {
  int width = 1280;
  int height = 720;
  int fps = 30;
  int layers = 3;  // 1..3; with fewer, the smallest layers are left out
  // Per layer, smallest first; defaults follow LiveKit's presets for 720p.
  std::array<int, 3> bitratesKbps{150, 500, 1700};
  int speed = -6;
};

class SimulcastVp8Encoder final {
 public:
  static constexpr int kMaxLayers = 3;

  [[nodiscard]] static MediaResult<std::unique_ptr<SimulcastVp8Encoder>> create(const SimulcastConfig& config);
  ~SimulcastVp8Encoder();
  SimulcastVp8Encoder(const SimulcastVp8Encoder&) = delete;
  SimulcastVp8Encoder& operator=(const SimulcastVp8Encoder&) = delete;

  // Encodes every layer from one full-size frame; span of layerCount() frames, smallest first,
  // valid until the next encode().
  [[nodiscard]] MediaResult<std::span<const EncodedVideoFrame>> encode(const I420View& frame,
                                                                       bool forceKeyframe = false);
  void requestKeyframe(int layer) noexcept;
  [[nodiscard]] int layerCount() const noexcept;
  [[nodiscard]] int layerWidth(int layer) const noexcept;
  [[nodiscard]] int layerHeight(int layer) const noexcept;

 private:
  struct Impl;
  explicit SimulcastVp8Encoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace huddle::media
