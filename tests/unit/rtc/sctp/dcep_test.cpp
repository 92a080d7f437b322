// DCEP codec vectors (RFC 8832 s5): annotated hex -> parse -> check -> build -> byte-compare.
#include "rtc/sctp/dcep.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace huddle::rtc {
namespace {

TEST(Dcep, ParsesAndRebuildsReliableOrderedOpen) {
  const std::vector<std::uint8_t> bytes = {
      0x03,                    // message type: DATA_CHANNEL_OPEN
      0x00,                    // channel type: DATA_CHANNEL_RELIABLE (ordered)
      0x01, 0x00,              // priority 256 (RFC 8831 "normal")
      0x00, 0x00, 0x00, 0x00,  // reliability parameter (ignored for reliable)
      0x00, 0x04,              // label length 4
      0x00, 0x04,              // protocol length 4
      'c',  'h',  'a',  't',   // label
      'j',  's',  'o',  'n',   // protocol
  };
  EXPECT_EQ(dcepMessageType(bytes), DcepMessageType::Open);
  const auto open = parseDcepOpen(bytes);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->reliability.kind, DataChannelKind::Reliable);
  EXPECT_TRUE(open->reliability.ordered);
  EXPECT_EQ(open->reliability.parameter, 0u);
  EXPECT_EQ(open->priority, 256);
  EXPECT_EQ(open->label, "chat");
  EXPECT_EQ(open->protocol, "json");
  EXPECT_EQ(buildDcepOpen(*open), bytes);
}

TEST(Dcep, ParsesAndRebuildsUnorderedRexmitOpen) {
  const std::vector<std::uint8_t> bytes = {
      0x03,                    // DATA_CHANNEL_OPEN
      0x81,                    // DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED
      0x00, 0x80,              // priority 128 ("below normal")
      0x00, 0x00, 0x00, 0x03,  // at most 3 retransmissions
      0x00, 0x01,              // label length 1
      0x00, 0x03,              // protocol length 3
      'x',                     // label
      'p',  'r',  'o',         // protocol
  };
  const auto open = parseDcepOpen(bytes);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->reliability.kind, DataChannelKind::PartialReliableRexmit);
  EXPECT_FALSE(open->reliability.ordered);
  EXPECT_EQ(open->reliability.parameter, 3u);
  EXPECT_EQ(open->priority, 128);
  EXPECT_EQ(open->label, "x");
  EXPECT_EQ(open->protocol, "pro");
  EXPECT_EQ(buildDcepOpen(*open), bytes);
}

TEST(Dcep, ParsesAndRebuildsTimedOpenWithEmptyStrings) {
  const std::vector<std::uint8_t> bytes = {
      0x03,                    // DATA_CHANNEL_OPEN
      0x02,                    // DATA_CHANNEL_PARTIAL_RELIABLE_TIMED (ordered)
      0x02, 0x00,              // priority 512 ("high")
      0x00, 0x00, 0x01, 0xf4,  // lifetime 500 ms
      0x00, 0x00,              // empty label
      0x00, 0x00,              // empty protocol
  };
  const auto open = parseDcepOpen(bytes);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->reliability.kind, DataChannelKind::PartialReliableTimed);
  EXPECT_TRUE(open->reliability.ordered);
  EXPECT_EQ(open->reliability.parameter, 500u);
  EXPECT_EQ(open->priority, 512);
  EXPECT_TRUE(open->label.empty());
  EXPECT_TRUE(open->protocol.empty());
  EXPECT_EQ(buildDcepOpen(*open), bytes);
}

TEST(Dcep, BuildsFromValues) {
  DcepOpen open;
  open.reliability = {DataChannelKind::Reliable, false, 0};
  open.priority = 0x0100;
  open.label = "ab";
  const std::vector<std::uint8_t> expected = {0x03, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                              0x00, 0x02, 0x00, 0x00, 'a',  'b'};
  EXPECT_EQ(buildDcepOpen(open), expected);
  EXPECT_EQ(parseDcepOpen(expected), open);
}

TEST(Dcep, Ack) {
  const std::vector<std::uint8_t> bytes = {0x02};  // DATA_CHANNEL_ACK: the type byte alone
  EXPECT_EQ(dcepMessageType(bytes), DcepMessageType::Ack);
  EXPECT_TRUE(parseDcepAck(bytes));
  EXPECT_EQ(buildDcepAck(), bytes);
}

TEST(Dcep, RejectsMalformed) {
  using Bytes = std::vector<std::uint8_t>;
  EXPECT_FALSE(dcepMessageType(Bytes{}).has_value());
  EXPECT_FALSE(dcepMessageType(Bytes{0x04}).has_value());
  EXPECT_FALSE(parseDcepOpen(Bytes{}).has_value());
  // Header one byte short.
  EXPECT_FALSE(parseDcepOpen(Bytes{0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}).has_value());
  // Wrong message type with an otherwise valid body.
  EXPECT_FALSE(parseDcepOpen(Bytes{0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  // Label length 5 but only 4 bytes follow.
  EXPECT_FALSE(parseDcepOpen(Bytes{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x05, 0x00, 0x00, 'a', 'b', 'c', 'd'}));
  // Protocol length runs past the end.
  EXPECT_FALSE(parseDcepOpen(Bytes{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0xff, 0xff, 'a'}));
  // A trailing byte the lengths do not account for.
  EXPECT_FALSE(parseDcepOpen(Bytes{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00, 'a', 'z'}));
  // Unknown channel types, ordered and unordered.
  for (const std::uint8_t type : {0x03, 0x83, 0x7f, 0xff}) {
    EXPECT_FALSE(parseDcepOpen(Bytes{0x03, type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) << int{type};
  }
  EXPECT_FALSE(parseDcepAck(Bytes{}));
  EXPECT_FALSE(parseDcepAck(Bytes{0x02, 0x00}));
  EXPECT_FALSE(parseDcepAck(Bytes{0x03}));
}

TEST(Dcep, BuildRefusesOversizeLabel) {
  DcepOpen open;
  open.label = std::string(65536, 'l');
  EXPECT_TRUE(buildDcepOpen(open).empty());
  open.label = std::string(65535, 'l');
  const auto bytes = buildDcepOpen(open);
  ASSERT_EQ(bytes.size(), kDcepOpenHeaderSize + 65535);
  EXPECT_EQ(parseDcepOpen(bytes), open);
}

}  // namespace
}  // namespace huddle::rtc
