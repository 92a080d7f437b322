#include "media/convert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/synthetic_sources.h"

namespace huddle::media {
namespace {

// A smooth RGBA image: colour that varies slowly, so 4:2:0 subsampling loses little.
std::vector<std::uint8_t> gradientRgba(int w, int h) {
  std::vector<std::uint8_t> px(static_cast<std::size_t>(w * h * 4));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &px[static_cast<std::size_t>((y * w + x) * 4)];
      p[0] = static_cast<std::uint8_t>(32 + x * 190 / w);
      p[1] = static_cast<std::uint8_t>(32 + y * 190 / h);
      p[2] = static_cast<std::uint8_t>(222 - (x + y) * 190 / (w + h));
      p[3] = 255;
    }
  }
  return px;
}

// Reorders RGBA bytes into another packed format.
std::vector<std::uint8_t> fromRgba(const std::vector<std::uint8_t>& rgba, PackedFormat format) {
  std::vector<std::uint8_t> out(rgba.size());
  for (std::size_t i = 0; i < rgba.size(); i += 4) {
    const std::uint8_t r = rgba[i], g = rgba[i + 1], b = rgba[i + 2], a = rgba[i + 3];
    switch (format) {
      case PackedFormat::Rgba: out[i] = r; out[i + 1] = g; out[i + 2] = b; out[i + 3] = a; break;
      case PackedFormat::Bgra: out[i] = b; out[i + 1] = g; out[i + 2] = r; out[i + 3] = a; break;
      case PackedFormat::Argb: out[i] = a; out[i + 1] = r; out[i + 2] = g; out[i + 3] = b; break;
    }
  }
  return out;
}

class PackedRoundTrip : public ::testing::TestWithParam<PackedFormat> {};

TEST_P(PackedRoundTrip, ComesBackWithinSmallError) {
  const int w = 96, h = 64;
  const auto rgba = gradientRgba(w, h);
  const auto packed = fromRgba(rgba, GetParam());
  VideoFrame frame;
  ASSERT_TRUE(packedToI420({packed.data(), w * 4, w, h, GetParam()}, frame));
  ASSERT_EQ(frame.width(), w);
  ASSERT_EQ(frame.height(), h);
  std::vector<std::uint8_t> back(packed.size());
  ASSERT_TRUE(i420ToPacked(frame, GetParam(), back.data(), w * 4));
  long sumErr = 0;
  int maxErr = 0;
  for (std::size_t i = 0; i < packed.size(); ++i) {
    const int err = std::abs(int{packed[i]} - int{back[i]});
    sumErr += err;
    maxErr = std::max(maxErr, err);
  }
  EXPECT_LE(maxErr, 10);
  EXPECT_LT(static_cast<double>(sumErr) / static_cast<double>(packed.size()), 2.0);
}

INSTANTIATE_TEST_SUITE_P(Formats, PackedRoundTrip,
                         ::testing::Values(PackedFormat::Rgba, PackedFormat::Bgra, PackedFormat::Argb));

// Pure red in every byte order gives the same BT.601 colour: the format names are not swapped.
TEST(Convert, PackedFormatsAgreeOnByteOrder) {
  const int w = 16, h = 16;
  std::vector<std::uint8_t> red(static_cast<std::size_t>(w * h * 4));
  for (std::size_t i = 0; i < red.size(); i += 4) {
    red[i] = 255;
    red[i + 3] = 255;
  }
  for (const PackedFormat f : {PackedFormat::Rgba, PackedFormat::Bgra, PackedFormat::Argb}) {
    const auto packed = fromRgba(red, f);
    VideoFrame frame;
    ASSERT_TRUE(packedToI420({packed.data(), w * 4, w, h, f}, frame));
    // Limited-range BT.601 red is about Y=82, U=90, V=240.
    EXPECT_NEAR(frame.dataY()[0], 82, 3) << static_cast<int>(f);
    EXPECT_NEAR(frame.dataU()[0], 90, 3) << static_cast<int>(f);
    EXPECT_NEAR(frame.dataV()[0], 240, 3) << static_cast<int>(f);
  }
}

