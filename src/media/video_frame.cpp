#include "media/video_frame.h"

#include <libyuv/planar_functions.h>

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

I420View VideoFrame::view() const noexcept {
  if (empty()) {
    return {};
  }
  return {dataY(), dataU(), dataV(), strideY_, strideUV_, strideUV_, width_, height_, captureTimeUs_, rtpTimestamp_};
}

void VideoFrame::copyFrom(const I420View& other) {
  if (!empty() && other.y == dataY()) {
    return;  // a view of this very frame
  }
  if (other.empty()) {
    reset(0, 0);
    return;
  }
  reset(other.width, other.height);
  captureTimeUs_ = other.captureTimeUs;
  rtpTimestamp_ = other.rtpTimestamp;
  libyuv::I420Copy(other.y, other.strideY, other.u, other.strideU, other.v, other.strideV, dataY(), strideY_,
                   dataU(), strideUV_, dataV(), strideUV_, width_, height_);
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
