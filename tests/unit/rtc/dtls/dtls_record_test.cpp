#include "rtc/dtls/dtls_record.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace huddle::rtc {
namespace {

TEST(DtlsRecordView, ParsesHandshakeRecordHeader) {
  // clang-format off
  const std::vector<std::uint8_t> bytes = {
    0x16,                                // content type 22 (handshake)
    0xfe, 0xfd,                          // version DTLS 1.2
    0x00, 0x01,                          // epoch 1
    0x00, 0x00, 0x01, 0x02, 0x03, 0x04,  // sequence number 0x0000'0102'0304
    0x00, 0x03,                          // length 3
    0xaa, 0xbb, 0xcc,                    // fragment
  };
  // clang-format on
  const auto record = DtlsRecordView::parse(bytes);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->contentType(), DtlsContentType::Handshake);
  EXPECT_EQ(record->version(), 0xfefd);
  EXPECT_EQ(record->epoch(), 1);
  EXPECT_EQ(record->sequenceNumber(), 0x01020304u);
  EXPECT_EQ(record->length(), 3);
  EXPECT_EQ(record->size(), bytes.size());
  // The fragment is a view into the original bytes, not a copy.
  EXPECT_EQ(record->fragment().data(), bytes.data() + 13);
  EXPECT_EQ(std::vector<std::uint8_t>(record->fragment().begin(), record->fragment().end()),
            (std::vector<std::uint8_t>{0xaa, 0xbb, 0xcc}));
}

TEST(DtlsRecordView, ReadsFullFortyEightBitSequence) {
  // clang-format off
  const std::vector<std::uint8_t> bytes = {
    0x17,                                // application data
    0xfe, 0xff,                          // version DTLS 1.0
    0xff, 0xfe,                          // epoch 65534
    0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa,  // sequence number
    0x00, 0x00,                          // empty fragment
  };
  // clang-format on
  const auto record = DtlsRecordView::parse(bytes);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->contentType(), DtlsContentType::ApplicationData);
  EXPECT_EQ(record->version(), 0xfeff);
  EXPECT_EQ(record->epoch(), 0xfffe);
  EXPECT_EQ(record->sequenceNumber(), 0xffeeddccbbaaULL);
  EXPECT_EQ(record->length(), 0);
}

TEST(DtlsRecordView, RejectsShortHeaderBadTypeBadVersionAndOverlongLength) {
  const std::vector<std::uint8_t> good = {0x15, 0xfe, 0xfd, 0,    0,    0,    0,   0,
                                          0,    0,    0,    0x00, 0x02, 0x02, 0x28};
  ASSERT_TRUE(DtlsRecordView::parse(good).has_value());

  EXPECT_FALSE(DtlsRecordView::parse(std::span(good).first(12)).has_value());  // header cut
  auto badType = good;
  badType[0] = 25;  // past heartbeat
  EXPECT_FALSE(DtlsRecordView::parse(badType).has_value());
  badType[0] = 19;
  EXPECT_FALSE(DtlsRecordView::parse(badType).has_value());
  auto tlsVersion = good;
  tlsVersion[1] = 0x03;  // TLS 1.2 is 0x0303
  tlsVersion[2] = 0x03;
  EXPECT_FALSE(DtlsRecordView::parse(tlsVersion).has_value());
  auto overlong = good;
  overlong[12] = 0x03;  // claims 3 bytes, 2 present
  EXPECT_FALSE(DtlsRecordView::parse(overlong).has_value());
}

TEST(DtlsRecordView, CountsRecordsThatTileTheDatagram) {
  // clang-format off
  const std::vector<std::uint8_t> two = {
    0x14, 0xfe, 0xfd, 0x00, 0x00, 0, 0, 0, 0, 0, 0x05, 0x00, 0x01,  // change cipher spec header
    0x01,                                                           // its one-byte body
    0x16, 0xfe, 0xfd, 0x00, 0x01, 0, 0, 0, 0, 0, 0x00, 0x00, 0x02,  // encrypted Finished header
    0x12, 0x34,                                                     // body
  };
  // clang-format on
  EXPECT_EQ(DtlsRecordView::countRecords(two), 2u);
  // A trailing byte that cannot be a record makes the whole datagram suspect.
  auto trailing = two;
  trailing.push_back(0x16);
  EXPECT_FALSE(DtlsRecordView::countRecords(trailing).has_value());
  EXPECT_FALSE(DtlsRecordView::countRecords({}).has_value());
}

TEST(DtlsRecord, DemultiplexesByFirstByteRange) {
  // RFC 7983: 0..3 STUN, 20..63 DTLS, 64..79 TURN channel, 128..191 RTP/RTCP.
  const auto first = [](std::uint8_t b) {
    const std::array<std::uint8_t, 1> one{b};
    return isDtlsRecord(one);
  };
  EXPECT_FALSE(first(0));
  EXPECT_FALSE(first(19));
  EXPECT_TRUE(first(20));
  EXPECT_TRUE(first(63));
  EXPECT_FALSE(first(64));
  EXPECT_FALSE(first(128));
  EXPECT_FALSE(isDtlsRecord({}));
}

}  // namespace
}  // namespace huddle::rtc
