#pragma once
// I420 video frames with an owned buffer that is reused across frames. Not thread-safe: one
// owner at a time (move it, or copyFrom() into another frame, to hand it over).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace huddle::media {

// The RTP clock of video (RFC 3551).
inline constexpr std::uint32_t kVideoClockRate = 90000;

// A read-only look at I420 pixels that someone else owns: a VideoFrame, a decoder's output, an
// application's buffer. Valid only as long as they are; copy into a VideoFrame to keep one.
struct I420View {
  const std::uint8_t* y = nullptr;
  const std::uint8_t* u = nullptr;
  const std::uint8_t* v = nullptr;
  int strideY = 0;
  int strideU = 0;
  int strideV = 0;
  int width = 0;
  int height = 0;
  std::int64_t captureTimeUs = 0;
  std::uint32_t rtpTimestamp = 0;

  [[nodiscard]] bool empty() const noexcept { return width <= 0 || height <= 0 || y == nullptr; }
  [[nodiscard]] int chromaWidth() const noexcept { return (width + 1) / 2; }
  [[nodiscard]] int chromaHeight() const noexcept { return (height + 1) / 2; }
};

class VideoFrame final {
 public:
  VideoFrame() = default;
  VideoFrame(int width, int height) { reset(width, height); }
  VideoFrame(VideoFrame&&) noexcept = default;
  VideoFrame& operator=(VideoFrame&&) noexcept = default;
  // Copies allocate, so they are spelled out with copyFrom() instead of hidden in '='.
  VideoFrame(const VideoFrame&) = delete;
  VideoFrame& operator=(const VideoFrame&) = delete;

  // Sets the size; keeps the buffer when it is big enough, so a frame reused at a steady size
  // never allocates. Pixel contents are unspecified afterwards. Sizes <= 0 give an empty frame.
  void reset(int width, int height);
  // Same size, pixels and timestamps as other; reuses this frame's buffer when it fits.
  void copyFrom(const I420View& other);
  [[nodiscard]] I420View view() const noexcept;
  // Implicit by design: everything that reads pixels takes an I420View, and a frame is one.
  operator I420View() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)
  // Fills all three planes with one colour (limited-range BT.601 Y, U, V).
  void fill(std::uint8_t y, std::uint8_t u, std::uint8_t v);

  [[nodiscard]] bool empty() const noexcept { return width_ == 0 || height_ == 0; }
  [[nodiscard]] int width() const noexcept { return width_; }
  [[nodiscard]] int height() const noexcept { return height_; }
  [[nodiscard]] int chromaWidth() const noexcept { return (width_ + 1) / 2; }
  [[nodiscard]] int chromaHeight() const noexcept { return (height_ + 1) / 2; }
  [[nodiscard]] int strideY() const noexcept { return strideY_; }
  [[nodiscard]] int strideU() const noexcept { return strideUV_; }
  [[nodiscard]] int strideV() const noexcept { return strideUV_; }

  [[nodiscard]] std::uint8_t* dataY() noexcept { return buffer_.data(); }
  [[nodiscard]] std::uint8_t* dataU() noexcept { return buffer_.data() + offsetU_; }
  [[nodiscard]] std::uint8_t* dataV() noexcept { return buffer_.data() + offsetV_; }
  [[nodiscard]] const std::uint8_t* dataY() const noexcept { return buffer_.data(); }
  [[nodiscard]] const std::uint8_t* dataU() const noexcept { return buffer_.data() + offsetU_; }
  [[nodiscard]] const std::uint8_t* dataV() const noexcept { return buffer_.data() + offsetV_; }

  [[nodiscard]] std::int64_t captureTimeUs() const noexcept { return captureTimeUs_; }
  void setCaptureTimeUs(std::int64_t us) noexcept { captureTimeUs_ = us; }
  [[nodiscard]] std::uint32_t rtpTimestamp() const noexcept { return rtpTimestamp_; }
  void setRtpTimestamp(std::uint32_t ts) noexcept { rtpTimestamp_ = ts; }

 private:
  int width_ = 0;
  int height_ = 0;
  int strideY_ = 0;
  int strideUV_ = 0;
  std::size_t offsetU_ = 0;
  std::size_t offsetV_ = 0;
  std::int64_t captureTimeUs_ = 0;
  std::uint32_t rtpTimestamp_ = 0;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace huddle::media
