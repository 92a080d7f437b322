#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "media/analysis.h"
#include "media/synthetic_sources.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"

namespace huddle::media {
namespace {

std::unique_ptr<Vp8Encoder> makeEncoder(int w, int h, int kbps = 1000) {
  auto enc = Vp8Encoder::create({.width = w, .height = h, .fps = 30, .targetBitrateKbps = kbps});
  EXPECT_TRUE(enc) << enc.message();
  return std::move(enc).value();
}

std::unique_ptr<Vp8Decoder> makeDecoder() {
  auto dec = Vp8Decoder::create();
  EXPECT_TRUE(dec) << dec.message();
  return std::move(dec).value();
}

TEST(Vp8, SixtyFramesRoundTripWithCounterAndPsnr) {
  auto enc = makeEncoder(640, 360);
  auto dec = makeDecoder();
  TestPatternSource pattern(640, 360);
  VideoFrame source;
  double worstPsnr = 1000.0;
  for (int i = 0; i < 60; ++i) {
    pattern.next(source);
    auto encoded = enc->encode(source);
    ASSERT_TRUE(encoded) << encoded.message();
    ASSERT_FALSE(encoded->data.empty()) << "frame " << i;
    EXPECT_EQ(encoded->keyframe, i == 0) << "frame " << i;
    EXPECT_EQ(encoded->rtpTimestamp, source.rtpTimestamp());
    auto decoded = dec->decode(encoded->data, encoded->rtpTimestamp);
    ASSERT_TRUE(decoded) << "frame " << i << ": " << decoded.message();
    const I420View out = *decoded;
    ASSERT_EQ(out.width, 640);
    ASSERT_EQ(out.height, 360);
    EXPECT_EQ(out.rtpTimestamp, source.rtpTimestamp());
    EXPECT_EQ(readFrameCounter(out), std::optional<std::uint16_t>(i)) << "frame " << i;
    const double psnr = psnrI420(source, out);
    EXPECT_GT(psnr, 30.0) << "frame " << i;
    worstPsnr = std::min(worstPsnr, psnr);
  }
  RecordProperty("worst_psnr_db", std::to_string(worstPsnr));
  EXPECT_EQ(dec->stats().framesDecoded, 60u);
}

TEST(Vp8, KeyframeOnRequestAndWhenForced) {
  auto enc = makeEncoder(320, 180, 300);
  TestPatternSource pattern(320, 180);
  VideoFrame source;
  for (int i = 0; i < 12; ++i) {
    pattern.next(source);
    if (i == 5) {
      enc->requestKeyframe();
    }
    auto encoded = enc->encode(source, /*forceKeyframe=*/i == 9);
    ASSERT_TRUE(encoded) << encoded.message();
    const bool expectKey = i == 0 || i == 5 || i == 9;
    EXPECT_EQ(encoded->keyframe, expectKey) << "frame " << i;
    EXPECT_EQ(parseVp8Keyframe(encoded->data), expectKey) << "frame " << i;
  }
}

TEST(Vp8, KeyframeHeaderGivesSize) {
  auto enc = makeEncoder(320, 180, 300);
  TestPatternSource pattern(320, 180);
  VideoFrame source;
  pattern.next(source);
  auto encoded = enc->encode(source);
  ASSERT_TRUE(encoded);
  Vp8KeyframeInfo info;
  ASSERT_TRUE(parseVp8Keyframe(encoded->data, &info));
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.height, 180);
}

TEST(Vp8, EncoderRejectsWrongSizeAndBadConfig) {
  auto enc = makeEncoder(320, 180);
  VideoFrame wrong(640, 360);
  wrong.fill(16, 128, 128);
  EXPECT_EQ(enc->encode(wrong).code(), MediaError::InvalidArgument);
  EXPECT_EQ(Vp8Encoder::create({.width = 0, .height = 180}).code(), MediaError::InvalidArgument);
  EXPECT_EQ(Vp8Encoder::create({.width = 320, .height = 180, .fps = 0}).code(), MediaError::InvalidArgument);
  EXPECT_EQ(enc->setTargetBitrate(0).code(), MediaError::InvalidArgument);
  EXPECT_TRUE(enc->setTargetBitrate(500));
  EXPECT_EQ(enc->config().targetBitrateKbps, 500);
}

TEST(Vp8, SimulcastGivesThreeSizesThatDecode) {
  auto sim = SimulcastVp8Encoder::create({.width = 640, .height = 360, .fps = 30, .layers = 3});
  ASSERT_TRUE(sim) << sim.message();
  ASSERT_EQ((*sim)->layerCount(), 3);
  const int widths[] = {160, 320, 640};
  const int heights[] = {90, 180, 360};
  std::vector<std::unique_ptr<Vp8Decoder>> decoders;
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ((*sim)->layerWidth(l), widths[l]);
    EXPECT_EQ((*sim)->layerHeight(l), heights[l]);
    decoders.push_back(makeDecoder());
  }
  TestPatternSource pattern(640, 360);
  VideoFrame source;
  for (int i = 0; i < 10; ++i) {
    pattern.next(source);
    auto layers = (*sim)->encode(source);
    ASSERT_TRUE(layers) << layers.message();
    ASSERT_EQ(layers->size(), 3u);
    for (int l = 0; l < 3; ++l) {
      const EncodedVideoFrame& e = (*layers)[static_cast<std::size_t>(l)];
      EXPECT_EQ(e.width, widths[l]);
      EXPECT_EQ(e.height, heights[l]);
      EXPECT_EQ(e.keyframe, i == 0);
      EXPECT_EQ(e.rtpTimestamp, source.rtpTimestamp());
      auto decoded = decoders[static_cast<std::size_t>(l)]->decode(e.data);
      ASSERT_TRUE(decoded) << "layer " << l << ": " << decoded.message();
      EXPECT_EQ(decoded->width, widths[l]);
      EXPECT_EQ(decoded->height, heights[l]);
      EXPECT_EQ(readFrameCounter(*decoded), std::optional<std::uint16_t>(i)) << "layer " << l << " frame " << i;
    }
  }
}

