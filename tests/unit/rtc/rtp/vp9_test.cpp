#include "rtc/rtp/codecs/vp9.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace huddle::rtc {
namespace {

TEST(Vp9Descriptor, KeyframeWithScalabilityStructure) {
  const std::vector<std::uint8_t> payload = {
      0xAA,                    // I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
      0x80, 0x05,              // M=1 picture id 5
      0x00,                    // TID=0 U=0 SID=0 D=0
      0x07,                    // TL0PICIDX 7
      0x58,                    // N_S=2 (3 layers) Y=1 G=1
      0x01, 0x40, 0x00, 0xB4,  // 320x180
      0x02, 0x80, 0x01, 0x68,  // 640x360
      0x05, 0x00, 0x02, 0xD0,  // 1280x720
      0x01,                    // N_G=1
      0x04, 0x01,              // TID=0 U=0 R=1, P_DIFF 1
      0x82, 0x49, 0x83,        // VP9 payload
  };
  const auto d = Vp9Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->keyframe);
  EXPECT_EQ(d->pictureId, 5);
  EXPECT_TRUE(d->pictureId15Bit);
  EXPECT_EQ(d->temporalId, 0);
  EXPECT_EQ(d->spatialId, 0);
  EXPECT_EQ(d->tl0PicIdx, 7);
  EXPECT_FALSE(d->flexibleMode);
  ASSERT_EQ(d->ssSpatialLayers, 3u);
  EXPECT_EQ(d->ssWidth[0], 320);
  EXPECT_EQ(d->ssHeight[0], 180);
  EXPECT_EQ(d->ssWidth[2], 1280);
  EXPECT_EQ(d->ssHeight[2], 720);
  EXPECT_EQ(d->size, 21u);
}

TEST(Vp9Descriptor, FlexibleModeDeltaOnUpperLayers) {
  const std::vector<std::uint8_t> payload = {
      0xFD,        // I=1 P=1 L=1 F=1 B=1 E=1 V=0 Z=1
      0x11,        // picture id 17 (7 bits)
      0x53,        // TID=2 U=1 SID=1 D=1
      0x03, 0x04,  // P_DIFF 1 (N=1), P_DIFF 2 (N=0)
      0x00,        // payload
  };
  const auto d = Vp9Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->keyframe);
  EXPECT_TRUE(d->endOfFrame);
  EXPECT_TRUE(d->notReferenceForUpperSpatial);
  EXPECT_EQ(d->pictureId, 17);
  EXPECT_EQ(d->temporalId, 2);
  EXPECT_TRUE(d->switchingUpPoint);
  EXPECT_EQ(d->spatialId, 1);
  EXPECT_TRUE(d->interLayerDependency);
  EXPECT_FALSE(d->tl0PicIdx);  // flexible mode carries no TL0PICIDX
  ASSERT_EQ(d->referenceCount, 2u);
  EXPECT_EQ(d->referenceDiffs[0], 1);
  EXPECT_EQ(d->referenceDiffs[1], 2);
  EXPECT_EQ(d->size, 5u);
}

TEST(Vp9Descriptor, UpperSpatialLayerOfKeyPictureIsNotAKeyframe) {
  const std::vector<std::uint8_t> payload = {0xA8, 0x01, 0x02, 0x00, 0x82};  // SID=1, P=0, B=1
  const auto d = Vp9Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->spatialId, 1);
  EXPECT_FALSE(d->keyframe);
}

TEST(Vp9Descriptor, RejectsTruncated) {
  EXPECT_FALSE(Vp9Descriptor::parse(std::vector<std::uint8_t>{}));
  EXPECT_FALSE(Vp9Descriptor::parse(std::vector<std::uint8_t>{0xAA, 0x80}));              // picture id cut
  EXPECT_FALSE(Vp9Descriptor::parse(std::vector<std::uint8_t>{0xF0, 0x01, 0x00}));        // P_DIFF missing
  EXPECT_FALSE(Vp9Descriptor::parse(std::vector<std::uint8_t>{0xD0, 0x01, 0x03, 0x03, 0x03, 0x03, 0x00}));
  EXPECT_FALSE(Vp9Descriptor::parse(std::vector<std::uint8_t>{0x8A, 0x01, 0x10, 0x01, 0x40}));  // SS cut
  EXPECT_FALSE(Vp9Descriptor::parse(std::vector<std::uint8_t>{0x08}));                    // no payload
}

}  // namespace
}  // namespace huddle::rtc
