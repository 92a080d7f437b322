#include "media/synthetic_sources.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

namespace huddle::media {
namespace {

struct Yuv {
  std::uint8_t y, u, v;
};

// Limited-range BT.601 colour bars: white, yellow, cyan, green, magenta, red, blue, black.
constexpr std::array<Yuv, 8> kBars = {{
    {235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
    {106, 202, 222}, {81, 90, 240}, {41, 240, 110}, {16, 128, 128},
}};
constexpr std::uint8_t kWhite = 235;
constexpr std::uint8_t kBlack = 16;
constexpr std::uint8_t kGrey = 128;
constexpr int kBitsPerRow = 8;
constexpr int kColumns = kBitsPerRow + 1;  // the reference block leads each row
// The block grid spans columns 1..9 of 11 and rows 1..2 of 8 (fractions of the frame).
constexpr int kGridColumns = kColumns + 2;
constexpr int kGridRows = 8;
constexpr int kBarsPerFrame = 8;
constexpr int kBarStepPerFrame = 4;  // pixels the bars move per frame, at any size

struct Block {
  int x0, x1, y0, y1;
};

Block blockAt(int width, int height, int row, int col) {
  return {(col + 1) * width / kGridColumns, (col + 2) * width / kGridColumns, (row + 1) * height / kGridRows,
          (row + 2) * height / kGridRows};
}

void fillRect(std::uint8_t* plane, int stride, int x0, int x1, int y0, int y1, std::uint8_t value) {
  for (int y = y0; y < y1; ++y) {
    std::memset(plane + static_cast<std::ptrdiff_t>(y) * stride + x0, value, static_cast<std::size_t>(x1 - x0));
  }
}

// Mean luma over the middle half of a block: its edges blur under coding and scaling.
double blockLuma(const I420View& frame, const Block& b) {
  const int w = b.x1 - b.x0;
  const int h = b.y1 - b.y0;
  const int x0 = b.x0 + w / 4;
  const int x1 = std::max(x0 + 1, b.x1 - w / 4);
  const int y0 = b.y0 + h / 4;
  const int y1 = std::max(y0 + 1, b.y1 - h / 4);
  long sum = 0;
  long count = 0;
  for (int y = y0; y < y1 && y < frame.height; ++y) {
    const std::uint8_t* row = frame.y + static_cast<std::ptrdiff_t>(y) * frame.strideY;
    for (int x = x0; x < x1 && x < frame.width; ++x) {
      sum += row[x];
      ++count;
    }
  }
  return count == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(count);
}

}  // namespace

TestPatternSource::TestPatternSource(int width, int height, int fps)
    : width_(std::max(width, 2)), height_(std::max(height, 2)), fps_(std::max(fps, 1)) {}

void TestPatternSource::next(VideoFrame& out) {
  draw(counter_, out);
  ++counter_;
}

void TestPatternSource::draw(std::uint32_t counter, VideoFrame& out) const {
  out.reset(width_, height_);
  out.setCaptureTimeUs(static_cast<std::int64_t>(counter) * 1000000 / fps_);
  out.setRtpTimestamp(static_cast<std::uint32_t>(static_cast<std::uint64_t>(counter) * kVideoClockRate /
                                                 static_cast<std::uint64_t>(fps_)));
  // Upper half: grey background. Lower half: bars shifted left by a few pixels per frame;
  // every row of the bars is the same, so one row is drawn and copied.
  const int barsTop = height_ / 2;
  const int barsTopC = barsTop / 2;
  fillRect(out.dataY(), out.strideY(), 0, width_, 0, barsTop, kGrey);
  fillRect(out.dataU(), out.strideU(), 0, out.chromaWidth(), 0, barsTopC, 128);
  fillRect(out.dataV(), out.strideV(), 0, out.chromaWidth(), 0, barsTopC, 128);

  const int barWidth = std::max(1, width_ / kBarsPerFrame);
  const long shift = static_cast<long>(counter) * kBarStepPerFrame;
  auto barAt = [&](int x) { return kBars[static_cast<std::size_t>(((x + shift) / barWidth) % kBarsPerFrame)]; };
  if (barsTop < height_) {
    std::uint8_t* rowY = out.dataY() + static_cast<std::ptrdiff_t>(barsTop) * out.strideY();
    for (int x = 0; x < width_; ++x) {
      rowY[x] = barAt(x).y;
    }
    for (int y = barsTop + 1; y < height_; ++y) {
      std::memcpy(out.dataY() + static_cast<std::ptrdiff_t>(y) * out.strideY(), rowY, static_cast<std::size_t>(width_));
    }
  }
  if (barsTopC < out.chromaHeight()) {
    std::uint8_t* rowU = out.dataU() + static_cast<std::ptrdiff_t>(barsTopC) * out.strideU();
    std::uint8_t* rowV = out.dataV() + static_cast<std::ptrdiff_t>(barsTopC) * out.strideV();
    for (int x = 0; x < out.chromaWidth(); ++x) {
      const Yuv c = barAt(std::min(2 * x, width_ - 1));
      rowU[x] = c.u;
      rowV[x] = c.v;
    }
    for (int y = barsTopC + 1; y < out.chromaHeight(); ++y) {
      std::memcpy(out.dataU() + static_cast<std::ptrdiff_t>(y) * out.strideU(), rowU,
                  static_cast<std::size_t>(out.chromaWidth()));
      std::memcpy(out.dataV() + static_cast<std::ptrdiff_t>(y) * out.strideV(), rowV,
                  static_cast<std::size_t>(out.chromaWidth()));
    }
  }

  // Counter blocks: row 0 = white reference + bits 0..7, row 1 = black reference + bits 8..15.
  // Chroma stays neutral (grey background), so only luma carries them.
  const auto value = static_cast<std::uint16_t>(counter & 0xFFFF);
  for (int row = 0; row < 2; ++row) {
    for (int col = 0; col < kColumns; ++col) {
      bool white = false;
      if (col == 0) {
        white = (row == 0);
      } else {
        white = ((value >> (row * kBitsPerRow + col - 1)) & 1) != 0;
      }
      const Block b = blockAt(width_, height_, row, col);
      fillRect(out.dataY(), out.strideY(), b.x0, b.x1, b.y0, std::min(b.y1, height_), white ? kWhite : kBlack);
    }
  }
}

std::optional<std::uint16_t> readFrameCounter(const I420View& frame) {
  // Two pixels per block at least, or nothing can be told apart.
  if (frame.empty() || frame.width < 2 * kGridColumns || frame.height < 2 * kGridRows) {
    return std::nullopt;
  }
  const double white = blockLuma(frame, blockAt(frame.width, frame.height, 0, 0));
  const double black = blockLuma(frame, blockAt(frame.width, frame.height, 1, 0));
  // Coding may soften the levels but not collapse them; a flat or foreign frame has no contrast.
  if (white - black < 100.0) {
    return std::nullopt;
  }
  const double threshold = (white + black) / 2;
  std::uint16_t value = 0;
  for (int row = 0; row < 2; ++row) {
    for (int col = 1; col < kColumns; ++col) {
      if (blockLuma(frame, blockAt(frame.width, frame.height, row, col)) > threshold) {
        value = static_cast<std::uint16_t>(value | (1u << (row * kBitsPerRow + col - 1)));
      }
    }
  }
  return value;
}

ToneSource::ToneSource(double frequencyHz, int amplitude, int channels, int samplesPerChannel)
    : frequencyHz_(frequencyHz),
      amplitude_(std::clamp(amplitude, 0, 32767)),
      channels_(std::clamp(channels, 1, kMaxAudioChannels)),
      samplesPerChannel_(std::clamp(samplesPerChannel, 1, kMaxAudioSamplesPerChannel)) {}

void ToneSource::next(AudioFrame& out) {
  out.reset(channels_, samplesPerChannel_);
  out.setCaptureTimeUs(static_cast<std::int64_t>(samplesProduced_ * 1000000 / kAudioSampleRate));
  out.setRtpTimestamp(static_cast<std::uint32_t>(samplesProduced_));
  const double step = 2.0 * std::numbers::pi * frequencyHz_ / kAudioSampleRate;
  auto samples = out.samples();
  for (int i = 0; i < samplesPerChannel_; ++i) {
    const auto v = static_cast<std::int16_t>(std::lround(amplitude_ * std::sin(phase_)));
    for (int c = 0; c < channels_; ++c) {
      samples[static_cast<std::size_t>(i * channels_ + c)] = v;
    }
    phase_ += step;
    if (phase_ >= 2.0 * std::numbers::pi) {
      phase_ -= 2.0 * std::numbers::pi;
    }
  }
  samplesProduced_ += static_cast<std::uint64_t>(samplesPerChannel_);
}

}  // namespace huddle::media
