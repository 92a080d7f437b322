#include <gtest/gtest.h>

#include "rtc/rtp/packet_class.h"
#include "rtc/rtp/rtcp_report.h"
#include "rtc/rtp/rtcp_sdes.h"
#include "rtc/rtp/rtcp_xr.h"
#include "rtcp_test_util.h"

namespace huddle::rtc {
namespace {

using test::built;
using test::mustParse;

const std::vector<std::uint8_t> kXr = {
    0x80, 0xCF, 0x00, 0x08,  // PT=207 | length 8 (36 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0x04, 0x00, 0x00, 0x02,  // RRTR block, length 2
    0xE1, 0x23, 0x45, 0x67,  // NTP seconds
    0x89, 0xAB, 0xCD, 0xEF,  // NTP fraction
    0x05, 0x00, 0x00, 0x03,  // DLRR block, length 3 (one sub-block)
    0x55, 0x66, 0x77, 0x88,  // SSRC
    0x45, 0x67, 0x89, 0xAB,  // last RR
    0x00, 0x01, 0x00, 0x00,  // delay since last RR: 1 s
};

TEST(RtcpXr, ParseCheckBuildCompare) {
  const auto xr = RtcpXr::parse(mustParse(kXr));
  ASSERT_TRUE(xr);
  EXPECT_EQ(xr->senderSsrc(), 0x11223344u);
  EXPECT_EQ(xr->rrtrNtp(), 0xE123456789ABCDEFu);
  ASSERT_EQ(xr->dlrrCount(), 1u);
  EXPECT_EQ(xr->dlrr(0), (DlrrItem{0x55667788, 0x456789AB, 0x00010000}));
  const std::array<DlrrItem, 1> dlrr = {xr->dlrr(0)};
  EXPECT_EQ(built([&](auto out) { return RtcpXr::build(0x11223344, xr->rrtrNtp(), dlrr, out); }), kXr);
}

TEST(RtcpXr, SkipsUnknownBlocksAndRejectsBlockPastEnd) {
  const std::vector<std::uint8_t> unknown = {
      0x80, 0xCF, 0x00, 0x04,  // length 4 (20 bytes)
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0x07, 0x00, 0x00, 0x02,  // block type 7 (VoIP metrics, not ours), length 2
      0x00, 0x00, 0x00, 0x00,  //
      0x00, 0x00, 0x00, 0x00,  //
  };
  const auto xr = RtcpXr::parse(mustParse(unknown));
  ASSERT_TRUE(xr);
  EXPECT_FALSE(xr->rrtrNtp());
  EXPECT_EQ(xr->dlrrCount(), 0u);

  auto pastEnd = unknown;
  pastEnd[11] = 0x03;
  EXPECT_FALSE(RtcpXr::parse(mustParse(pastEnd)));
}

// A compound as browsers send it: SR (no report blocks) then SDES with the CNAME.
const std::vector<std::uint8_t> kCompound = {
    0x80, 0xC8, 0x00, 0x06,  // SR, RC=0, length 6 (28 bytes)
    0x00, 0x00, 0x04, 0xD2,  // sender SSRC 1234
    0xE1, 0x00, 0x00, 0x00,  // NTP seconds
    0x80, 0x00, 0x00, 0x00,  // NTP fraction (0.5 s)
    0x00, 0x00, 0x3A, 0x98,  // RTP timestamp 15000
    0x00, 0x00, 0x00, 0x0A,  // packet count 10
    0x00, 0x00, 0x04, 0xB0,  // octet count 1200
    0x81, 0xCA, 0x00, 0x03,  // SDES, SC=1, length 3 (16 bytes)
    0x00, 0x00, 0x04, 0xD2,  // SSRC 1234
    0x01, 0x05, 'a', 'b',    // CNAME "abcde"
    'c', 'd', 'e', 0x00,     // end of items
};

TEST(RtcpCompound, IteratesSrAndSdesAndRebuilds) {
  EXPECT_TRUE(isRtcp(kCompound));
  EXPECT_TRUE(isValidRtcpCompound(kCompound));
  std::vector<std::uint8_t> rebuilt;
  int packets = 0;
  for (const RtcpPacket& packet : RtcpCompound(kCompound)) {
    ++packets;
    if (packet.type == static_cast<std::uint8_t>(RtcpType::SenderReport)) {
      const auto sr = RtcpSenderReport::parse(packet);
      ASSERT_TRUE(sr);
      EXPECT_EQ(sr->ssrc, 1234u);
      EXPECT_EQ(sr->ntpTimestamp, 0xE100000080000000u);
      EXPECT_EQ(sr->rtpTimestamp, 15000u);
      EXPECT_EQ(sr->packetCount, 10u);
      EXPECT_EQ(sr->octetCount, 1200u);
      EXPECT_EQ(sr->reports.count, 0u);
      const auto bytes = built([&](auto out) { return sr->build(out); });
      rebuilt.insert(rebuilt.end(), bytes.begin(), bytes.end());
    } else if (packet.type == static_cast<std::uint8_t>(RtcpType::Sdes)) {
      const auto sdes = RtcpSdes::parse(packet);
      ASSERT_TRUE(sdes);
      ASSERT_EQ(sdes->count, 1u);
      EXPECT_EQ(sdes->chunks()[0], (SdesChunk{1234, "abcde"}));
      const auto bytes = built([&](auto out) { return sdes->build(out); });
      rebuilt.insert(rebuilt.end(), bytes.begin(), bytes.end());
    }
  }
  EXPECT_EQ(packets, 2);
  EXPECT_EQ(rebuilt, kCompound);
}

TEST(RtcpCompound, StopsAndFlagsMalformedHeader) {
  auto bytes = kCompound;
  bytes[31] = 0x09;  // SDES length past the end of the datagram
  RtcpCompoundReader reader(bytes);
  EXPECT_TRUE(reader.next());  // the SR is still fine
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.malformed());
  EXPECT_FALSE(isValidRtcpCompound(bytes));
}

TEST(RtcpPacketHeader, RejectsMalformedHeaders) {
  EXPECT_FALSE(parseRtcpPacket(std::span<const std::uint8_t>{}));                   // zero length
  EXPECT_FALSE(isValidRtcpCompound(std::span<const std::uint8_t>{}));               //
  EXPECT_FALSE(parseRtcpPacket(std::vector<std::uint8_t>{0x80, 0xC9, 0x00}));       // truncated header
  EXPECT_FALSE(parseRtcpPacket(std::vector<std::uint8_t>{0x40, 0xC9, 0x00, 0x00}));  // version 1
  EXPECT_FALSE(parseRtcpPacket(std::vector<std::uint8_t>{0x80, 0xC9, 0x00, 0x01, 0, 0, 0}));  // length past end
  // Padding: count 0 and count reaching into the header are both malformed.
  EXPECT_FALSE(parseRtcpPacket(std::vector<std::uint8_t>{0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 0}));
  EXPECT_FALSE(parseRtcpPacket(std::vector<std::uint8_t>{0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 5}));
  const std::vector<std::uint8_t> allPadding = {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 4};
  const auto padded = parseRtcpPacket(allPadding);
  ASSERT_TRUE(padded);
  EXPECT_TRUE(padded->body.empty());
}

TEST(RtcpCompound, HeaderOnlyPacketIsWellFormed) {
  const std::vector<std::uint8_t> byeNoSsrc = {0x80, 0xCB, 0x00, 0x00};
  const auto packet = parseRtcpPacket(byeNoSsrc);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->bytes.size(), 4u);
  EXPECT_TRUE(packet->body.empty());
}

}  // namespace
}  // namespace huddle::rtc

