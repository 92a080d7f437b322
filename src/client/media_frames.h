#pragma once
// Plain views, any thread. A view borrows its pixels or samples: they belong to the caller and
// are valid only during the call that hands the view over.
//
// The frame types an application exchanges with the SDK, free of any codec or library header.

#include <cstdint>

namespace huddle::client {

// Planar YUV 4:2:0 (what cameras, libyuv and VP8 use).
struct VideoFrameI420 {
  const std::uint8_t* y = nullptr;
  const std::uint8_t* u = nullptr;
  const std::uint8_t* v = nullptr;
  int strideY = 0;
  int strideU = 0;
  int strideV = 0;
  int width = 0;
  int height = 0;
  // Capture time on a steady clock; 0 lets the SDK stamp the frame when it is pushed.
  std::int64_t timestampUs = 0;
};

// Semi-planar YUV 4:2:0 (V4L2 cameras, hardware decoders): a Y plane and interleaved U/V.
struct VideoFrameNv12 {
  const std::uint8_t* y = nullptr;
  const std::uint8_t* uv = nullptr;
  int strideY = 0;
  int strideUV = 0;
  int width = 0;
  int height = 0;
  std::int64_t timestampUs = 0;
};

// Byte order in memory: Rgba is R, G, B, A (Qt's Format_RGBA8888, most GPU readbacks); Bgra is
// what X11 and Windows capture produce.
enum class PixelFormat : std::uint8_t { Rgba, Bgra, Argb };

struct VideoFramePacked {
  const std::uint8_t* data = nullptr;
  int stride = 0;  // bytes per row
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::Rgba;
  std::int64_t timestampUs = 0;
};

// Interleaved signed 16-bit PCM.
struct AudioFrameView {
  const std::int16_t* samples = nullptr;
  int samplesPerChannel = 0;
  int channels = 1;
  int sampleRate = 48000;
  std::int64_t timestampUs = 0;
};

}  // namespace huddle::client
