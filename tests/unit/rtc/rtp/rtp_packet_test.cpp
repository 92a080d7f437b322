#include "rtc/rtp/rtp_packet.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/rtp/packet_class.h"
#include "rtc/rtp/rtp_header_extensions.h"

namespace huddle::rtc {
namespace {

// V=2 P=1 X=1 CC=1, one-byte extensions, 4 payload bytes, 3 bytes of padding.
std::vector<std::uint8_t> oneBytePacket() {
  return {
      0xB1, 0xE0, 0x12, 0x34,  // V=2 P=1 X=1 CC=1 | M=1 PT=96 | seq 0x1234
      0x00, 0x01, 0xE2, 0x40,  // timestamp 123456
      0x11, 0x22, 0x33, 0x44,  // SSRC
      0xAA, 0xBB, 0xCC, 0xDD,  // CSRC[0]
      0xBE, 0xDE, 0x00, 0x03,  // one-byte profile, 3 words of elements
      0x11, 0x00, 0x2A,        // id 1, len 2: transport-wide seq 42
      0x22, 0x12, 0x34, 0x56,  // id 2, len 3: abs-send-time 0x123456
      0x30, 0x85,              // id 3, len 1: audio level V=1 level 5
      0x40, 0x61,              // id 4, len 1: mid "a"
      0x00,                    // padding byte inside the block
      0x01, 0x02, 0x03, 0x04,  // payload
      0x00, 0x00, 0x03,        // RTP padding, count 3
  };
}

// V=2 X=1 CC=0, two-byte extensions (profile 0x1000), 2 payload bytes.
std::vector<std::uint8_t> twoBytePacket() {
  return {
      0x90, 0x6F, 0x00, 0x01,  // V=2 X=1 | M=0 PT=111 | seq 1
      0x00, 0x00, 0x00, 0x10,  // timestamp 16
      0x01, 0x02, 0x03, 0x04,  // SSRC
      0x10, 0x00, 0x00, 0x03,  // two-byte profile, 3 words
      0x01, 0x02, 0xFF, 0xFE,  // id 1, len 2: transport-wide seq 0xFFFE
      0x14, 0x00,              // id 20, len 0
      0x05, 0x03, 'a', 'b', 'c',  // id 5, len 3: rid "abc"
      0x00,                    // padding
      0xDE, 0xAD,              // payload
  };
}

TEST(RtpPacketView, ParsesOneByteExtensionsCsrcAndPadding) {
  auto bytes = oneBytePacket();
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->hasPadding());
  EXPECT_TRUE(packet->hasExtension());
  EXPECT_TRUE(packet->marker());
  EXPECT_EQ(packet->payloadType(), 96);
  EXPECT_EQ(packet->sequenceNumber(), 0x1234);
  EXPECT_EQ(packet->timestamp(), 123456u);
  EXPECT_EQ(packet->ssrc(), 0x11223344u);
  ASSERT_EQ(packet->csrcCount(), 1);
  EXPECT_EQ(packet->csrc(0), 0xAABBCCDDu);
  EXPECT_EQ(packet->extensionForm(), RtpExtensionForm::OneByte);
  EXPECT_EQ(packet->headerSize(), 32u);
  EXPECT_EQ(packet->paddingSize(), 3u);
  ASSERT_EQ(packet->payload().size(), 4u);
  EXPECT_EQ(packet->payload()[0], 0x01);
  EXPECT_EQ(packet->payload()[3], 0x04);

