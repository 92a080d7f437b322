#pragma once
// Pixel-format conversion and scaling (libyuv underneath). Pure, any thread; each call writes
// only the frame or buffer it is given.

#include <cstdint>

#include "media/media_error.h"
#include "media/video_frame.h"

namespace huddle::media {

// Packed 32-bit formats, named by their byte order in memory (so Rgba is R, G, B, A at
// increasing addresses: what browsers, Qt's Format_RGBA8888 and most image files use).
enum class PackedFormat { Rgba, Bgra, Argb };

// A packed image the caller owns; stride in bytes.
struct PackedImage {
  const std::uint8_t* data = nullptr;
  int stride = 0;
  int width = 0;
  int height = 0;
  PackedFormat format = PackedFormat::Rgba;
};

// Semi-planar NV12 (camera and hardware decoder output): a Y plane and an interleaved UV plane.
struct Nv12Image {
  const std::uint8_t* y = nullptr;
  int strideY = 0;
  const std::uint8_t* uv = nullptr;
  int strideUV = 0;
  int width = 0;
  int height = 0;
};

// Resizes out to the image's size (reusing its buffer) and converts. Timestamps are untouched.
[[nodiscard]] MediaResult<Ok> packedToI420(const PackedImage& in, VideoFrame& out);
[[nodiscard]] MediaResult<Ok> nv12ToI420(const Nv12Image& in, VideoFrame& out);
// Writes frame.width x frame.height pixels into dst, which must hold stride * height bytes.
[[nodiscard]] MediaResult<Ok> i420ToPacked(const I420View& frame, PackedFormat format, std::uint8_t* dst,
                                           int dstStride);
// Scales src into dst at width x height (box filter: what simulcast downscaling wants) and
// carries the timestamps over.
[[nodiscard]] MediaResult<Ok> scaleI420(const I420View& src, VideoFrame& dst, int width, int height);

}  // namespace huddle::media
