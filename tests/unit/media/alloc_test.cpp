// The steady-state media paths (pattern -> VP8 encode -> packetize -> depacketize -> decode,
// and tone -> Opus encode -> decode) reuse their buffers: no heap allocation per frame once
// warmed up. Its own binary: it links the counting allocator.

#include <gtest/gtest.h>

#include "counting_allocator.h"
#include "media/opus_codec.h"
#include "media/synthetic_sources.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"
#include "media/vp8_rtp.h"

namespace huddle::media {
namespace {

TEST(MediaAllocation, VideoPathAllocatesNothingPerFrame) {
  auto enc = Vp8Encoder::create({.width = 640, .height = 360, .fps = 30, .targetBitrateKbps = 1000});
  auto dec = Vp8Decoder::create();
  ASSERT_TRUE(enc && dec);
  TestPatternSource pattern(640, 360);
  Vp8Packetizer packetizer(1100);
  Vp8Depacketizer depacketizer;
  VideoFrame frame;
  std::uint16_t seq = 0;
  int decoded = 0;
  auto oneFrame = [&](bool forceKey) {
    pattern.next(frame);
    auto encoded = (*enc)->encode(frame, forceKey);
    ASSERT_TRUE(encoded);
    auto n = packetizer.packetize(encoded->data);
    ASSERT_TRUE(n);
    for (std::size_t i = 0; i < *n; ++i) {
      const auto r = depacketizer.push({seq++, encoded->rtpTimestamp, packetizer.isLast(i), packetizer.payload(i)});
      if (r.frameReady) {
        auto out = (*dec)->decode(depacketizer.frame().data);
        ASSERT_TRUE(out);
        decoded += readFrameCounter(*out).has_value() ? 1 : 0;
      }
    }
  };
  // Warm-up: a forced keyframe sizes the buffers for the largest frames.
  for (int i = 0; i < 10; ++i) {
    oneFrame(i == 5);
  }
  test::AllocationScope scope;
  for (int i = 0; i < 30; ++i) {
    oneFrame(false);
  }
  scope.stop();
  EXPECT_EQ(test::operatorNewCalls(), 0);
  if (test::countsMalloc()) {
    EXPECT_EQ(test::mallocCalls(), 0) << "libvpx or libyuv allocated per frame";
  }
  EXPECT_EQ(decoded, 40);
}

TEST(MediaAllocation, AudioPathAllocatesNothingPerFrame) {
  auto enc = OpusEncoder::create({.channels = 2});
  auto dec = OpusDecoder::create(2);
  ASSERT_TRUE(enc && dec);
  ToneSource tone(440.0, 8000, 2, 960);
  AudioFrame frame;
  for (int i = 0; i < 5; ++i) {
    tone.next(frame);
    auto packet = (*enc)->encode(frame);
    ASSERT_TRUE(packet);
    ASSERT_TRUE((*dec)->decode(*packet));
  }
  test::AllocationScope scope;
  for (int i = 0; i < 50; ++i) {
    tone.next(frame);
    auto packet = (*enc)->encode(frame);
    ASSERT_TRUE(packet);
    if (i % 10 == 3) {
      ASSERT_TRUE((*dec)->conceal(960));
    } else {
      ASSERT_TRUE((*dec)->decode(*packet));
    }
  }
  scope.stop();
  EXPECT_EQ(test::operatorNewCalls(), 0);
  if (test::countsMalloc()) {
    EXPECT_EQ(test::mallocCalls(), 0);
  }
}

}  // namespace
}  // namespace huddle::media
