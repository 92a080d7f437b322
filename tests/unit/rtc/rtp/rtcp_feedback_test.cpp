#include <gtest/gtest.h>

#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtcp_remb.h"
#include "rtcp_test_util.h"

namespace huddle::rtc {
namespace {

using test::built;
using test::mustParse;

const std::vector<std::uint8_t> kNack = {
    0x81, 0xCD, 0x00, 0x04,  // FMT=1 | PT=205 | length 4 (20 bytes)
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x11, 0x22, 0x33, 0x44,  // media SSRC
    0x00, 0x64, 0x80, 0x05,  // PID 100, BLP bits 0, 2, 15: 101, 103, 116
    0xFF, 0xFF, 0x00, 0x01,  // PID 65535, BLP bit 0: 0 (wraps)
};

TEST(RtcpNack, ParseExpandBuildCompare) {
  const auto nack = RtcpNack::parse(mustParse(kNack));
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->senderSsrc(), 1u);
  EXPECT_EQ(nack->mediaSsrc(), 0x11223344u);
  ASSERT_EQ(nack->itemCount(), 2u);
  EXPECT_EQ(nack->item(0), (NackItem{100, 0x8005}));
  EXPECT_EQ(nack->item(1), (NackItem{0xFFFF, 0x0001}));

  std::vector<std::uint16_t> seqs;
  nack->expand(seqs);
  const std::vector<std::uint16_t> expected = {100, 101, 103, 116, 65535, 0};
  EXPECT_EQ(seqs, expected);

  std::array<std::uint16_t, 4> few{};
  EXPECT_EQ(nack->expand(few), 4u);  // stops when the span is full
  EXPECT_EQ(few[3], 116);

  EXPECT_EQ(built([&](auto out) { return RtcpNack::buildFromSeqs(1, 0x11223344, seqs, out); }), kNack);
  const std::array<NackItem, 2> items = {NackItem{100, 0x8005}, NackItem{0xFFFF, 1}};
  EXPECT_EQ(built([&](auto out) { return RtcpNack::build(1, 0x11223344, items, out); }), kNack);
}

TEST(RtcpNack, PacksAcrossWrapAndLongGaps) {
  const std::vector<std::uint16_t> seqs = {65530, 65535, 3, 4, 40};
  EXPECT_EQ(RtcpNack::itemCountForSeqs(seqs), 2u);  // 65530 covers up to 10 (wrapped), 40 starts anew
  const auto bytes = built([&](auto out) { return RtcpNack::buildFromSeqs(7, 8, seqs, out); });
  const auto nack = RtcpNack::parse(mustParse(bytes));
  ASSERT_TRUE(nack);
  std::vector<std::uint16_t> back;
  nack->expand(back);
  EXPECT_EQ(back, seqs);
}

TEST(RtcpNack, RejectsEmptyFciAndOtherFmt) {
  EXPECT_FALSE(RtcpNack::parse(mustParse({0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2})));
  auto otherFmt = kNack;
  otherFmt[0] = 0x83;
  EXPECT_FALSE(RtcpNack::parse(mustParse(otherFmt)));
  EXPECT_EQ(built([&](auto out) { return RtcpNack::buildFromSeqs(1, 2, std::span<const std::uint16_t>{}, out); }),
            std::vector<std::uint8_t>{});
}

const std::vector<std::uint8_t> kPli = {
    0x81, 0xCE, 0x00, 0x02,  // FMT=1 | PT=206 | length 2
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x0A, 0x0B, 0x0C, 0x0D,  // media SSRC
};

TEST(RtcpPli, ParseCheckBuildCompare) {
  const auto pli = RtcpPli::parse(mustParse(kPli));
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->senderSsrc, 1u);
  EXPECT_EQ(pli->mediaSsrc, 0x0A0B0C0Du);
  EXPECT_EQ(built([&](auto out) { return pli->build(out); }), kPli);
  EXPECT_FALSE(RtcpPli::parse(mustParse({0x81, 0xCE, 0x00, 0x01, 0, 0, 0, 1})));  // media SSRC missing
}