namespace huddle::rtc {
namespace {

TEST(RtcpCompound, PaddedLastPacketAndProfileExtensionAfterBlocks) {
  const std::vector<std::uint8_t> bytes = {
      0x80, 0xC8, 0x00, 0x07,  // SR, RC=0, length 7 (32 bytes): 4 bytes beyond the sender info
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0x00, 0x00, 0x00, 0x02,  // NTP
      0x00, 0x00, 0x00, 0x03,  //
      0x00, 0x00, 0x00, 0x04,  // RTP timestamp
      0x00, 0x00, 0x00, 0x05,  // packet count
      0x00, 0x00, 0x00, 0x06,  // octet count
      0xDE, 0xAD, 0xBE, 0xEF,  // profile-specific extension: ignored
      0xA0, 0xC9, 0x00, 0x02,  // RR, P=1, RC=0, length 2 (12 bytes)
      0x00, 0x00, 0x00, 0x07,  // sender SSRC
      0x00, 0x00, 0x00, 0x04,  // padding, count 4
  };
  ASSERT_TRUE(isValidRtcpCompound(bytes));
  RtcpCompoundReader reader(bytes);
  const auto srPacket = reader.next();
  ASSERT_TRUE(srPacket);
  const auto sr = RtcpSenderReport::parse(*srPacket);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->octetCount, 6u);
  EXPECT_EQ(sr->reports.count, 0u);
  const auto rrPacket = reader.next();
  ASSERT_TRUE(rrPacket);
  EXPECT_EQ(rrPacket->bytes.size(), 12u);
  EXPECT_EQ(rrPacket->body.size(), 4u);
  const auto rr = RtcpReceiverReport::parse(*rrPacket);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->ssrc, 7u);
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.malformed());
}

TEST(RtcpCompound, TrailingBytesShorterThanAHeaderAreMalformed) {
  std::vector<std::uint8_t> bytes = {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1, 0x80, 0xC9};
  EXPECT_FALSE(isValidRtcpCompound(bytes));
}

}  // namespace
}  // namespace huddle::rtc
