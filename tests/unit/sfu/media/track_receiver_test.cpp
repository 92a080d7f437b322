#include <gtest/gtest.h>

#include <chrono>

#include "media_test_util.h"
#include "sfu/media/down_track.h"
#include "sfu/media/track_receiver.h"

namespace huddle::sfu {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::OwnedPacket;
using test::RtpSpec;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kQ = 0x100;
constexpr std::uint32_t kH = 0x200;
constexpr std::uint32_t kF = 0x300;

OwnedPacket vp8(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, const Bytes& payload) {
  RtpSpec s;
  s.ssrc = ssrc;
  s.seq = seq;
  s.timestamp = ts;
  s.payload = payload;
  return OwnedPacket{test::buildRtp(s)};
}

DownTrackConfig videoConfig(std::uint32_t ssrc) {
  DownTrackConfig c;
  c.ssrc = ssrc;
  c.payloadType = 96;
  c.codec = CodecKind::Vp8;
  return c;
}

class TrackReceiverTest : public ::testing::Test {
 protected:
  TrackReceiverConfig config() {
    TrackReceiverConfig c;
    c.trackSid = "TR_cam";
    c.codec = CodecKind::Vp8;
    c.keyframeRequestInterval = 500ms;
    return c;
  }
  void push(TrackReceiver& r, std::uint32_t ssrc, std::uint16_t seq, const Bytes& payload,
            Clock::time_point now) {
    OwnedPacket p = vp8(ssrc, seq, seq * 3000u, payload);
    r.onRtp(p.view(), *r.layerOf(ssrc), now);
  }

