// After a warm-up, the forwarding core allocates nothing: 10k publisher packets fanned out by a
// TrackReceiver to three DownTracks, with extension remapping, keyframe gating, a layer switch
// and keyframe requests on the way. Its own binary: it replaces the global allocator.

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <memory>

#include "counting_allocator.h"
#include "media_test_util.h"
#include "sfu/media/down_track.h"
#include "sfu/media/track_receiver.h"

namespace huddle::sfu {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::OwnedPacket;
using test::RtpSpec;

class CountingSink final : public RtpSink {
 public:
  std::size_t calls = 0;
  std::uint32_t checksum = 0;
  bool sendRtp(std::span<std::uint8_t> buffer, std::size_t length) override {
    ++calls;
    checksum += buffer[length - 1] + buffer[2];
    return true;
  }
};

class CountingRequester final : public KeyframeRequester {
 public:
  std::size_t calls = 0;
  void requestKeyframe(std::uint32_t) override { ++calls; }
};

TEST(SfuMediaAllocation, TheCounterSeesAllocations) {
  huddle::test::AllocationScope scope;
  auto p = std::make_unique<std::array<char, 64>>();
  // Through a volatile pointer: the compiler may delete a malloc/free pair it can see through.
  void* volatile raw = std::malloc(32);
  scope.stop();
  std::free(raw);
  EXPECT_EQ(huddle::test::operatorNewCalls(), 1);
  if (huddle::test::countsMalloc()) {
    EXPECT_GE(huddle::test::mallocCalls(), 2);  // operator new's own malloc, and ours
  }
}

TEST(SfuMediaAllocation, TenThousandForwardsToThreeDownTracksAllocateNothing) {
  constexpr std::uint32_t kLow = 0x1000;
  constexpr std::uint32_t kHigh = 0x2000;
  CountingRequester requester;
  TrackReceiverConfig rc;
  rc.trackSid = "TR_cam";
  rc.codec = CodecKind::Vp8;
  TrackReceiver receiver(rc, requester);
  receiver.setLayerSsrc(0, kLow);
  receiver.setLayerSsrc(1, kHigh);

  const ExtensionIds pub{{1, "urn:ietf:params:rtp-hdrext:sdes:mid"}, {3, "abs-send-time"}, {5, "urn:x"}};
  const ExtensionIds sub{{2, "urn:ietf:params:rtp-hdrext:sdes:mid"}, {3, "abs-send-time"}};
  std::array<CountingSink, 3> sinks;
  std::vector<std::unique_ptr<DownTrack>> downTracks;
  for (std::uint32_t i = 0; i < sinks.size(); ++i) {
    DownTrackConfig c;
    c.ssrc = 0x500 + i;
    c.payloadType = 100;
    c.codec = CodecKind::Vp8;
    c.extensions = ExtensionMap::build(pub, sub);
    downTracks.push_back(std::make_unique<DownTrack>("TR_cam", "PA_" + std::to_string(i), c, sinks[i]));
  }
  auto now = std::chrono::steady_clock::now();
  for (auto& dt : downTracks) receiver.addDownTrack(*dt, now);

  auto make = [&](std::uint32_t ssrc, const Bytes& payload) {
    RtpSpec s;
    s.ssrc = ssrc;
    s.extensions = {{1, {'0'}}, {3, {1, 2, 3}}, {5, {9}}};
    s.payload = payload;
    return OwnedPacket{test::buildRtp(s)};
  };
  OwnedPacket lowKey = make(kLow, test::vp8Keyframe(1100));
  OwnedPacket lowDelta = make(kLow, test::vp8Delta(1100));
  OwnedPacket highKey = make(kHigh, test::vp8Keyframe(1100));
  OwnedPacket highDelta = make(kHigh, test::vp8Delta(1100));
  std::uint16_t lowSeq = 0;
  std::uint16_t highSeq = 40000;
  auto feed = [&](OwnedPacket& p, std::uint16_t& seq, int layer) {
    ++seq;
    p.bytes[2] = static_cast<std::uint8_t>(seq >> 8);
    p.bytes[3] = static_cast<std::uint8_t>(seq);
    receiver.onRtp(p.view(), layer, now);
  };

  // Warm-up: first packets, first requests, first switch.
  for (int i = 0; i < 100; ++i) {
    now += 5ms;
    feed(i % 30 == 0 ? highKey : highDelta, highSeq, 1);
    feed(lowDelta, lowSeq, 0);
  }

  std::size_t sentBefore = 0;
  for (const auto& s : sinks) sentBefore += s.calls;
  const std::size_t requestsBefore = requester.calls;
  huddle::test::AllocationScope scope;
  for (int i = 0; i < 10000; ++i) {
    now += 5ms;
    if (i == 3000) downTracks[0]->setTargetLayer(0);  // a switch down, gated on low's keyframe
    if (i == 6000) downTracks[1]->setPaused(true);
    if (i == 7000) downTracks[1]->setPaused(false);
    const bool key = i % 500 == 0;
    if (i % 2 == 0) {
      feed(key ? highKey : highDelta, highSeq, 1);
    } else {
      feed(key || i % 500 == 1 ? lowKey : lowDelta, lowSeq, 0);
    }
  }
  scope.stop();
  const long news = huddle::test::operatorNewCalls();
  const long mallocs = huddle::test::mallocCalls();

  std::size_t sent = 0;
  for (const auto& s : sinks) sent += s.calls;
  EXPECT_GT(sent - sentBefore, 10000u);  // the work really happened
  EXPECT_EQ(downTracks[0]->currentLayer(), 0);
  EXPECT_EQ(downTracks[1]->currentLayer(), 1);
  EXPECT_GT(requester.calls, requestsBefore);
  EXPECT_EQ(news, 0);
  EXPECT_EQ(mallocs, 0) << "countsMalloc=" << huddle::test::countsMalloc();
}

class CountingNacks final : public NackRequester {
 public:
  std::size_t seqs = 0;
  void requestRetransmission(std::uint32_t, std::span<const std::uint16_t> s) override { seqs += s.size(); }
};

// Loss recovery on the same path: the packet cache, upstream NACKs for a lossy publisher (with
// RTX recoveries), and subscriber NACKs answered as RTX and plainly.
TEST(SfuMediaAllocation, CachingNackingAndRetransmittingAllocateNothing) {
  constexpr std::uint32_t kSsrc = 0x1000;
  CountingRequester requester;
  CountingNacks nacks;
  TrackReceiverConfig rc;
  rc.trackSid = "TR_cam";
  rc.codec = CodecKind::Vp8;
  rc.cachePackets = true;
  rc.nackUpstream = true;
  TrackReceiver receiver(rc, requester);
  receiver.setNackRequester(&nacks);
  receiver.setLayerSsrc(0, kSsrc);
  std::array<CountingSink, 2> sinks;
  std::vector<std::unique_ptr<DownTrack>> downTracks;
  for (std::uint32_t i = 0; i < sinks.size(); ++i) {
    DownTrackConfig c;
    c.ssrc = 0x500 + i;
    c.payloadType = 100;
    c.codec = CodecKind::Vp8;
    if (i == 0) {
      c.rtxPayloadType = 101;
      c.rtxSsrc = 0x600;
    }
    downTracks.push_back(std::make_unique<DownTrack>("TR_cam", "PA_" + std::to_string(i), c, sinks[i]));
  }
  auto now = std::chrono::steady_clock::now();
  for (auto& dt : downTracks) receiver.addDownTrack(*dt, now);
  RtpSpec spec;
  spec.ssrc = kSsrc;
  OwnedPacket key{[&] { spec.payload = test::vp8Keyframe(1100); return test::buildRtp(spec); }()};
  OwnedPacket delta{[&] { spec.payload = test::vp8Delta(1100); return test::buildRtp(spec); }()};
  std::uint16_t seq = 0;
  auto feed = [&](OwnedPacket& p, std::uint16_t s, bool rtx) {
    p.bytes[2] = static_cast<std::uint8_t>(s >> 8);
    p.bytes[3] = static_cast<std::uint8_t>(s);
    receiver.onRtp(p.view(), 0, now, rtx);
  };
  auto run = [&](int count) {
    for (int i = 0; i < count; ++i) {
      now += 4ms;
      ++seq;
      if (i % 50 == 7) continue;  // lost upstream ...
      feed(i % 300 == 0 ? key : delta, seq, false);
      if (i % 50 == 12) feed(delta, static_cast<std::uint16_t>(seq - 5), true);  // ... recovered
      if (i % 10 == 3) {
        for (auto& dt : downTracks) {
          dt->retransmit(static_cast<std::uint16_t>(seq - 3), receiver, now);
        }
      }
      if (i % 25 == 0) receiver.pollNacks(now);
    }
  };
  run(600);  // warm-up
  const std::size_t sentBefore = sinks[0].calls + sinks[1].calls;
  huddle::test::AllocationScope scope;
  run(10000);
  scope.stop();
  const long news = huddle::test::operatorNewCalls();
  const long mallocs = huddle::test::mallocCalls();
  EXPECT_GT(sinks[0].calls + sinks[1].calls - sentBefore, 20000u);
  EXPECT_GT(downTracks[0]->stats().retransmittedRtx, 500u);
  EXPECT_GT(downTracks[1]->stats().retransmittedPlain, 500u);
  EXPECT_GT(receiver.stats().retransmissionsReceived, 100u);
  EXPECT_GT(nacks.seqs, 100u);
  EXPECT_EQ(news, 0);
  EXPECT_EQ(mallocs, 0) << "countsMalloc=" << huddle::test::countsMalloc();
}

}  // namespace
}  // namespace huddle::sfu
