// Proves that the receive -> parse -> rewrite path does not touch the heap. This binary
// replaces the global allocation functions with counting ones, so it is kept apart from the
// other RTP tests.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "rtc/rtp/codecs/h264.h"
#include "rtc/rtp/codecs/vp8.h"
#include "rtc/rtp/packet_class.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_report.h"
#include "rtc/rtp/rtcp_sdes.h"
#include "rtc/rtp/rtcp_transport_cc.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtx.h"

namespace {
std::size_t gAllocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++gAllocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++gAllocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace huddle::rtc {
namespace {

void* volatile gSink = nullptr;

TEST(NoAllocation, CounterSeesHeapUse) {
  const std::size_t before = gAllocations;
  auto* v = new std::vector<int>(64);
  gSink = v->data();
  delete v;
  EXPECT_GE(gAllocations - before, 2u);
}

TEST(NoAllocation, RtpParseAndRewritePath) {
  std::array<std::uint8_t, 1500> datagram{};  // stands in for the worker's receive buffer
  const std::uint8_t packet[] = {
      0x90, 0x60, 0x12, 0x34, 0x00, 0x01, 0xE2, 0x40, 0x11, 0x22, 0x33, 0x44,  // header, X=1
      0xBE, 0xDE, 0x00, 0x02,                                                  // one-byte, 2 words
      0x11, 0x00, 0x2A, 0x22, 0x12, 0x34, 0x56, 0x00,                          // twcc, abs-send-time
      0x90, 0xE0, 0x81, 0x23, 0x05, 0x20, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A,  // VP8 key frame
  };
  std::copy(std::begin(packet), std::end(packet), datagram.begin());
  const auto received = std::span<std::uint8_t>(datagram.data(), sizeof(packet));
  std::array<std::uint8_t, 1500> rtxBuf{};
  std::array<std::uint8_t, 256> idMap{};
  idMap[1] = 3;
  idMap[2] = 4;

  const std::size_t before = gAllocations;
  for (int round = 0; round < 100; ++round) {
    ASSERT_TRUE(isRtp(received));
    auto rtp = RtpPacketView::parse(received);
    ASSERT_TRUE(rtp);
    rtp->setSsrc(0xCAFEBABE);
    rtp->setSequenceNumber(static_cast<std::uint16_t>(rtp->sequenceNumber() + 1));
    rtp->setTimestamp(rtp->timestamp() + 3000);
    rtp->setPayloadType(96);
    const std::uint8_t twccId = round % 2 == 0 ? 1 : 3;
    const std::uint8_t astId = round % 2 == 0 ? 2 : 4;
    ASSERT_TRUE(readTransportWideSeq(*rtp->findExtension(twccId)));
    ASSERT_TRUE(setTransportWideSeq(*rtp, twccId, static_cast<std::uint16_t>(round)));
    ASSERT_TRUE(setAbsSendTime(*rtp, astId, 0x111111));
    ASSERT_TRUE(rtp->remapExtensionIds(idMap));
    if (round % 2 == 0) {
      idMap = {};
      idMap[3] = 1;
      idMap[4] = 2;
    } else {
      idMap = {};
      idMap[1] = 3;
      idMap[2] = 4;
    }
    const auto vp8 = Vp8Descriptor::parse(rtp->payload());
    ASSERT_TRUE(vp8 && vp8->keyframe);
    EXPECT_FALSE(H264PayloadInfo::parse(rtp->payload()));  // 0x90: forbidden bit set
    ASSERT_GT(buildRtxPacket(*rtp, 97, 0x55667788, static_cast<std::uint16_t>(round), rtxBuf), 0u);
  }
  EXPECT_EQ(gAllocations, before);
}

TEST(NoAllocation, RtcpCompoundParsePath) {
  const std::uint8_t compound[] = {
      0x81, 0xC9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,  // RR with one block
      0x11, 0x22, 0x33, 0x44, 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x05,
      0x00, 0x00, 0x01, 0x00, 0xAB, 0xCD, 0xEF, 0x01, 0x00, 0x01, 0x80, 0x00,
      0x81, 0xCA, 0x00, 0x03, 0x00, 0x00, 0x04, 0xD2,  // SDES
      0x01, 0x05, 'a', 'b', 'c', 'd', 'e', 0x00,
      0x81, 0xCD, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,  // NACK
      0x11, 0x22, 0x33, 0x44, 0x00, 0x64, 0x80, 0x05,
      0x8F, 0xCD, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03,  // TWCC
      0x00, 0x00, 0x00, 0x04, 0xFF, 0xFE, 0x00, 0x03,
      0xFF, 0xFF, 0xFE, 0x00, 0xA8, 0x00, 0x01, 0x02,
  };
  std::array<std::uint16_t, 64> lost{};
  std::array<TwccPacketStatus, 64> statuses{};
  std::array<std::uint8_t, 256> out{};

  const std::size_t before = gAllocations;
  int seen = 0;
  std::size_t lostCount = 0;
  std::size_t statusCount = 0;
  for (const RtcpPacket& packet : RtcpCompound(compound)) {
    ++seen;
    if (const auto rr = RtcpReceiverReport::parse(packet)) {
      ASSERT_GT(rr->build(out), 0u);
    } else if (const auto sdes = RtcpSdes::parse(packet)) {
      ASSERT_EQ(sdes->chunks()[0].cname, "abcde");
    } else if (const auto nack = RtcpNack::parse(packet)) {
      lostCount = nack->expand(lost);
      ASSERT_GT(RtcpNack::buildFromSeqs(1, 2, std::span(lost.data(), lostCount), out), 0u);
    } else if (const auto twcc = RtcpTransportCc::parse(packet)) {
      statusCount = twcc->decode(statuses);
      ASSERT_GT(RtcpTransportCc::build(1, 2, 0, 1, std::span(statuses.data(), statusCount), out), 0u);
    }
  }
  EXPECT_EQ(gAllocations, before);
  EXPECT_EQ(seen, 4);
  EXPECT_EQ(lostCount, 4u);
  EXPECT_EQ(statusCount, 3u);
}

}  // namespace
}  // namespace huddle::rtc
