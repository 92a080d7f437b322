#include "media/video_frame.h"

#include <cstring>

namespace huddle::media {
namespace {
// Rows start on 32-byte boundaries so SIMD loads in libyuv and libvpx stay aligned.
constexpr int kStrideAlign = 32;
int alignUp(int v) { return (v + kStrideAlign - 1) / kStrideAlign * kStrideAlign; }
}  // namespace

void VideoFrame::reset(int width, int height) {
  if (width <= 0 || height <= 0) {
    width_ = height_ = strideY_ = strideUV_ = 0;
    offsetU_ = offsetV_ = 0;
    return;
  }
  width_ = width;
  height_ = height;
  strideY_ = alignUp(width);
  strideUV_ = alignUp(chromaWidth());
  const std::size_t sizeY = static_cast<std::size_t>(strideY_) * static_cast<std::size_t>(height);
  const std::size_t sizeUV = static_cast<std::size_t>(strideUV_) * static_cast<std::size_t>(chromaHeight());
  offsetU_ = sizeY;
  offsetV_ = sizeY + sizeUV;
  // resize() only allocates when growing past capacity: steady-state reuse stays allocation-free.
  buffer_.resize(sizeY + 2 * sizeUV);
}

void VideoFrame::copyFrom(const VideoFrame& other) {
  if (&other == this) {
    return;
  }
  reset(other.width(), other.height());
  captureTimeUs_ = other.captureTimeUs_;
  rtpTimestamp_ = other.rtpTimestamp_;
  if (empty()) {
    return;
  }
  // Same size gives the same strides, so the planes copy as one block.
  std::memcpy(buffer_.data(), other.buffer_.data(), buffer_.size());
}

void VideoFrame::fill(std::uint8_t y, std::uint8_t u, std::uint8_t v) {
  if (empty()) {
    return;
  }
  std::memset(dataY(), y, offsetU_);
  std::memset(dataU(), u, offsetV_ - offsetU_);
  std::memset(dataV(), v, buffer_.size() - offsetV_);
}

}  // namespace huddle::media
