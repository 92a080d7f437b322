// RFC 4571 framing as ICE-TCP uses it: annotated stream bytes -> frames -> compare; split,
// coalesced and oversized frames.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "rtc/transport/tcp_framer.h"

namespace huddle::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Collector {
  std::vector<Bytes> frames;
  std::vector<const std::uint8_t*> addresses;
  Rfc4571Framer::Status feed(Rfc4571Framer& framer, Bytes& chunk) {
    return framer.feed(std::span<std::uint8_t>(chunk), [this](std::span<std::uint8_t> f) {
      frames.emplace_back(f.begin(), f.end());
      addresses.push_back(f.data());
      return true;
    });
  }
};

// Two frames back to back: a 4-octet RTP-looking payload and a 1-octet one.
const Bytes kTwoFrames = {
    0x00, 0x04,              // LENGTH = 4
    0x80, 0x60, 0x12, 0x34,  // payload
    0x00, 0x01,              // LENGTH = 1
    0x17,                    // payload
};

TEST(Rfc4571Framer, TwoFramesInOneReadAreDeliveredInPlace) {
  Rfc4571Framer framer;
  Collector c;
  Bytes stream = kTwoFrames;
  EXPECT_EQ(c.feed(framer, stream), Rfc4571Framer::Status::Ok);
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(c.frames[0], (Bytes{0x80, 0x60, 0x12, 0x34}));
  EXPECT_EQ(c.frames[1], (Bytes{0x17}));
  // Whole frames are not copied: the spans point into the read buffer.
  EXPECT_EQ(c.addresses[0], stream.data() + 2);
  EXPECT_EQ(c.addresses[1], stream.data() + 8);
  EXPECT_EQ(framer.pendingBytes(), 0u);
}

TEST(Rfc4571Framer, EverySplitPointGivesTheSameFrames) {
  for (std::size_t cut = 0; cut <= kTwoFrames.size(); ++cut) {
    Rfc4571Framer framer;
    Collector c;
    Bytes first(kTwoFrames.begin(), kTwoFrames.begin() + static_cast<long>(cut));
    Bytes second(kTwoFrames.begin() + static_cast<long>(cut), kTwoFrames.end());
    EXPECT_EQ(c.feed(framer, first), Rfc4571Framer::Status::Ok);
    EXPECT_EQ(c.feed(framer, second), Rfc4571Framer::Status::Ok);
    ASSERT_EQ(c.frames.size(), 2u) << "cut " << cut;
    EXPECT_EQ(c.frames[0], (Bytes{0x80, 0x60, 0x12, 0x34})) << "cut " << cut;
    EXPECT_EQ(c.frames[1], (Bytes{0x17})) << "cut " << cut;
    EXPECT_EQ(framer.pendingBytes(), 0u);
  }
}

TEST(Rfc4571Framer, OneOctetPerReadAndALargeFrame) {
  // A 1200-octet frame (a DTLS record at our MTU) followed by a 2-octet one, fed octet by octet.
  Bytes stream = {0x04, 0xB0};  // LENGTH = 1200
  for (std::size_t i = 0; i < 1200; ++i) stream.push_back(static_cast<std::uint8_t>(i * 7));
  stream.insert(stream.end(), {0x00, 0x02, 0xAA, 0xBB});
  Rfc4571Framer framer;
  Collector c;
  for (const std::uint8_t b : stream) {
    Bytes one = {b};
    ASSERT_EQ(c.feed(framer, one), Rfc4571Framer::Status::Ok);
  }
  ASSERT_EQ(c.frames.size(), 2u);
  ASSERT_EQ(c.frames[0].size(), 1200u);
  EXPECT_TRUE(std::equal(c.frames[0].begin(), c.frames[0].end(), stream.begin() + 2));
  EXPECT_EQ(c.frames[1], (Bytes{0xAA, 0xBB}));
  EXPECT_EQ(framer.pendingBytes(), 0u);
}

TEST(Rfc4571Framer, PartialTailIsHeldUntilTheNextRead) {
  Rfc4571Framer framer;
  Collector c;
  Bytes a = {0x00, 0x01, 0x42, 0x00, 0x03, 0x01};  // frame [42], then 1 of 3 octets
  EXPECT_EQ(c.feed(framer, a), Rfc4571Framer::Status::Ok);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(framer.pendingBytes(), 3u);
  Bytes b = {0x02, 0x03, 0x00, 0x00};  // rest of frame 2, then an empty frame
  EXPECT_EQ(c.feed(framer, b), Rfc4571Framer::Status::Ok);
  ASSERT_EQ(c.frames.size(), 3u);
  EXPECT_EQ(c.frames[1], (Bytes{0x01, 0x02, 0x03}));
  EXPECT_TRUE(c.frames[2].empty());
}

TEST(Rfc4571Framer, OversizeLengthBreaksTheStreamForGood) {
  Rfc4571Framer framer(1500);
  Collector c;
  // A good frame, then "GE" of an HTTP request read as a length: 0x4745 = 18245 > 1500.
  Bytes stream = {0x00, 0x01, 0x55, 'G', 'E', 'T', ' ', '/'};
  EXPECT_EQ(c.feed(framer, stream), Rfc4571Framer::Status::Oversize);
  ASSERT_EQ(c.frames.size(), 1u);  // what came before the bad prefix still went out
  EXPECT_TRUE(framer.broken());
  Bytes more = {0x00, 0x01, 0x01};
  EXPECT_EQ(c.feed(framer, more), Rfc4571Framer::Status::Oversize);
  EXPECT_EQ(c.frames.size(), 1u);
}

TEST(Rfc4571Framer, OversizeLengthSplitAcrossReads) {
  Rfc4571Framer framer(1500);
  Collector c;
  Bytes a = {0x05};  // first octet of LENGTH = 0x05DD = 1501
  EXPECT_EQ(c.feed(framer, a), Rfc4571Framer::Status::Ok);
  Bytes b = {0xDD, 0x00};
  EXPECT_EQ(c.feed(framer, b), Rfc4571Framer::Status::Oversize);
  EXPECT_TRUE(c.frames.empty());
  EXPECT_LE(framer.pendingBytes(), 2u);
}

TEST(Rfc4571Framer, ExactlyMaximumIsAccepted) {
  Rfc4571Framer framer(1500);
  Collector c;
  Bytes stream = {0x05, 0xDC};  // LENGTH = 1500
  stream.resize(2 + 1500, 0x80);
  EXPECT_EQ(c.feed(framer, stream), Rfc4571Framer::Status::Ok);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].size(), 1500u);
}

TEST(Rfc4571Framer, CallbackCanStop) {
  Rfc4571Framer framer;
  Bytes stream = kTwoFrames;
  int calls = 0;
  const auto status = framer.feed(std::span<std::uint8_t>(stream), [&](std::span<std::uint8_t>) {
    ++calls;
    return false;
  });
  EXPECT_EQ(status, Rfc4571Framer::Status::Stopped);
  EXPECT_EQ(calls, 1);
}

TEST(Rfc4571Framer, WriteHeader) {
  std::array<std::uint8_t, 2> h{};
  ASSERT_TRUE(Rfc4571Framer::writeHeader(1200, h));
  EXPECT_EQ(h, (std::array<std::uint8_t, 2>{0x04, 0xB0}));
  ASSERT_TRUE(Rfc4571Framer::writeHeader(65535, h));
  EXPECT_EQ(h, (std::array<std::uint8_t, 2>{0xFF, 0xFF}));
  EXPECT_FALSE(Rfc4571Framer::writeHeader(65536, h));
}

}  // namespace
}  // namespace huddle::rtc
