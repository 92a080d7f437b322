#pragma once
// VP8 decoding with libvpx. Not thread-safe: one thread drives a decoder (the codec thread of
// a RemoteVideoTrack). Bad input is an error value, never a crash.

#include <cstdint>
#include <memory>
#include <span>

#include "media/media_error.h"
#include "media/video_frame.h"

namespace huddle::media {

struct Vp8DecoderStats {
  std::uint64_t framesDecoded = 0;
  std::uint64_t framesRejected = 0;  // corrupt, undecodable, or a delta frame without a reference
};

class Vp8Decoder final {
 public:
  // Keyframes claiming a larger width or height than maxDimension are refused before libvpx
  // sizes its buffers for them.
  static constexpr int kMaxDimension = 4096;
  [[nodiscard]] static MediaResult<std::unique_ptr<Vp8Decoder>> create(int threads = 1,
                                                                       int maxDimension = kMaxDimension);
  ~Vp8Decoder();
  Vp8Decoder(const Vp8Decoder&) = delete;
  Vp8Decoder& operator=(const Vp8Decoder&) = delete;

  // Decodes one complete frame. The picture is libvpx's own buffer (no copy), valid until the
  // next decode(); copy it into a VideoFrame to keep or hand it to another thread. Errors: CorruptInput (the caller should ask for a keyframe), or
  // WaitingForKeyframe when a delta frame arrives with no good reference (at start or after an
  // error).
  [[nodiscard]] MediaResult<I420View> decode(std::span<const std::uint8_t> data,
                                                      std::uint32_t rtpTimestamp = 0, std::int64_t captureTimeUs = 0);
  [[nodiscard]] const Vp8DecoderStats& stats() const noexcept;

 private:
  struct Impl;
  explicit Vp8Decoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The frame header of a VP8 keyframe (RFC 6386 9.1): true with its size, or false for a delta
// frame or bytes too short to tell.
struct Vp8KeyframeInfo {
  int width = 0;
  int height = 0;
};
[[nodiscard]] bool parseVp8Keyframe(std::span<const std::uint8_t> frame, Vp8KeyframeInfo* info = nullptr) noexcept;

}  // namespace huddle::media
