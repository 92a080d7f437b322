#include "rtc/rtp/rtcp_report.h"

#include <gtest/gtest.h>

#include "rtcp_test_util.h"

namespace huddle::rtc {
namespace {

using test::built;
using test::mustParse;

const std::vector<std::uint8_t> kSenderReport = {
    0x81, 0xC8, 0x00, 0x0C,  // V=2 P=0 RC=1 | PT=200 | length 12 (52 bytes)
    0x5D, 0x93, 0x15, 0x34,  // sender SSRC
    0xDD, 0x3A, 0xC1, 0xB4,  // NTP seconds
    0x76, 0x54, 0x71, 0x71,  // NTP fraction
    0x00, 0x08, 0xCF, 0x00,  // RTP timestamp
    0x00, 0x00, 0x0E, 0x18,  // packet count 3608
    0x00, 0x08, 0xCF, 0x00,  // octet count
    0x01, 0x93, 0x2D, 0xB4,  // block: SSRC
    0x50, 0xFF, 0xFF, 0xFE,  // fraction lost 80 | cumulative lost -2
    0x00, 0x00, 0x03, 0x5F,  // extended highest sequence 863
    0x00, 0x00, 0x00, 0x07,  // jitter 7
    0x00, 0x01, 0x02, 0x03,  // LSR
    0x00, 0x00, 0x00, 0x09,  // DLSR
};

TEST(RtcpSenderReport, ParseCheckBuildCompare) {
  const auto packet = mustParse(kSenderReport);
  const auto sr = RtcpSenderReport::parse(packet);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->ssrc, 0x5D931534u);
  EXPECT_EQ(sr->ntpTimestamp, 0xDD3AC1B476547171u);
  EXPECT_EQ(sr->rtpTimestamp, 0x0008CF00u);
  EXPECT_EQ(sr->packetCount, 3608u);
  EXPECT_EQ(sr->octetCount, 0x0008CF00u);
  ASSERT_EQ(sr->reports.count, 1u);
  const ReportBlock& b = sr->reports.items[0];
  EXPECT_EQ(b.ssrc, 0x01932DB4u);
  EXPECT_EQ(b.fractionLost, 80);
  EXPECT_EQ(b.cumulativeLost, -2);
  EXPECT_EQ(b.extendedHighestSeq, 863u);
  EXPECT_EQ(b.jitter, 7u);
  EXPECT_EQ(b.lastSr, 0x00010203u);
  EXPECT_EQ(b.delaySinceLastSr, 9u);
  EXPECT_EQ(built([&](auto out) { return sr->build(out); }), kSenderReport);
}

TEST(RtcpSenderReport, BuildFromValuesMatchesWire) {
  RtcpSenderReport sr;
  sr.ssrc = 0x5D931534;
  sr.ntpTimestamp = 0xDD3AC1B476547171;
  sr.rtpTimestamp = 0x0008CF00;
  sr.packetCount = 3608;
  sr.octetCount = 0x0008CF00;
  sr.reports.push(ReportBlock{0x01932DB4, 80, -2, 863, 7, 0x00010203, 9});
  EXPECT_EQ(built([&](auto out) { return sr.build(out); }), kSenderReport);
  std::array<std::uint8_t, 51> small{};
  EXPECT_EQ(sr.build(small), 0u);
}

TEST(RtcpSenderReport, RejectsBlockCountPastLength) {
  auto bytes = kSenderReport;
  bytes[0] = 0x82;  // RC=2 but only one block present
  const auto packet = mustParse(bytes);
  EXPECT_FALSE(RtcpSenderReport::parse(packet));
}

TEST(RtcpSenderReport, RejectsOtherTypeAndShortBody) {
  EXPECT_FALSE(RtcpSenderReport::parse(mustParse({0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1})));
  EXPECT_FALSE(RtcpSenderReport::parse(mustParse({0x80, 0xC8, 0x00, 0x01, 0, 0, 0, 1})));
}

const std::vector<std::uint8_t> kReceiverReport = {
    0x81, 0xC9, 0x00, 0x07,  // RC=1 | PT=201 | length 7 (32 bytes)
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x11, 0x22, 0x33, 0x44,  // block: SSRC
    0x02, 0x00, 0x01, 0x00,  // fraction lost 2 | cumulative lost 256
    0x00, 0x01, 0x00, 0x05,  // extended highest sequence (1 cycle, seq 5)
    0x00, 0x00, 0x01, 0x00,  // jitter
    0xAB, 0xCD, 0xEF, 0x01,  // LSR
    0x00, 0x01, 0x80, 0x00,  // DLSR 1.5 s
};

TEST(RtcpReceiverReport, ParseCheckBuildCompare) {
  const auto rr = RtcpReceiverReport::parse(mustParse(kReceiverReport));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->ssrc, 1u);
  ASSERT_EQ(rr->reports.blocks().size(), 1u);
  const ReportBlock& b = rr->reports.blocks()[0];
  EXPECT_EQ(b.ssrc, 0x11223344u);
  EXPECT_EQ(b.fractionLost, 2);
  EXPECT_EQ(b.cumulativeLost, 256);
  EXPECT_EQ(b.extendedHighestSeq, 0x00010005u);
  EXPECT_EQ(b.jitter, 256u);
  EXPECT_EQ(b.lastSr, 0xABCDEF01u);
  EXPECT_EQ(b.delaySinceLastSr, 0x00018000u);
  EXPECT_EQ(built([&](auto out) { return rr->build(out); }), kReceiverReport);
}

TEST(RtcpReceiverReport, EmptyReportRoundTrips) {
  const std::vector<std::uint8_t> empty = {0x80, 0xC9, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF};
  const auto rr = RtcpReceiverReport::parse(mustParse(empty));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->ssrc, 0xDEADBEEFu);
  EXPECT_EQ(rr->reports.count, 0u);
  EXPECT_EQ(built([&](auto out) { return rr->build(out); }), empty);
}

}  // namespace
}  // namespace huddle::rtc
