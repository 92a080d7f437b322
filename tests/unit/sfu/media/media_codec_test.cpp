#include <gtest/gtest.h>

#include "media_test_util.h"
#include "sfu/media/media_codec.h"

namespace huddle::sfu {
namespace {

using test::Bytes;

TEST(MediaCodec, NamesAreCaseInsensitiveAndAcceptMimeTypes) {
  EXPECT_EQ(codecKindFromName("VP8"), CodecKind::Vp8);
  EXPECT_EQ(codecKindFromName("vp8"), CodecKind::Vp8);
  EXPECT_EQ(codecKindFromName("video/VP9"), CodecKind::Vp9);
  EXPECT_EQ(codecKindFromName("opus"), CodecKind::Opus);
  EXPECT_EQ(codecKindFromName("OPUS"), CodecKind::Opus);
  EXPECT_EQ(codecKindFromName("red"), CodecKind::Red);
  EXPECT_EQ(codecKindFromName("H264"), CodecKind::H264);
  EXPECT_EQ(codecKindFromName("AV1"), CodecKind::Av1);
  EXPECT_EQ(codecKindFromName("H265"), CodecKind::H265);
  EXPECT_EQ(codecKindFromName("rtx"), CodecKind::Other);
  EXPECT_EQ(codecKindFromName(""), CodecKind::Other);
  EXPECT_EQ(codecKindFromName("vp8x"), CodecKind::Other);
}

TEST(MediaCodec, MimeTypesRoundTrip) {
  EXPECT_EQ(mimeTypeOf(CodecKind::Vp8), "video/VP8");
  EXPECT_EQ(mimeTypeOf(CodecKind::Opus), "audio/opus");
  for (const CodecKind k : {CodecKind::Opus, CodecKind::Red, CodecKind::Vp8, CodecKind::Vp9,
                            CodecKind::H264, CodecKind::Av1, CodecKind::H265}) {
    EXPECT_EQ(codecKindFromName(mimeTypeOf(k)), k) << mimeTypeOf(k);
  }
  EXPECT_TRUE(isVideo(CodecKind::Vp8));
  EXPECT_TRUE(isVideo(CodecKind::H264));
  EXPECT_FALSE(isVideo(CodecKind::Opus));
  EXPECT_FALSE(isVideo(CodecKind::Other));
}

TEST(MediaCodec, Vp8Keyframes) {
  const Bytes key = test::vp8Keyframe();
  const Bytes delta = test::vp8Delta();
  const Bytes cont = test::vp8Continuation();
  EXPECT_TRUE(isKeyframe(CodecKind::Vp8, key));
  EXPECT_FALSE(isKeyframe(CodecKind::Vp8, delta));
  EXPECT_FALSE(isKeyframe(CodecKind::Vp8, cont));
  EXPECT_FALSE(isKeyframe(CodecKind::Vp8, Bytes{}));
  EXPECT_FALSE(isKeyframe(CodecKind::Vp8, Bytes{0x10}));  // descriptor without media
}

TEST(MediaCodec, H264AndAudioKeyframes) {
  EXPECT_TRUE(isKeyframe(CodecKind::H264, Bytes{0x65, 0x88, 0x80}));   // IDR slice
  EXPECT_FALSE(isKeyframe(CodecKind::H264, Bytes{0x41, 0x9a, 0x00}));  // non-IDR slice
  EXPECT_TRUE(isKeyframe(CodecKind::Opus, test::opusPayload()));
  EXPECT_FALSE(isKeyframe(CodecKind::Other, test::vp8Keyframe()));
}

}  // namespace
}  // namespace huddle::sfu