  ASSERT_TRUE(packet->findExtension(1));
  EXPECT_EQ(readTransportWideSeq(*packet->findExtension(1)), 42);
  EXPECT_EQ(readAbsSendTime(*packet->findExtension(2)), 0x123456u);
  EXPECT_EQ(readAudioLevel(*packet->findExtension(3)), (AudioLevel{true, 5}));
  EXPECT_EQ(readMid(*packet->findExtension(4)), "a");
  EXPECT_FALSE(packet->findExtension(5));
  EXPECT_FALSE(packet->findExtension(0));
  // Wrong-size values are refused by the typed readers.
  EXPECT_FALSE(readTransportWideSeq(*packet->findExtension(2)));
  EXPECT_FALSE(readAbsSendTime(*packet->findExtension(1)));
}

TEST(RtpPacketView, RewritesHeaderFieldsInPlace) {
  auto bytes = oneBytePacket();
  auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  packet->setSsrc(0xCAFEBABE);
  packet->setSequenceNumber(0xFFFF);
  packet->setTimestamp(0x01020304);
  packet->setPayloadType(100);
  packet->setMarker(false);
  ASSERT_TRUE(setTransportWideSeq(*packet, 1, 0xBEEF));
  ASSERT_TRUE(setAbsSendTime(*packet, 2, 0xABCDEF));
  EXPECT_FALSE(setAbsSendTime(*packet, 1, 1));      // element 1 holds 2 bytes, not 3
  EXPECT_FALSE(setTransportWideSeq(*packet, 9, 1));  // absent

  const std::vector<std::uint8_t> expected = {
      0xB1, 0x64, 0xFF, 0xFF,  // M=0 PT=100 | seq 0xFFFF
      0x01, 0x02, 0x03, 0x04,  // timestamp
      0xCA, 0xFE, 0xBA, 0xBE,  // SSRC
      0xAA, 0xBB, 0xCC, 0xDD,  // CSRC unchanged
      0xBE, 0xDE, 0x00, 0x03,  //
      0x11, 0xBE, 0xEF,        // transport-wide seq rewritten
      0x22, 0xAB, 0xCD, 0xEF,  // abs-send-time rewritten
      0x30, 0x85,              //
      0x40, 0x61,              //
      0x00,                    //
      0x01, 0x02, 0x03, 0x04,  //
      0x00, 0x00, 0x03,        //
  };
  EXPECT_EQ(bytes, expected);
}

TEST(RtpPacketView, ParsesTwoByteExtensions) {
  auto bytes = twoBytePacket();
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_FALSE(packet->hasPadding());
  EXPECT_FALSE(packet->marker());
  EXPECT_EQ(packet->payloadType(), 111);
  EXPECT_EQ(packet->extensionForm(), RtpExtensionForm::TwoByte);
  EXPECT_EQ(readTransportWideSeq(*packet->findExtension(1)), 0xFFFE);
  const auto empty = packet->findExtension(20);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(readRid(*packet->findExtension(5)), "abc");
  ASSERT_EQ(packet->payload().size(), 2u);
  EXPECT_EQ(packet->payload()[0], 0xDE);
}

TEST(RtpPacketView, RewritesExtensionIdsInBothForms) {
  auto one = oneBytePacket();
  auto p1 = RtpPacketView::parse(one);
  ASSERT_TRUE(p1);
  EXPECT_FALSE(p1->rewriteExtensionId(1, 15));  // not expressible in the one-byte form
  EXPECT_FALSE(p1->rewriteExtensionId(9, 10));  // absent
  ASSERT_TRUE(p1->rewriteExtensionId(1, 7));
  EXPECT_EQ(one[20], 0x71);  // id 7, length nibble kept
  EXPECT_EQ(readTransportWideSeq(*p1->findExtension(7)), 42);
  EXPECT_FALSE(p1->findExtension(1));

  auto two = twoBytePacket();
  auto p2 = RtpPacketView::parse(two);
  ASSERT_TRUE(p2);
  ASSERT_TRUE(p2->rewriteExtensionId(5, 200));
  EXPECT_EQ(two[22], 200);
  EXPECT_EQ(readRid(*p2->findExtension(200)), "abc");
}

TEST(RtpPacketView, RemapSwapsIdsInOnePass) {
  auto bytes = oneBytePacket();
  auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  std::array<std::uint8_t, 256> map{};
  map[1] = 2;
  map[2] = 1;
  ASSERT_TRUE(packet->remapExtensionIds(map));
  EXPECT_EQ(readTransportWideSeq(*packet->findExtension(2)), 42);
  EXPECT_EQ(readAbsSendTime(*packet->findExtension(1)), 0x123456u);
  map[3] = 15;  // cannot fit: the whole remap is refused and nothing changes
  const auto before = bytes;
  EXPECT_FALSE(packet->remapExtensionIds(map));
  EXPECT_EQ(bytes, before);
}

TEST(RtpPacketView, MinimalHeaderWithEmptyPayload) {
  std::vector<std::uint8_t> bytes = {0x80, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload().empty());
  EXPECT_EQ(packet->extensionForm(), RtpExtensionForm::None);
  EXPECT_FALSE(packet->findExtension(1));
}

TEST(RtpPacketView, RejectsZeroLength) {
  std::vector<std::uint8_t> bytes;
  EXPECT_FALSE(RtpPacketView::parse(bytes));
}

TEST(RtpPacketView, RejectsTruncatedHeader) {
  auto bytes = oneBytePacket();
  bytes.resize(11);
  EXPECT_FALSE(RtpPacketView::parse(bytes));
}

TEST(RtpPacketView, RejectsWrongVersion) {
  auto bytes = twoBytePacket();
  bytes[0] = 0x50;  // version 1
  EXPECT_FALSE(RtpPacketView::parse(bytes));
  bytes[0] = 0xD0;  // version 3
  EXPECT_FALSE(RtpPacketView::parse(bytes));
}

TEST(RtpPacketView, RejectsPaddingLongerThanPayload) {
  auto bytes = oneBytePacket();
  bytes.back() = 8;  // payload + padding is only 7 bytes
  EXPECT_FALSE(RtpPacketView::parse(bytes));
  bytes.back() = 7;  // exactly the payload area: valid, empty payload
  const auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload().empty());
  bytes.back() = 0;  // a padding count never counts zero bytes
  EXPECT_FALSE(RtpPacketView::parse(bytes));
}

