// VideoReceiveStream driven by hand-made packets: ordering, NACK timing and retries, RTX
// unwrapping, give-up and PLI rate limit, malformed input, receive statistics.

#include <vector>

#include <gtest/gtest.h>

#include "client/stream/receive_statistics.h"
#include "client/stream/rtp_header_writer.h"
#include "client/stream/video_receive_stream.h"
#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kSsrc = 0x5000;
constexpr std::uint32_t kRtxSsrc = 0x5001;
const StreamTime kT0{std::chrono::seconds(10)};

struct Recorder : VideoReceiveStream::Listener {
  void onVideoReceiveStreamFrame(VideoReceiveStream& /*stream*/, const media::Vp8AssembledFrame& frame) override {
    frames.push_back(frame.timestamp);
    firstSeqs.push_back(frame.firstSequence);
    keyframes.push_back(frame.keyframe);
  }
  void onVideoReceiveStreamRtcp(VideoReceiveStream& /*stream*/, std::span<const std::uint8_t> rtcp) override {
    for (const rtc::RtcpPacket& p : rtc::RtcpCompound(rtcp)) {
      if (const auto nack = rtc::RtcpNack::parse(p)) {
        std::vector<std::uint16_t> seqs;
        nack->expand(seqs);
        nacks.push_back(seqs);
      } else if (rtc::RtcpPli::parse(p)) {
        ++plis;
      }
    }
  }
  std::vector<std::uint32_t> frames;
  std::vector<std::uint16_t> firstSeqs;
  std::vector<bool> keyframes;
  std::vector<std::vector<std::uint16_t>> nacks;
  int plis = 0;
};

// One VP8 packet: descriptor with S set on the frame's first packet, then a payload byte that
// marks key or delta on first packets.
std::vector<std::uint8_t> vp8Packet(std::uint16_t seq, std::uint32_t ts, bool first, bool last, bool key,
                                    std::uint32_t ssrc = kSsrc, std::uint8_t pt = 96) {
  std::vector<std::uint8_t> out(kMaxRtpHeaderSize + 16);
  const std::size_t h = writeRtpHeader({pt, last, seq, ts, ssrc}, {}, out);
  out.resize(h);
  out.push_back(first ? 0x10 : 0x00);              // X=0, S, PID 0
  out.push_back(first ? (key ? 0x10 : 0x11) : 0x42);  // VP8 payload header's P bit
  out.push_back(0x99);
  return out;
}

std::vector<std::uint8_t> asRtx(const std::vector<std::uint8_t>& media, std::uint16_t rtxSeq) {
  std::vector<std::uint8_t> out(media.begin(), media.begin() + 12);
  out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | 97);
  rtc::byte_io::write16(out.data() + 2, rtxSeq);
  rtc::byte_io::write32(out.data() + 8, kRtxSsrc);
  out.push_back(media[2]);
  out.push_back(media[3]);
  out.insert(out.end(), media.begin() + 12, media.end());
  return out;
}

VideoReceiveStreamConfig config() {
  VideoReceiveStreamConfig c;
  c.ssrc = kSsrc;
  c.rtxSsrc = kRtxSsrc;
  c.rtt = 50ms;
  c.maxNackRetries = 3;
  return c;
}

void feed(VideoReceiveStream& s, std::vector<std::uint8_t> p, StreamTime t) { s.onRtp(p, t); }

TEST(VideoReceiveStream, HoldsFramesUntilTheGapIsFilledThenReleasesInOrder) {
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  // Frame 1: seq 10-11 (key), frame 2: seq 12-13, frame 3: seq 14.
  feed(s, vp8Packet(10, 1000, true, false, true), kT0);
  feed(s, vp8Packet(11, 1000, false, true, true), kT0);
  s.tick(kT0 + 10ms);
  ASSERT_EQ(rec.frames.size(), 1u);
  feed(s, vp8Packet(13, 4000, false, true, false), kT0 + 20ms);
  feed(s, vp8Packet(14, 7000, true, true, false), kT0 + 21ms);
  EXPECT_EQ(rec.frames.size(), 1u) << "frame 3 waits behind the hole at 12";
  s.tick(kT0 + 25ms);
  EXPECT_TRUE(rec.nacks.empty()) << "still inside the reorder wait";
  s.tick(kT0 + 31ms);
  ASSERT_EQ(rec.nacks.size(), 1u);
  EXPECT_EQ(rec.nacks[0], (std::vector<std::uint16_t>{12}));
  s.tick(kT0 + 60ms);
  EXPECT_EQ(rec.nacks.size(), 1u) << "the retry waits an RTT";
  s.tick(kT0 + 82ms);
  EXPECT_EQ(rec.nacks.size(), 2u);
  // The repair arrives as RTX.
  feed(s, asRtx(vp8Packet(12, 4000, true, false, false), 500), kT0 + 90ms);
  ASSERT_EQ(rec.frames, (std::vector<std::uint32_t>{1000, 4000, 7000}));
  EXPECT_EQ(s.stats().rtxPackets, 1u);
  EXPECT_EQ(s.stats().recovered, 1u);
  EXPECT_EQ(s.stats().nackedPackets, 1u);
  EXPECT_EQ(s.stats().nackRequests, 2u);
  EXPECT_EQ(s.stats().lost, 0u);
  EXPECT_EQ(s.stats().keyframesRequested, 0u);
  // A second copy of the repaired packet is late now.
  feed(s, vp8Packet(12, 4000, true, false, false), kT0 + 95ms);
  EXPECT_EQ(s.stats().late, 1u);
}

