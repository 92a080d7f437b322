#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/rtp/codecs/h264.h"
#include "rtc/rtp/codecs/opus.h"
#include "rtc/rtp/codecs/vp8.h"

namespace huddle::rtc {
namespace {

std::vector<std::uint8_t> serialized(const Vp8Descriptor& d) {
  std::array<std::uint8_t, 16> out{};
  const std::size_t n = d.serialize(out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST(Vp8Descriptor, KeyframeWithAllExtensionFields) {
  const std::vector<std::uint8_t> payload = {
      0x90,              // X=1 N=0 S=1 PID=0
      0xE0,              // I=1 L=1 T=1 K=0
      0x81, 0x23,        // M=1 picture id 0x0123 (15 bits)
      0x05,              // TL0PICIDX 5
      0x20,              // TID=0 Y=1
      0x10, 0x02, 0x00,  // VP8 payload header: P=0 (key frame)
      0x9D, 0x01, 0x2A,  // key frame start code
  };
  const auto d = Vp8Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->startOfPartition);
  EXPECT_FALSE(d->nonReference);
  EXPECT_EQ(d->partitionId, 0);
  EXPECT_EQ(d->pictureId, 0x0123);
  EXPECT_TRUE(d->pictureId15Bit);
  EXPECT_EQ(d->tl0PicIdx, 5);
  EXPECT_EQ(d->temporalId, 0);
  EXPECT_TRUE(d->layerSync);
  EXPECT_FALSE(d->keyIdx);
  EXPECT_EQ(d->size, 6u);
  EXPECT_TRUE(d->keyframe);
  EXPECT_EQ(serialized(*d), std::vector<std::uint8_t>(payload.begin(), payload.begin() + 6));
}

TEST(Vp8Descriptor, DeltaFrameOnTemporalLayerOne) {
  const std::vector<std::uint8_t> payload = {
      0xB0,        // X=1 N=1 S=1 PID=0
      0xF0,        // I L T K
      0x81, 0x24,  // picture id 0x0124
      0x05,        // TL0PICIDX
      0x43,        // TID=1 Y=0 KEYIDX=3
      0x01, 0x00,  // P=1: inter frame
  };
  const auto d = Vp8Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->nonReference);
  EXPECT_EQ(d->temporalId, 1);
  EXPECT_FALSE(d->layerSync);
  EXPECT_EQ(d->keyIdx, 3);
  EXPECT_FALSE(d->keyframe);
  EXPECT_EQ(serialized(*d), std::vector<std::uint8_t>(payload.begin(), payload.begin() + 6));
}

TEST(Vp8Descriptor, SevenBitPictureIdAndContinuationIsNotKeyframe) {
  const std::vector<std::uint8_t> payload = {
      0x80,  // X=1 S=0: continuation of a partition
      0x80,  // I=1
      0x7F,  // M=0 picture id 127
      0x00,  // payload bytes (no payload header here)
  };
  const auto d = Vp8Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->pictureId, 127);
  EXPECT_FALSE(d->pictureId15Bit);
  EXPECT_FALSE(d->temporalId);
  EXPECT_FALSE(d->keyframe);  // P bit is 0 but this is not the start of partition 0
  EXPECT_EQ(serialized(*d), std::vector<std::uint8_t>(payload.begin(), payload.begin() + 3));
}

TEST(Vp8Descriptor, MinimalDescriptorKeyframe) {
  const std::vector<std::uint8_t> payload = {0x10, 0x50, 0x01, 0x00};
  const auto d = Vp8Descriptor::parse(payload);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 1u);
  EXPECT_TRUE(d->keyframe);
  EXPECT_FALSE(d->pictureId);
  EXPECT_EQ(serialized(*d), std::vector<std::uint8_t>{0x10});
}