TEST(Convert, Nv12ToI420IsExact) {
  VideoFrame source;
  TestPatternSource(64, 48).next(source);
  const int cw = source.chromaWidth(), ch = source.chromaHeight();
  std::vector<std::uint8_t> uv(static_cast<std::size_t>(cw * 2 * ch));
  for (int y = 0; y < ch; ++y) {
    for (int x = 0; x < cw; ++x) {
      uv[static_cast<std::size_t>(y * cw * 2 + x * 2)] = source.dataU()[y * source.strideU() + x];
      uv[static_cast<std::size_t>(y * cw * 2 + x * 2 + 1)] = source.dataV()[y * source.strideV() + x];
    }
  }
  VideoFrame out;
  ASSERT_TRUE(nv12ToI420({source.dataY(), source.strideY(), uv.data(), cw * 2, 64, 48}, out));
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      ASSERT_EQ(out.dataY()[y * out.strideY() + x], source.dataY()[y * source.strideY() + x]);
    }
  }
  for (int y = 0; y < ch; ++y) {
    for (int x = 0; x < cw; ++x) {
      ASSERT_EQ(out.dataU()[y * out.strideU() + x], source.dataU()[y * source.strideU() + x]);
      ASSERT_EQ(out.dataV()[y * out.strideV() + x], source.dataV()[y * source.strideV() + x]);
    }
  }
}

TEST(Convert, ScaleKeepsTimestampsAndCounter) {
  TestPatternSource pattern(640, 360);
  VideoFrame full;
  for (int i = 0; i < 38; ++i) {
    pattern.next(full);
  }
  VideoFrame small;
  ASSERT_TRUE(scaleI420(full, small, 320, 180));
  EXPECT_EQ(small.width(), 320);
  EXPECT_EQ(small.height(), 180);
  EXPECT_EQ(small.rtpTimestamp(), full.rtpTimestamp());
  EXPECT_EQ(small.captureTimeUs(), full.captureTimeUs());
  EXPECT_EQ(readFrameCounter(small), std::optional<std::uint16_t>(37));
}

TEST(Convert, RejectsBadArguments) {
  VideoFrame frame;
  std::array<std::uint8_t, 64> px{};
  EXPECT_EQ(packedToI420({px.data(), 4, 4, 0, PackedFormat::Rgba}, frame).code(), MediaError::InvalidArgument);
  EXPECT_EQ(packedToI420({px.data(), 8, 4, 4, PackedFormat::Rgba}, frame).code(), MediaError::InvalidArgument);
  EXPECT_EQ(packedToI420({nullptr, 16, 4, 4, PackedFormat::Rgba}, frame).code(), MediaError::InvalidArgument);
  EXPECT_EQ(i420ToPacked(frame, PackedFormat::Rgba, px.data(), 16).code(), MediaError::InvalidArgument);
  VideoFrame other(8, 8);
  EXPECT_EQ(scaleI420(other, other, 4, 4).code(), MediaError::InvalidArgument);
  EXPECT_EQ(scaleI420(other, frame, 0, 4).code(), MediaError::InvalidArgument);
}

}  // namespace
}  // namespace huddle::media

namespace huddle::media {
namespace {

// An application's tightly packed I420 buffer (stride == width) goes in through a view.
TEST(VideoFrame, CopiesFromAnyStrideViewAndReusesBuffer) {
  VideoFrame source;
  TestPatternSource(64, 36).draw(7, source);
  std::vector<std::uint8_t> tight(64 * 36 + 2 * 32 * 18);
  for (int y = 0; y < 36; ++y) {
    std::copy_n(source.dataY() + y * source.strideY(), 64, tight.begin() + y * 64);
  }
  for (int y = 0; y < 18; ++y) {
    std::copy_n(source.dataU() + y * source.strideU(), 32, tight.begin() + 64 * 36 + y * 32);
    std::copy_n(source.dataV() + y * source.strideV(), 32, tight.begin() + 64 * 36 + 32 * 18 + y * 32);
  }
  I420View view{tight.data(), tight.data() + 64 * 36, tight.data() + 64 * 36 + 32 * 18, 64, 32, 32, 64, 36, 5, 9};
  VideoFrame copy(128, 72);
  const std::uint8_t* before = copy.dataY();
  copy.copyFrom(view);
  EXPECT_EQ(copy.dataY(), before);  // shrinking keeps the buffer
  EXPECT_EQ(copy.width(), 64);
  EXPECT_EQ(copy.captureTimeUs(), 5);
  EXPECT_EQ(copy.rtpTimestamp(), 9u);
  EXPECT_EQ(readFrameCounter(view), std::optional<std::uint16_t>(7));
  EXPECT_EQ(readFrameCounter(copy), std::optional<std::uint16_t>(7));
  for (int y = 0; y < 36; ++y) {
    ASSERT_TRUE(std::equal(copy.dataY() + y * copy.strideY(), copy.dataY() + y * copy.strideY() + 64,
                           source.dataY() + y * source.strideY()));
  }
  copy.copyFrom(copy);  // a view of itself: nothing to do, nothing lost
  EXPECT_EQ(readFrameCounter(copy), std::optional<std::uint16_t>(7));
}

}  // namespace
}  // namespace huddle::media