TEST(VideoReceiveStream, GivesUpAfterRetriesAndAsksForAKeyframeOncePerInterval) {
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  feed(s, vp8Packet(100, 1000, true, true, true), kT0);
  s.tick(kT0 + 11ms);
  feed(s, vp8Packet(102, 7000, true, true, false), kT0 + 66ms);
  StreamTime t = kT0 + 66ms;
  for (int i = 0; i < 60; ++i) {  // 300 ms of ticks
    t += 5ms;
    s.tick(t);
  }
  std::size_t nacked = 0;
  for (const auto& n : rec.nacks) {
    nacked += n.size();
  }
  EXPECT_EQ(nacked, 3u) << "maxNackRetries";
  EXPECT_EQ(s.stats().lost, 1u);
  EXPECT_EQ(s.stats().framesDropped, 1u) << "the frame after the hole has no reference";
  EXPECT_EQ(rec.plis, 1);
  EXPECT_EQ(s.stats().keyframesRequested, 1u);
  // Still no keyframe: the request repeats, but not before the PLI interval.
  const int plis = rec.plis;
  for (int i = 0; i < 20; ++i) {
    t += 5ms;
    s.tick(t);
  }
  EXPECT_LE(rec.plis, plis + 1);
  // The decoder's own complaint also goes out, rate-limited.
  s.requestKeyframe();
  s.tick(t);
  t += 400ms;
  s.tick(t);
  EXPECT_GE(rec.plis, plis + 1);
  // A keyframe ends the requests.
  feed(s, vp8Packet(103, 9000, true, true, true), t);
  const int afterKey = rec.plis;
  for (int i = 0; i < 200; ++i) {
    t += 5ms;
    feed(s, vp8Packet(static_cast<std::uint16_t>(104 + i), 9000 + 3000 * static_cast<std::uint32_t>(i + 1), true, true,
                      false),
         t);
    s.tick(t);
  }
  EXPECT_EQ(rec.plis, afterKey);
  EXPECT_EQ(rec.frames.back(), 9000u + 3000u * 200u);
}

TEST(VideoReceiveStream, SkipsToANewKeyframeWhileWaitingForOne) {
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  // Joins mid-stream: a delta frame first, then a keyframe behind a hole.
  feed(s, vp8Packet(50, 1000, true, true, false), kT0);
  s.tick(kT0 + 20ms);
  feed(s, vp8Packet(52, 7000, true, false, true), kT0 + 30ms);
  feed(s, vp8Packet(53, 7000, false, true, true), kT0 + 30ms);
  ASSERT_EQ(rec.frames.size(), 1u) << "no wait for 51: nothing before the keyframe is decodable";
  EXPECT_TRUE(rec.keyframes[0]);
  EXPECT_EQ(rec.firstSeqs[0], 52);
}

TEST(VideoReceiveStream, StartsCleanlyWhenTheFirstPacketsAreReordered) {
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  feed(s, vp8Packet(201, 1000, false, true, true), kT0);
  feed(s, vp8Packet(200, 1000, true, false, true), kT0 + 2ms);
  s.tick(kT0 + 15ms);
  ASSERT_EQ(rec.frames.size(), 1u);
  EXPECT_EQ(rec.firstSeqs[0], 200);
  EXPECT_EQ(s.stats().late, 0u);
}

TEST(VideoReceiveStream, CountsMalformedForeignAndDuplicatePackets) {
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  std::vector<std::uint8_t> tiny{0x80, 96, 0};
  s.onRtp(tiny, kT0);
  std::vector<std::uint8_t> badVersion = vp8Packet(1, 1, true, true, true);
  badVersion[0] = 0x40;
  s.onRtp(badVersion, kT0);
  // Extension block claims 9 words that are not there.
  std::vector<std::uint8_t> badExt{0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0x50, 0, 0xBE, 0xDE, 0, 9, 0x10, 0x01};
  s.onRtp(badExt, kT0);
  // VP8 descriptor with X set and nothing after it.
  std::vector<std::uint8_t> badVp8 = vp8Packet(2, 1, true, true, true);
  badVp8.resize(12);
  badVp8.push_back(0x80);
  s.onRtp(badVp8, kT0);
  // RTX too short for its OSN.
  std::vector<std::uint8_t> shortRtx = vp8Packet(3, 1, true, true, true, kRtxSsrc, 97);
  shortRtx.resize(13);
  s.onRtp(shortRtx, kT0);
  EXPECT_EQ(s.stats().malformed, 5u);
  feed(s, vp8Packet(4, 1, true, true, true, 0x9999), kT0);
  feed(s, vp8Packet(5, 1, true, true, true, kSsrc, 100), kT0);
  EXPECT_EQ(s.stats().ignored, 2u);
  EXPECT_EQ(s.stats().packets, 0u);
  feed(s, vp8Packet(6, 3000, true, false, true), kT0);
  feed(s, vp8Packet(6, 3000, true, false, true), kT0);
  feed(s, vp8Packet(7, 3000, false, true, true), kT0 + 1ms);
  s.tick(kT0 + 20ms);
  EXPECT_EQ(s.stats().duplicates, 1u);
  EXPECT_EQ(rec.frames.size(), 1u) << "good packets still work after the bad ones";
}