TEST(Vp8Descriptor, RejectsTruncated) {
  EXPECT_FALSE(Vp8Descriptor::parse(std::vector<std::uint8_t>{}));
  EXPECT_FALSE(Vp8Descriptor::parse(std::vector<std::uint8_t>{0x90}));              // X without its byte
  EXPECT_FALSE(Vp8Descriptor::parse(std::vector<std::uint8_t>{0x90, 0x80, 0x81}));  // 15-bit id cut
  EXPECT_FALSE(Vp8Descriptor::parse(std::vector<std::uint8_t>{0x90, 0x40}));        // TL0PICIDX missing
  EXPECT_FALSE(Vp8Descriptor::parse(std::vector<std::uint8_t>{0x90, 0x20}));        // TID byte missing
  EXPECT_FALSE(Vp8Descriptor::parse(std::vector<std::uint8_t>{0x10}));              // no payload
}

TEST(H264PayloadInfo, SingleNalUnits) {
  const auto idr = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x65, 0x88, 0x84});
  ASSERT_TRUE(idr);
  EXPECT_EQ(idr->packetType, 5);
  EXPECT_TRUE(idr->keyframe);
  const auto sps = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x67, 0x42, 0x00, 0x1F});
  ASSERT_TRUE(sps);
  EXPECT_TRUE(sps->keyframe);
  const auto slice = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x41, 0x9A});
  ASSERT_TRUE(slice);
  EXPECT_EQ(slice->packetType, 1);
  EXPECT_FALSE(slice->keyframe);
}

TEST(H264PayloadInfo, StapAWithSpsAndPpsIsKeyframe) {
  const std::vector<std::uint8_t> payload = {
      0x78,                    // F=0 NRI=3 type 24 (STAP-A)
      0x00, 0x04,              // NAL size 4
      0x67, 0x42, 0x00, 0x1F,  // SPS
      0x00, 0x02,              // NAL size 2
      0x68, 0xCE,              // PPS
  };
  const auto info = H264PayloadInfo::parse(payload);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->packetType, kH264StapA);
  EXPECT_EQ(info->firstNalType, kH264NalSps);
  EXPECT_TRUE(info->keyframe);

  const std::vector<std::uint8_t> nonKey = {0x78, 0x00, 0x02, 0x68, 0xCE, 0x00, 0x02, 0x41, 0x9A};
  const auto pps = H264PayloadInfo::parse(nonKey);
  ASSERT_TRUE(pps);
  EXPECT_FALSE(pps->keyframe);
}

TEST(H264PayloadInfo, FuAIdrOnlyAtStartFragment) {
  const auto start = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x7C, 0x85, 0xB8, 0x00});  // S=1 IDR
  ASSERT_TRUE(start);
  EXPECT_EQ(start->packetType, kH264FuA);
  EXPECT_EQ(start->firstNalType, kH264NalIdr);
  EXPECT_TRUE(start->startOfNal);
  EXPECT_TRUE(start->keyframe);
  const auto middle = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x7C, 0x05, 0x11});  // S=0 E=0
  ASSERT_TRUE(middle);
  EXPECT_FALSE(middle->startOfNal);
  EXPECT_FALSE(middle->keyframe);
  const auto endFrag = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x7C, 0x45, 0x11});  // E=1
  ASSERT_TRUE(endFrag);
  EXPECT_FALSE(endFrag->keyframe);
  const auto nonIdr = H264PayloadInfo::parse(std::vector<std::uint8_t>{0x5C, 0x81, 0x11});  // S=1 type 1
  ASSERT_TRUE(nonIdr);
  EXPECT_FALSE(nonIdr->keyframe);
}

TEST(H264PayloadInfo, RejectsMalformed) {
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{}));
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{0xE5}));  // forbidden bit
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{0x78}));  // empty STAP-A
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{0x78, 0x00, 0x05, 0x67, 0x42}));  // size past end
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{0x78, 0x00, 0x00}));  // zero size
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{0x7C, 0x85}));        // FU-A without data
  EXPECT_FALSE(H264PayloadInfo::parse(std::vector<std::uint8_t>{0x79, 0x00}));        // STAP-B unsupported
}

TEST(OpusPayload, EveryNonEmptyPacketIsAKeyframe) {
  EXPECT_TRUE(OpusPayload::isKeyframe(std::vector<std::uint8_t>{0xFC, 0xFF, 0xFE}));
  EXPECT_FALSE(OpusPayload::isKeyframe(std::vector<std::uint8_t>{}));
}

}  // namespace
}  // namespace huddle::rtc