TEST(RtpPacketView, RejectsExtensionLengthPastEnd) {
  auto bytes = twoBytePacket();
  bytes[15] = 0x05;  // 5 words, only 3 (+2 payload bytes) present
  EXPECT_FALSE(RtpPacketView::parse(bytes));
  bytes.resize(14);  // extension header itself truncated
  bytes[0] = 0x90;
  EXPECT_FALSE(RtpPacketView::parse(bytes));
}

TEST(RtpPacketView, RejectsCsrcsPastEnd) {
  std::vector<std::uint8_t> bytes = {0x82, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD};
  EXPECT_FALSE(RtpPacketView::parse(bytes));  // CC=2 needs 8 bytes of CSRCs
}

TEST(RtpPacketView, MalformedElementHidesLaterElementsButKeepsPacket) {
  // id 1 claims 4 bytes but the block holds 3 after it.
  std::vector<std::uint8_t> bytes = {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                     0xBE, 0xDE, 0x00, 0x01, 0x13, 0x01, 0x02, 0x03};
  auto packet = RtpPacketView::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_FALSE(packet->findExtension(1));
  EXPECT_FALSE(packet->rewriteExtensionId(1, 2));
}

TEST(PacketClass, SplitsRtpFromRtcpAndOthers) {
  const std::vector<std::uint8_t> rtp = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  const std::vector<std::uint8_t> rtpMarkerPt96 = {0x80, 0xE0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  const std::vector<std::uint8_t> rtcpRr = {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1};
  const std::vector<std::uint8_t> stun = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
  const std::vector<std::uint8_t> dtls = {0x16, 0xFE, 0xFD, 0x00};
  EXPECT_TRUE(isRtpOrRtcp(rtp));
  EXPECT_TRUE(isRtp(rtp));
  EXPECT_FALSE(isRtcp(rtp));
  EXPECT_TRUE(isRtp(rtpMarkerPt96));  // 0xE0 = 224: outside the RTCP range
  EXPECT_TRUE(isRtcp(rtcpRr));
  EXPECT_FALSE(isRtp(rtcpRr));
  EXPECT_FALSE(isRtpOrRtcp(stun));
  EXPECT_FALSE(isRtpOrRtcp(dtls));
  EXPECT_FALSE(isRtpOrRtcp(std::span<const std::uint8_t>{}));
}

}  // namespace
}  // namespace huddle::rtc