TEST(VideoReceiveStream, HugeSequenceJumpResetsAndAsksForKeyframe) {
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  feed(s, vp8Packet(1000, 1000, true, true, true), kT0);
  s.tick(kT0 + 20ms);
  feed(s, vp8Packet(20000, 90000, true, true, false), kT0 + 30ms);
  s.tick(kT0 + 40ms);
  EXPECT_GE(rec.plis, 1);
  EXPECT_LE(rec.nacks.size(), 0u) << "a jump of thousands is not NACKed";
  feed(s, vp8Packet(20001, 93000, true, true, true), kT0 + 50ms);
  EXPECT_EQ(rec.frames.back(), 93000u);
}

TEST(VideoReceiveStream, JumpPastTheWindowWithNothingHeldStartsOver) {
  // Found by fuzz_client_stream: making room must stop once the window is empty.
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  feed(s, vp8Packet(1000, 1000, true, true, true), kT0);
  s.tick(kT0 + 20ms);
  ASSERT_EQ(rec.frames.size(), 1u);
  feed(s, vp8Packet(1000 + 700, 90000, true, true, true), kT0 + 30ms);
  EXPECT_EQ(rec.frames.size(), 2u);
  EXPECT_EQ(rec.frames.back(), 90000u);
  EXPECT_EQ(s.stats().packets, 2u);
}

TEST(VideoReceiveStream, PacketsThatNeverMakeAFrameEndInAPli) {
  // One endless frame (no marker): nothing is lost or dropped, yet nothing decodes.
  Recorder rec;
  VideoReceiveStream s(config(), rec);
  StreamTime t = kT0;
  for (int i = 0; i < 130; ++i) {
    feed(s, vp8Packet(static_cast<std::uint16_t>(300 + i), 5000, i == 0, false, true), t);
    s.tick(t);
    if (i == 95) {
      EXPECT_EQ(rec.plis, 0) << "not yet: under a second of packets";
    }
    t += 10ms;
  }
  EXPECT_EQ(rec.plis, 1);
  EXPECT_EQ(s.stats().lost, 0u);
  EXPECT_EQ(s.stats().framesDropped, 0u);
  EXPECT_TRUE(rec.frames.empty());
}

TEST(ReceiveStatistics, LossJitterAndWrapFollowRfc3550) {
  ReceiveStatistics stats(90000);
  StreamTime t = kT0;
  // 65530..65535, 0..9 with 65533 and 3 missing; 3000 ticks apart, arriving every 33.333 ms.
  std::uint32_t ts = 0;
  for (std::uint32_t i = 0; i < 16; ++i) {
    const auto seq = static_cast<std::uint16_t>(65530 + i);
    if (seq != 65533 && seq != 3) {
      stats.onPacket(seq, ts, t, false);
    }
    ts += 3000;
    t += std::chrono::microseconds(33333);
  }
  auto block = stats.makeReportBlock(kSsrc, t);
  ASSERT_TRUE(block);
  EXPECT_EQ(block->extendedHighestSeq, 65536u + 9u);
  EXPECT_EQ(block->cumulativeLost, 2);
  EXPECT_EQ(block->fractionLost, (2 * 256) / 16);
  EXPECT_LE(block->jitter, 1u) << "steady arrival: no jitter";
  // A retransmission counts as received but leaves jitter alone; loss is recovered.
  stats.onPacket(3, 9 * 3000, t + 500ms, true);
  block = stats.makeReportBlock(kSsrc, t);
  EXPECT_EQ(block->cumulativeLost, 1);
  EXPECT_EQ(block->fractionLost, 0);
  EXPECT_LE(block->jitter, 1u);
  // Arrivals 10 ms early and late alternately: jitter heads for 20 ms = 1800 ticks.
  for (int i = 0; i < 400; ++i) {
    const auto offset = std::chrono::milliseconds(i % 2 == 0 ? 10 : -10);
    stats.onPacket(static_cast<std::uint16_t>(10 + i), ts, t + offset, false);
    ts += 3000;
    t += std::chrono::microseconds(33333);
  }
  EXPECT_NEAR(static_cast<double>(stats.jitter()), 1800.0, 60.0);
}

}  // namespace
}  // namespace huddle::client
