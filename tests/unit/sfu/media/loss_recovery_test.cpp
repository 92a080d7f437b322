// Packet cache, NACK generator, downtrack retransmission and the receiver's RTX handling.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <vector>

#include "media_test_util.h"
#include "rtc/rtp/rtx.h"
#include "sfu/media/down_track.h"
#include "sfu/media/nack_generator.h"
#include "sfu/media/packet_cache.h"
#include "sfu/media/track_receiver.h"

namespace huddle::sfu {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::OwnedPacket;
using test::RtpSpec;
using Clock = std::chrono::steady_clock;

OwnedPacket vp8(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, const Bytes& payload) {
  RtpSpec s;
  s.ssrc = ssrc;
  s.seq = seq;
  s.timestamp = ts;
  s.payload = payload;
  return OwnedPacket{test::buildRtp(s)};
}

Bytes bytesOf(std::span<const std::uint8_t> s) { return Bytes(s.begin(), s.end()); }

// ---- PacketCache ------------------------------------------------------------------------------

TEST(PacketCache, FindsWhatWasStoredAcrossTheSequenceWrap) {
  PacketCache cache;
  const auto t0 = Clock::now();
  std::vector<OwnedPacket> packets;
  for (std::uint32_t i = 0; i < 20; ++i) {
    packets.push_back(vp8(1, static_cast<std::uint16_t>(65530 + i), i, test::vp8Delta(50 + i)));
    ASSERT_TRUE(cache.insert(static_cast<std::uint16_t>(65530 + i), packets.back().bytes, t0));
  }
  for (std::uint32_t i = 0; i < 20; ++i) {
    EXPECT_EQ(bytesOf(cache.find(static_cast<std::uint16_t>(65530 + i), t0)), packets[i].bytes);
  }
  EXPECT_TRUE(cache.find(100, t0).empty());
}

TEST(PacketCache, OverwrittenOldAndOversizeEntriesAreNotServed) {
  PacketCache cache;
  const auto t0 = Clock::now();
  const Bytes a(100, 0xAA);
  const Bytes b(100, 0xBB);
  ASSERT_TRUE(cache.insert(7, a, t0));
  // Same slot, one ring later: the old number is gone, the new one is there.
  ASSERT_TRUE(cache.insert(static_cast<std::uint16_t>(7 + PacketCache::kCapacity), b, t0));
  EXPECT_TRUE(cache.find(7, t0).empty());
  EXPECT_EQ(bytesOf(cache.find(static_cast<std::uint16_t>(7 + PacketCache::kCapacity), t0)), b);
  // Too old.
  ASSERT_TRUE(cache.insert(9, a, t0));
  EXPECT_FALSE(cache.find(9, t0 + 1s).empty());
  EXPECT_TRUE(cache.find(9, t0 + PacketCache::kMaxAge + 1ms).empty());
  // Too large for a slot.
  EXPECT_FALSE(cache.insert(10, Bytes(PacketCache::kMaxPacketSize + 1, 1), t0));
  EXPECT_TRUE(cache.find(10, t0).empty());
}

// ---- NackGenerator ----------------------------------------------------------------------------

std::vector<std::uint16_t> collect(NackGenerator& g, Clock::time_point now) {
  std::array<std::uint16_t, 64> out{};
  const std::size_t n = g.collect(now, out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST(NackGenerator, WaitsForReorderingThenAsksAndRetries) {
  NackGeneratorConfig config;
  config.reorderWait = 15ms;
  config.retryInterval = 50ms;
  config.maxAttempts = 3;
  config.giveUpAfter = 1000ms;
  NackGenerator g(config);
  const auto t0 = Clock::now();
  g.onPacket(100, t0);
  g.onPacket(103, t0);  // 101, 102 missing
  EXPECT_TRUE(g.pending());
  EXPECT_TRUE(collect(g, t0 + 10ms).empty());  // could still be reordering
  EXPECT_EQ(collect(g, t0 + 15ms), (std::vector<std::uint16_t>{101, 102}));
  EXPECT_TRUE(collect(g, t0 + 30ms).empty());  // not again before the retry interval
  // 101 arrives late (reordered or retransmitted): it is a recovery and not asked for again.
  EXPECT_TRUE(g.onPacket(101, t0 + 40ms));
  EXPECT_FALSE(g.onPacket(101, t0 + 41ms));  // a duplicate is not
  EXPECT_EQ(collect(g, t0 + 65ms), (std::vector<std::uint16_t>{102}));
  EXPECT_EQ(collect(g, t0 + 115ms), (std::vector<std::uint16_t>{102}));
  // Third attempt was the last.
  EXPECT_TRUE(collect(g, t0 + 165ms).empty());
  EXPECT_FALSE(g.pending());
  EXPECT_EQ(g.stats().missing, 2u);
  EXPECT_EQ(g.stats().recovered, 1u);
  EXPECT_EQ(g.stats().requested, 4u);
  EXPECT_EQ(g.stats().givenUp, 1u);
}

TEST(NackGenerator, GivesUpAfterTheDeadlineAndFollowsTheRtt) {
  NackGeneratorConfig config;
  config.reorderWait = 10ms;
  config.retryInterval = 20ms;
  config.maxAttempts = 100;
  config.giveUpAfter = 200ms;
  NackGenerator g(config);
  g.setRtt(80ms);
  const auto t0 = Clock::now();
  g.onPacket(65534, t0);
  g.onPacket(1, t0);  // 65535 and 0 missing, across the wrap
  EXPECT_EQ(collect(g, t0 + 10ms), (std::vector<std::uint16_t>{65535, 0}));
  EXPECT_TRUE(collect(g, t0 + 50ms).empty());  // the RTT (80 ms) is longer than the retry
  EXPECT_EQ(collect(g, t0 + 90ms).size(), 2u);
  EXPECT_EQ(collect(g, t0 + 170ms).size(), 2u);
  EXPECT_TRUE(collect(g, t0 + 200ms).empty());
  EXPECT_EQ(g.stats().givenUp, 2u);
}

TEST(NackGenerator, AHugeGapIsNotNacked) {
  NackGenerator g;
  const auto t0 = Clock::now();
  g.onPacket(1, t0);
  g.onPacket(static_cast<std::uint16_t>(2 + NackGenerator::kMaxMissing + 5), t0);
  EXPECT_FALSE(g.pending());
  EXPECT_EQ(g.stats().gapsTooLarge, 1u);
}

// ---- DownTrack retransmission -----------------------------------------------------------------

class FakeSource final : public PacketSource {
 public:
  std::array<PacketCache, 3> caches;
  std::span<const std::uint8_t> cachedPacket(int layer, std::uint16_t seq,
                                             TimePoint now) const noexcept override {
    return caches[static_cast<std::size_t>(layer)].find(seq, now);
  }
};

constexpr std::uint32_t kLow = 0xA1;
constexpr std::uint32_t kHigh = 0xB2;
constexpr std::uint32_t kOut = 0x5151;
constexpr std::uint32_t kRtxSsrc = 0x5252;

DownTrackConfig config(bool rtx) {
  DownTrackConfig c;
  c.ssrc = kOut;
  c.payloadType = 100;
  c.codec = CodecKind::Vp8;
  if (rtx) {
    c.rtxPayloadType = 101;
    c.rtxSsrc = kRtxSsrc;
  }
  return c;
}

struct Fed {
  FakeSource source;
  test::RecordingSink sink;
  void feed(DownTrack& dt, std::uint32_t ssrc, int layer, std::uint16_t seq, std::uint32_t ts,
            const Bytes& payload, Clock::time_point now) {
    OwnedPacket p = vp8(ssrc, seq, ts, payload);
    source.caches[static_cast<std::size_t>(layer)].insert(seq, p.bytes, now);
    const auto view = p.view();
    dt.forward(view, layer, isKeyframe(CodecKind::Vp8, view.payload()), now);
  }
};

TEST(DownTrackRetransmit, ResendsAsRtxWithTheOriginalNumberingAcrossALayerSwitch) {
  Fed f;
  DownTrack dt("TR", "PA", config(true), f.sink);
  const auto t0 = Clock::now();
  // Picture ids as Chromium sends them: the resend must carry the id as rewritten at the first
  // send, from before and after the switch.
  f.feed(dt, kLow, 0, 500, 9000, test::vp8WithPictureId(true, 300, 3), t0);
  f.feed(dt, kLow, 0, 501, 12000, test::vp8WithPictureId(false, 301, 4), t0);
  dt.setTargetLayer(1);
  f.feed(dt, kHigh, 1, 7000, 777000, test::vp8WithPictureId(true, 9000, 90), t0 + 33ms);
  f.feed(dt, kHigh, 1, 7001, 780000, test::vp8WithPictureId(false, 9001, 91), t0 + 66ms);
  ASSERT_EQ(f.sink.packets.size(), 4u);
  const std::vector<Bytes> sent = f.sink.packets;

  // The subscriber lost the second low packet and the first high one.
  for (std::size_t lostIndex : {std::size_t{1}, std::size_t{2}}) {
    auto original = *rtc::RtpPacketView::parse(std::span<std::uint8_t>(f.sink.packets[lostIndex]));
    const std::size_t before = f.sink.packets.size();
    dt.retransmit(original.sequenceNumber(), f.source, t0 + 100ms);
    ASSERT_EQ(f.sink.packets.size(), before + 1);
    auto rtx = f.sink.last();
    EXPECT_EQ(rtx.ssrc(), kRtxSsrc);
    EXPECT_EQ(rtx.payloadType(), 101);
    EXPECT_EQ(rtc::readRtxOriginalSeq(rtx), original.sequenceNumber());
    // Unwrapped, it is byte for byte what we sent the first time.
    std::array<std::uint8_t, 1600> restored{};
    const std::size_t n = rtc::buildOriginalFromRtx(rtx, 100, kOut, restored);
    Bytes expected = sent[lostIndex];
    EXPECT_EQ(Bytes(restored.begin(), restored.begin() + static_cast<std::ptrdiff_t>(n)), expected);
  }
  // Own RTX sequence, consecutive.
  EXPECT_EQ(static_cast<std::uint16_t>(f.sink.at(5).sequenceNumber() - f.sink.at(4).sequenceNumber()), 1);
  EXPECT_EQ(dt.stats().retransmittedRtx, 2u);
}

TEST(DownTrackRetransmit, PlainWithoutRtxThrottledAndMissed) {
  Fed f;
  DownTrack dt("TR", "PA", config(false), f.sink);
  const auto t0 = Clock::now();
  f.feed(dt, kLow, 0, 10, 0, test::vp8Keyframe(), t0);
  f.feed(dt, kLow, 0, 11, 3000, test::vp8Delta(), t0);
  const Bytes first = f.sink.packets[1];
  const std::uint16_t seq = f.sink.at(1).sequenceNumber();
  dt.retransmit(seq, f.source, t0 + 20ms);
  ASSERT_EQ(f.sink.packets.size(), 3u);
  EXPECT_EQ(f.sink.packets[2], first);
  // Again within 50 ms: throttled; after: sent.
  dt.retransmit(seq, f.source, t0 + 40ms);
  EXPECT_EQ(f.sink.packets.size(), 3u);
  dt.retransmit(seq, f.source, t0 + 80ms);
  EXPECT_EQ(f.sink.packets.size(), 4u);
  // Never sent, or gone from the publisher's cache.
  dt.retransmit(static_cast<std::uint16_t>(seq + 40), f.source, t0 + 80ms);
  f.source.caches[0] = PacketCache{};
  dt.retransmit(static_cast<std::uint16_t>(seq - 1), f.source, t0 + 200ms);
  EXPECT_EQ(f.sink.packets.size(), 4u);
  EXPECT_EQ(dt.stats().retransmittedPlain, 2u);
  EXPECT_EQ(dt.stats().retransmitThrottled, 1u);
  EXPECT_EQ(dt.stats().retransmitMissed, 2u);
  EXPECT_EQ(dt.stats().nackedPackets, 5u);
}

// ---- TrackReceiver ----------------------------------------------------------------------------

class RecordingNacks final : public NackRequester {
 public:
  std::vector<std::pair<std::uint32_t, std::vector<std::uint16_t>>> calls;
  void requestRetransmission(std::uint32_t ssrc, std::span<const std::uint16_t> seqs) override {
    calls.emplace_back(ssrc, std::vector<std::uint16_t>(seqs.begin(), seqs.end()));
  }
};

TEST(TrackReceiverLoss, NacksGapsForwardsRecoveriesAndDropsDuplicateRtx) {
  test::RecordingRequester keyframes;
  RecordingNacks nacks;
  TrackReceiverConfig rc;
  rc.trackSid = "TR";
  rc.codec = CodecKind::Vp8;
  rc.cachePackets = true;
  rc.nackUpstream = true;
  TrackReceiver receiver(rc, keyframes);
  receiver.setNackRequester(&nacks);
  receiver.setLayerSsrc(0, kLow);
  test::RecordingSink sink;
  DownTrack dt("TR", "PA", config(false), sink);
  const auto t0 = Clock::now();
  receiver.addDownTrack(dt, t0);

  auto in = [&](std::uint16_t seq, const Bytes& payload, Clock::time_point now, bool rtx = false) {
    OwnedPacket p = vp8(kLow, seq, seq * 100u, payload);
    receiver.onRtp(p.view(), 0, now, rtx);
  };
  in(1, test::vp8Keyframe(), t0);
  in(2, test::vp8Delta(), t0 + 1ms);
  in(5, test::vp8Delta(), t0 + 2ms);  // 3, 4 lost upstream
  EXPECT_TRUE(nacks.calls.empty());
  in(6, test::vp8Delta(), t0 + 20ms);  // the reorder wait is over
  ASSERT_EQ(nacks.calls.size(), 1u);
  EXPECT_EQ(nacks.calls[0].first, kLow);
  EXPECT_EQ(nacks.calls[0].second, (std::vector<std::uint16_t>{3, 4}));
  EXPECT_EQ(receiver.stats().nacksSent, 2u);

  const std::size_t before = sink.packets.size();
  in(3, test::vp8Delta(), t0 + 25ms, true);  // recovered: forwarded and cached
  EXPECT_EQ(sink.packets.size(), before + 1);
  EXPECT_FALSE(receiver.cachedPacket(0, 3, t0 + 25ms).empty());
  in(2, test::vp8Delta(), t0 + 26ms, true);  // a probe of something we had: dropped
  EXPECT_EQ(sink.packets.size(), before + 1);
  EXPECT_EQ(receiver.stats().retransmissionsReceived, 1u);
  EXPECT_EQ(receiver.stats().duplicateRetransmissions, 1u);
  EXPECT_EQ(receiver.receiveStats(0).cumulativeLost(), 1);  // 4 still missing

  // No packet arrives, but a poll still retries 4.
  receiver.pollNacks(t0 + 100ms);
  ASSERT_EQ(nacks.calls.size(), 2u);
  EXPECT_EQ(nacks.calls[1].second, (std::vector<std::uint16_t>{4}));
}

}  // namespace
}  // namespace huddle::sfu