  test::RecordingRequester requester;
  test::RecordingSink sinkA, sinkB, sinkC;
  Clock::time_point t0 = Clock::now();
};

TEST_F(TrackReceiverTest, LayersAndSsrcs) {
  TrackReceiver r(config(), requester);
  EXPECT_EQ(r.highestLayer(), 0);
  EXPECT_FALSE(r.ssrcOf(0));
  r.setLayerSsrc(0, kQ);
  r.setLayerSsrc(1, kH);
  EXPECT_EQ(r.highestLayer(), 1);
  EXPECT_EQ(r.layerOf(kH), 1);
  EXPECT_FALSE(r.layerOf(kF));
  EXPECT_EQ(r.ssrcOf(0), kQ);
  EXPECT_FALSE(r.ssrcOf(5));
  r.setLayerSsrc(7, kF);  // out of range: ignored
  EXPECT_EQ(r.highestLayer(), 1);
}

TEST_F(TrackReceiverTest, FansOutToEveryDownTrackAndCountsPerLayer) {
  TrackReceiver r(config(), requester);
  r.setLayerSsrc(0, kQ);
  DownTrack a("TR_cam", "PA_a", videoConfig(1), sinkA);
  DownTrack b("TR_cam", "PA_b", videoConfig(2), sinkB);
  DownTrack c("TR_cam", "PA_c", videoConfig(3), sinkC);
  r.addDownTrack(a, t0);
  r.addDownTrack(b, t0);
  r.addDownTrack(c, t0);
  EXPECT_EQ(r.downTrackCount(), 3u);
  push(r, kQ, 1, test::vp8Keyframe(), t0);
  push(r, kQ, 2, test::vp8Delta(), t0);
  for (auto* s : {&sinkA, &sinkB, &sinkC}) ASSERT_EQ(s->packets.size(), 2u);
  EXPECT_EQ(sinkA.last().ssrc(), 1u);
  EXPECT_EQ(sinkB.last().ssrc(), 2u);
  EXPECT_EQ(sinkC.last().ssrc(), 3u);
  EXPECT_EQ(r.stats().packets[0], 2u);
  EXPECT_EQ(r.stats().keyframes[0], 1u);

  r.removeDownTrack(b);
  push(r, kQ, 3, test::vp8Delta(), t0);
  EXPECT_EQ(sinkA.packets.size(), 3u);
  EXPECT_EQ(sinkB.packets.size(), 2u);

  OwnedPacket bad = vp8(kQ, 4, 0, test::vp8Delta());
  r.onRtp(bad.view(), 3, t0);
  EXPECT_EQ(r.stats().droppedUnknownLayer, 1u);
  EXPECT_EQ(sinkA.packets.size(), 3u);
}

TEST_F(TrackReceiverTest, NewDownTrackTargetsTheHighestLayerAndAsksForItsKeyframe) {
  TrackReceiver r(config(), requester);
  r.setLayerSsrc(0, kQ);
  r.setLayerSsrc(1, kH);
  r.setLayerSsrc(2, kF);
  DownTrack a("TR_cam", "PA_a", videoConfig(1), sinkA);
  r.addDownTrack(a, t0);
  EXPECT_EQ(a.targetLayer(), 2);
  ASSERT_EQ(requester.requests.size(), 1u);
  EXPECT_EQ(requester.requests[0], kF);
  EXPECT_EQ(r.stats().keyframeRequests, 1u);

  // Only f's keyframe starts it.
  push(r, kQ, 1, test::vp8Keyframe(), t0 + 1ms);
  push(r, kH, 1, test::vp8Keyframe(), t0 + 1ms);
  EXPECT_TRUE(sinkA.packets.empty());
  push(r, kF, 1, test::vp8Keyframe(), t0 + 1ms);
  EXPECT_EQ(sinkA.packets.size(), 1u);
  EXPECT_EQ(a.currentLayer(), 2);
}

TEST_F(TrackReceiverTest, KeyframeRequestsWhileWaitingAreRateLimited) {
  TrackReceiver r(config(), requester);
  r.setLayerSsrc(0, kQ);
  DownTrack a("TR_cam", "PA_a", videoConfig(1), sinkA);
  r.addDownTrack(a, t0);
  ASSERT_EQ(requester.requests.size(), 1u);
  std::uint16_t seq = 1;
  for (int i = 0; i < 10; ++i) push(r, kQ, seq++, test::vp8Delta(), t0 + 10ms * i);
  EXPECT_EQ(requester.requests.size(), 1u);  // within 500 ms of the first
  push(r, kQ, seq++, test::vp8Delta(), t0 + 500ms);
  EXPECT_EQ(requester.requests.size(), 2u);
  push(r, kQ, seq++, test::vp8Delta(), t0 + 600ms);
  EXPECT_EQ(requester.requests.size(), 2u);
  // Once the keyframe arrives nobody waits, so nothing more is asked.
  push(r, kQ, seq++, test::vp8Keyframe(), t0 + 700ms);
  push(r, kQ, seq++, test::vp8Delta(), t0 + 2s);
  EXPECT_EQ(requester.requests.size(), 2u);
  EXPECT_EQ(r.stats().keyframeRequests, 2u);
  for (const auto ssrc : requester.requests) EXPECT_EQ(ssrc, kQ);
}

TEST_F(TrackReceiverTest, SubscriberRequestsAreRateLimitedPerLayer) {
  TrackReceiver r(config(), requester);
  r.requestKeyframe(0, t0);  // no SSRC known yet
  EXPECT_TRUE(requester.requests.empty());
  r.setLayerSsrc(0, kQ);
  r.setLayerSsrc(1, kH);
  r.requestKeyframe(0, t0);
  r.requestKeyframe(0, t0 + 100ms);
  r.requestKeyframe(1, t0 + 100ms);  // another layer has its own budget
  r.requestKeyframe(1, t0 + 200ms);
  r.requestKeyframe(0, t0 + 501ms);
  r.requestKeyframe(-1, t0 + 501ms);
  r.requestKeyframe(3, t0 + 501ms);
  EXPECT_EQ(requester.requests, (std::vector<std::uint32_t>{kQ, kH, kQ}));
}

TEST_F(TrackReceiverTest, ANewLayerLeavesTargetsToTheSubscribers) {
  TrackReceiver r(config(), requester);
  r.setLayerSsrc(0, kQ);
  DownTrack a("TR_cam", "PA_a", videoConfig(1), sinkA);
  r.addDownTrack(a, t0);
  EXPECT_EQ(a.targetLayer(), 0);
  r.setLayerSsrc(2, kF);  // the subscriber's layer choice decides whether to move up
  EXPECT_EQ(a.targetLayer(), 0);
  EXPECT_EQ(r.highestLayer(), 2);
}

TEST_F(TrackReceiverTest, LayersArriveWhileTheirPacketsAreRecent) {
  TrackReceiver r(config(), requester);
  r.setLayerSsrc(0, kQ);
  r.setLayerSsrc(1, kH);
  r.setLayerSsrc(2, kF);
  EXPECT_EQ(r.layersArriving(t0, 1s), (LayerAvailability{false, false, false}));
  push(r, kQ, 1, test::vp8Delta(), t0);
  push(r, kF, 1, test::vp8Delta(), t0 + 500ms);
  EXPECT_EQ(r.layersArriving(t0 + 900ms, 1s), (LayerAvailability{true, false, true}));
  // The publisher paused q: it stops counting once its last packet is older than the window.
  EXPECT_EQ(r.layersArriving(t0 + 1200ms, 1s), (LayerAvailability{false, false, true}));
}

TEST_F(TrackReceiverTest, AudioDownTracksNeedNoKeyframe) {
  TrackReceiverConfig c = config();
  c.codec = CodecKind::Opus;
  c.clockRate = 48000;
  TrackReceiver r(c, requester);
  r.setLayerSsrc(0, kQ);
  DownTrackConfig dc;
  dc.ssrc = 9;
  dc.payloadType = 111;
  dc.codec = CodecKind::Opus;
  dc.clockRate = 48000;
  DownTrack a("TR_mic", "PA_a", dc, sinkA);
  r.addDownTrack(a, t0);
  RtpSpec s;
  s.ssrc = kQ;
  s.seq = 3;
  s.payloadType = 111;
  s.payload = test::opusPayload();
  OwnedPacket p{test::buildRtp(s)};
  r.onRtp(p.view(), 0, t0);
  EXPECT_EQ(sinkA.packets.size(), 1u);
  EXPECT_TRUE(requester.requests.empty());
  EXPECT_EQ(r.stats().keyframes[0], 0u);
}

}  // namespace
}  // namespace huddle::sfu