TEST(Vp8, SimulcastWithTwoLayersKeepsTheLargest) {
  auto sim = SimulcastVp8Encoder::create({.width = 640, .height = 360, .layers = 2});
  ASSERT_TRUE(sim);
  EXPECT_EQ((*sim)->layerWidth(0), 320);
  EXPECT_EQ((*sim)->layerWidth(1), 640);
  EXPECT_EQ(SimulcastVp8Encoder::create({.layers = 4}).code(), MediaError::InvalidArgument);
}

TEST(Vp8, DecoderRejectsGarbageWithoutCrashing) {
  auto dec = makeDecoder();
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 4000);
  int errors = 0;
  const int rounds = 300;
  for (int r = 0; r < rounds; ++r) {
    std::vector<std::uint8_t> junk(static_cast<std::size_t>(length(rng)));
    for (auto& b : junk) {
      b = static_cast<std::uint8_t>(byte(rng));
    }
    if (r % 3 == 0 && junk.size() >= 10) {
      // Looks like a keyframe header, so the garbage reaches libvpx's bitstream parser.
      junk[0] &= 0xFE;
      junk[3] = 0x9d;
      junk[4] = 0x01;
      junk[5] = 0x2a;
      junk[6] = 64;
      junk[7] = 0;
      junk[8] = 48;
      junk[9] = 0;
    }
    auto result = dec->decode(junk);
    errors += result ? 0 : 1;
  }
  // Plain random bytes are never a keyframe, so at least the other two thirds must be refused.
  EXPECT_GE(errors, rounds * 2 / 3);
  EXPECT_EQ(dec->stats().framesRejected, static_cast<std::uint64_t>(errors));

  // A real stream still decodes after all that.
  auto enc = makeEncoder(320, 180, 300);
  TestPatternSource pattern(320, 180);
  VideoFrame source;
  for (int i = 0; i < 3; ++i) {
    pattern.next(source);
    auto encoded = enc->encode(source);
    ASSERT_TRUE(encoded);
    auto decoded = dec->decode(encoded->data);
    ASSERT_TRUE(decoded) << decoded.message();
    EXPECT_EQ(readFrameCounter(*decoded), std::optional<std::uint16_t>(i));
  }
}

TEST(Vp8, DecoderRefusesAKeyframeClaimingAHugePictureBeforeLibvpxSizesIt) {
  auto dec = makeDecoder();
  // A valid small keyframe whose header is rewritten to claim 16383 x 16383.
  auto enc = makeEncoder(320, 180, 300);
  TestPatternSource pattern(320, 180);
  VideoFrame source;
  pattern.next(source);
  auto encoded = enc->encode(source);
  ASSERT_TRUE(encoded);
  std::vector<std::uint8_t> forged(encoded->data.begin(), encoded->data.end());
  ASSERT_GE(forged.size(), 10u);
  forged[6] = 0xFF;
  forged[7] = 0x3F;
  forged[8] = 0xFF;
  forged[9] = 0x3F;
  auto refused = dec->decode(forged);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.code(), MediaError::CorruptInput);
  EXPECT_NE(refused.message().find("16383x16383"), std::string::npos) << refused.message();
  EXPECT_EQ(dec->stats().framesRejected, 1u);
  // The genuine keyframe still decodes.
  auto decoded = dec->decode(encoded->data);
  ASSERT_TRUE(decoded) << decoded.message();
  EXPECT_EQ(decoded->width, 320);
}

TEST(Vp8, DecoderWantsKeyframeFirstAndAfterCorruption) {
  auto enc = makeEncoder(320, 180, 300);
  TestPatternSource pattern(320, 180);
  VideoFrame source;
  std::vector<std::vector<std::uint8_t>> frames;
  for (int i = 0; i < 4; ++i) {
    pattern.next(source);
    auto encoded = enc->encode(source);
    ASSERT_TRUE(encoded);
    frames.emplace_back(encoded->data.begin(), encoded->data.end());
  }
  auto dec = makeDecoder();
  EXPECT_EQ(dec->decode(frames[1]).code(), MediaError::WaitingForKeyframe);
  // A keyframe cut in half is refused as corrupt ...
  const std::vector<std::uint8_t> truncated(frames[0].begin(), frames[0].begin() + static_cast<long>(frames[0].size() / 2));
  EXPECT_EQ(dec->decode(truncated).code(), MediaError::CorruptInput);
  // ... and leaves the decoder waiting for a keyframe again.
  EXPECT_EQ(dec->decode(frames[1]).code(), MediaError::WaitingForKeyframe);
  ASSERT_TRUE(dec->decode(frames[0]));
  auto decoded = dec->decode(frames[1]);
  ASSERT_TRUE(decoded) << decoded.message();
  EXPECT_EQ(readFrameCounter(*decoded), std::optional<std::uint16_t>(1));
  EXPECT_EQ(dec->decode({}).code(), MediaError::CorruptInput);
}

}  // namespace
}  // namespace huddle::media