const std::vector<std::uint8_t> kFir = {
    0x84, 0xCE, 0x00, 0x06,  // FMT=4 | PT=206 | length 6 (28 bytes)
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC: unused, zero
    0x11, 0x22, 0x33, 0x44,  // FCI 1: SSRC
    0x07, 0x00, 0x00, 0x00,  //        seq nr 7, reserved
    0x55, 0x66, 0x77, 0x88,  // FCI 2: SSRC
    0xFF, 0x00, 0x00, 0x00,  //        seq nr 255
};

TEST(RtcpFir, ParseCheckBuildCompare) {
  const auto fir = RtcpFir::parse(mustParse(kFir));
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->senderSsrc(), 1u);
  ASSERT_EQ(fir->entryCount(), 2u);
  EXPECT_EQ(fir->entry(0), (FirEntry{0x11223344, 7}));
  EXPECT_EQ(fir->entry(1), (FirEntry{0x55667788, 255}));
  const std::array<FirEntry, 2> entries = {fir->entry(0), fir->entry(1)};
  EXPECT_EQ(built([&](auto out) { return RtcpFir::build(1, entries, out); }), kFir);
}

TEST(RtcpFir, RejectsPartialEntry) {
  auto bytes = kFir;
  bytes.resize(24);
  bytes[3] = 0x05;  // FCI of 12 bytes: one and a half entries
  EXPECT_FALSE(RtcpFir::parse(mustParse(bytes)));
}

const std::vector<std::uint8_t> kRemb = {
    0x8F, 0xCE, 0x00, 0x06,  // FMT=15 | PT=206 | length 6 (28 bytes)
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC: zero
    'R', 'E', 'M', 'B',      // unique identifier
    0x02, 0x0B, 0xD0, 0x90,  // 2 SSRCs | exp 2, mantissa 250000: 1 000 000 bps
    0x11, 0x22, 0x33, 0x44,  // SSRC 1
    0x55, 0x66, 0x77, 0x88,  // SSRC 2
};

TEST(RtcpRemb, ParseCheckBuildCompare) {
  const auto remb = RtcpRemb::parse(mustParse(kRemb));
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->senderSsrc(), 1u);
  EXPECT_EQ(remb->bitrateBps(), 1000000u);
  ASSERT_EQ(remb->ssrcCount(), 2u);
  EXPECT_EQ(remb->ssrc(0), 0x11223344u);
  EXPECT_EQ(remb->ssrc(1), 0x55667788u);
  const std::array<std::uint32_t, 2> ssrcs = {remb->ssrc(0), remb->ssrc(1)};
  EXPECT_EQ(built([&](auto out) { return RtcpRemb::build(1, 1000000, ssrcs, out); }), kRemb);
}

TEST(RtcpRemb, LargeBitrateRoundsDown) {
  const std::array<std::uint32_t, 1> ssrcs = {9};
  const std::uint64_t wanted = 123456789012;
  const auto bytes = built([&](auto out) { return RtcpRemb::build(1, wanted, ssrcs, out); });
  const auto remb = RtcpRemb::parse(mustParse(bytes));
  ASSERT_TRUE(remb);
  EXPECT_LE(remb->bitrateBps(), wanted);
  EXPECT_GT(remb->bitrateBps(), wanted - (wanted >> 17));  // 18-bit mantissa precision
}

TEST(RtcpRemb, RejectsWrongTagAndSsrcCountPastEnd) {
  auto wrongTag = kRemb;
  wrongTag[12] = 'X';
  EXPECT_FALSE(RtcpRemb::parse(mustParse(wrongTag)));
  auto tooMany = kRemb;
  tooMany[16] = 3;
  EXPECT_FALSE(RtcpRemb::parse(mustParse(tooMany)));
}

}  // namespace
}  // namespace huddle::rtc
