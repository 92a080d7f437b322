#include <gtest/gtest.h>

#include "rtc/rtp/rtcp_bye.h"
#include "rtc/rtp/rtcp_sdes.h"
#include "rtcp_test_util.h"

namespace huddle::rtc {
namespace {

using test::built;
using test::mustParse;

const std::vector<std::uint8_t> kSdes = {
    0x81, 0xCA, 0x00, 0x06,  // SC=1 | PT=202 | length 6 (28 bytes)
    0x11, 0x22, 0x33, 0x44,  // chunk SSRC
    0x01, 0x10,              // CNAME, 16 bytes
    'o', 'u', 'r', 'c', 'n', 'a', 'm', 'e', '-', '0', '1', '2', '3', '4', '5', '6',
    0x00, 0x00,  // end of items, pad to the word
};

TEST(RtcpSdes, ParseCheckBuildCompare) {
  const auto sdes = RtcpSdes::parse(mustParse(kSdes));
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->chunks().size(), 1u);
  EXPECT_EQ(sdes->chunks()[0].ssrc, 0x11223344u);
  EXPECT_EQ(sdes->chunks()[0].cname, "ourcname-0123456");
  EXPECT_EQ(built([&](auto out) { return sdes->build(out); }), kSdes);
}

TEST(RtcpSdes, SkipsOtherItemsAndReadsTwoChunks) {
  const std::vector<std::uint8_t> bytes = {
      0x82, 0xCA, 0x00, 0x07,  // SC=2 | length 7 (32 bytes)
      0x00, 0x00, 0x00, 0x01,  // chunk 1 SSRC
      0x02, 0x02, 'm', 'e',    // NAME "me" (skipped)
      0x01, 0x01, 'x', 0x00,   // CNAME "x", end
      0x00, 0x00, 0x00, 0x02,  // chunk 2 SSRC
      0x01, 0x03, 'a', 'b',    // CNAME "abc"
      'c', 0x00, 0x00, 0x00,   // end, pad
      0x00, 0x00, 0x00, 0x00,  // trailing padding words are tolerated
  };
  const auto sdes = RtcpSdes::parse(mustParse(bytes));
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->count, 2u);
  EXPECT_EQ(sdes->chunks()[0], (SdesChunk{1, "x"}));
  EXPECT_EQ(sdes->chunks()[1], (SdesChunk{2, "abc"}));
}

TEST(RtcpSdes, RejectsItemPastEndAndMissingTerminator) {
  const std::vector<std::uint8_t> itemPastEnd = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x08, 'a', 'b'};
  EXPECT_FALSE(RtcpSdes::parse(mustParse(itemPastEnd)));
  const std::vector<std::uint8_t> noEnd = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'};
  EXPECT_FALSE(RtcpSdes::parse(mustParse(noEnd)));
  const std::vector<std::uint8_t> missingChunk = {0x82, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(RtcpSdes::parse(mustParse(missingChunk)));
}

const std::vector<std::uint8_t> kBye = {
    0x82, 0xCB, 0x00, 0x04,  // SC=2 | PT=203 | length 4 (20 bytes)
    0x11, 0x22, 0x33, 0x44,  // SSRC 1
    0x55, 0x66, 0x77, 0x88,  // SSRC 2
    0x07, 'g', 'o', 'o',     // reason length 7
    'd', 'b', 'y', 'e',
};

TEST(RtcpBye, ParseCheckBuildCompare) {
  const auto bye = RtcpBye::parse(mustParse(kBye));
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrcs().size(), 2u);
  EXPECT_EQ(bye->ssrcs()[0], 0x11223344u);
  EXPECT_EQ(bye->ssrcs()[1], 0x55667788u);
  EXPECT_EQ(bye->reason, "goodbye");
  EXPECT_EQ(built([&](auto out) { return bye->build(out); }), kBye);
}

TEST(RtcpBye, WithoutReasonAndPaddedReason) {
  RtcpBye bye;
  bye.push(0xABCDEF01);
  EXPECT_EQ(built([&](auto out) { return bye.build(out); }),
            (std::vector<std::uint8_t>{0x81, 0xCB, 0x00, 0x01, 0xAB, 0xCD, 0xEF, 0x01}));
  bye.reason = "ok";
  EXPECT_EQ(built([&](auto out) { return bye.build(out); }),
            (std::vector<std::uint8_t>{0x81, 0xCB, 0x00, 0x02, 0xAB, 0xCD, 0xEF, 0x01, 0x02, 'o', 'k', 0x00}));
}

TEST(RtcpBye, RejectsReasonPastEnd) {
  const std::vector<std::uint8_t> bytes = {0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0x09, 'a', 'b', 'c'};
  EXPECT_FALSE(RtcpBye::parse(mustParse(bytes)));
  const std::vector<std::uint8_t> tooFewSsrcs = {0x83, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_FALSE(RtcpBye::parse(mustParse(tooFewSsrcs)));
}

}  // namespace
}  // namespace huddle::rtc
