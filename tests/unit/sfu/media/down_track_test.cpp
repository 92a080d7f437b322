#include <gtest/gtest.h>

#include <chrono>

#include "media_test_util.h"
#include "sfu/media/down_track.h"
#include "sfu/media/media_codec.h"

namespace huddle::sfu {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::OwnedPacket;
using test::RtpSpec;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kLowSsrc = 0xA0000001;
constexpr std::uint32_t kHighSsrc = 0xB0000002;
constexpr std::uint32_t kOutSsrc = 0x5EB5C71B;
constexpr std::uint8_t kOutPt = 101;

DownTrackConfig videoConfig() {
  DownTrackConfig c;
  c.ssrc = kOutSsrc;
  c.payloadType = kOutPt;
  c.codec = CodecKind::Vp8;
  c.clockRate = 90000;
  return c;
}

OwnedPacket vp8(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, const Bytes& payload) {
  RtpSpec s;
  s.ssrc = ssrc;
  s.seq = seq;
  s.timestamp = ts;
  s.payloadType = 96;
  s.payload = payload;
  return OwnedPacket{test::buildRtp(s)};
}

class DownTrackTest : public ::testing::Test {
 protected:
  // Forwards one packet and reports whether the sink saw it.
  bool send(DownTrack& dt, OwnedPacket p, int layer, Clock::time_point now) {
    const std::size_t before = sink.calls;
    const auto view = p.view();
    dt.forward(view, layer, isKeyframe(CodecKind::Vp8, view.payload()), now);
    return sink.calls == before + 1;
  }

  test::RecordingSink sink;
  Clock::time_point t0 = Clock::now();
};

TEST_F(DownTrackTest, VideoWaitsForAKeyframeThenRewritesSsrcAndPayloadType) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  EXPECT_TRUE(dt.needsKeyframe());
  EXPECT_FALSE(send(dt, vp8(kLowSsrc, 10, 1000, test::vp8Delta()), 0, t0));
  EXPECT_FALSE(send(dt, vp8(kLowSsrc, 11, 1000, test::vp8Continuation()), 0, t0));
  EXPECT_EQ(dt.stats().droppedWaitingKeyframe, 2u);
  EXPECT_TRUE(dt.needsKeyframe());

  const Bytes key = test::vp8Keyframe();
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 12, 4000, key), 0, t0));
  EXPECT_FALSE(dt.needsKeyframe());
  EXPECT_EQ(dt.currentLayer(), 0);
  auto out = sink.last();
  EXPECT_EQ(out.ssrc(), kOutSsrc);
  EXPECT_EQ(out.payloadType(), kOutPt);
  EXPECT_EQ(std::vector<std::uint8_t>(out.payload().begin(), out.payload().end()), key);

  // The rest of the frame and later deltas follow.
  EXPECT_TRUE(send(dt, vp8(kLowSsrc, 13, 4000, test::vp8Continuation()), 0, t0));
  EXPECT_TRUE(send(dt, vp8(kLowSsrc, 14, 7000, test::vp8Delta()), 0, t0));
  EXPECT_EQ(static_cast<std::uint16_t>(sink.at(2).sequenceNumber() - sink.at(0).sequenceNumber()), 2);
  EXPECT_EQ(sink.at(2).timestamp() - sink.at(0).timestamp(), 3000u);
  EXPECT_EQ(dt.stats().packetsSent, 3u);
  EXPECT_EQ(sink.roomViolations, 0u);
}

TEST_F(DownTrackTest, AudioStartsAtOnce) {
  DownTrackConfig c;
  c.ssrc = 0x0A0D10;
  c.payloadType = 111;
  c.codec = CodecKind::Opus;
  c.clockRate = 48000;
  DownTrack dt("TR_a", "PA_sub", c, sink);
  EXPECT_FALSE(dt.needsKeyframe());
  RtpSpec s;
  s.ssrc = 0x1234;
  s.seq = 500;
  s.timestamp = 960;
  s.payloadType = 109;
  s.payload = test::opusPayload();
  OwnedPacket p{test::buildRtp(s)};
  dt.forward(p.view(), 0, /*keyframe=*/false, t0);
  ASSERT_EQ(sink.packets.size(), 1u);
  EXPECT_EQ(sink.last().ssrc(), 0x0A0D10u);
  EXPECT_EQ(sink.last().payloadType(), 111);
}

TEST_F(DownTrackTest, LayerSwitchKeepsNumberingContinuous) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  dt.setTargetLayer(0);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 100, 10000, test::vp8Keyframe()), 0, t0));
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 101, 13000, test::vp8Delta()), 0, t0 + 33ms));
  // The high layer is ignored while low is current.
  EXPECT_FALSE(send(dt, vp8(kHighSsrc, 7000, 900000, test::vp8Keyframe()), 1, t0 + 33ms));
  EXPECT_EQ(dt.stats().droppedOtherLayer, 1u);

  dt.setTargetLayer(1);
  EXPECT_TRUE(dt.needsKeyframe());
  // Until high's keyframe: low keeps flowing, high deltas wait.
  EXPECT_TRUE(send(dt, vp8(kLowSsrc, 102, 16000, test::vp8Delta()), 0, t0 + 66ms));
  EXPECT_FALSE(send(dt, vp8(kHighSsrc, 7001, 903000, test::vp8Delta()), 1, t0 + 66ms));
  EXPECT_EQ(dt.stats().droppedWaitingKeyframe, 1u);
  const std::uint16_t lastSeq = sink.last().sequenceNumber();
  const std::uint32_t lastTs = sink.last().timestamp();

  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7002, 906000, test::vp8Keyframe()), 1, t0 + 99ms));
  EXPECT_EQ(dt.currentLayer(), 1);
  EXPECT_FALSE(dt.needsKeyframe());
  EXPECT_EQ(dt.stats().layerSwitches, 1u);
  EXPECT_EQ(sink.last().sequenceNumber(), static_cast<std::uint16_t>(lastSeq + 1));
  EXPECT_EQ(sink.last().timestamp(), lastTs + 2970u);  // 33 ms at 90 kHz
  EXPECT_EQ(sink.last().ssrc(), kOutSsrc);

  // Now low is the other layer, and high continues from the new base.
  EXPECT_FALSE(send(dt, vp8(kLowSsrc, 103, 19000, test::vp8Delta()), 0, t0 + 99ms));
  EXPECT_EQ(dt.stats().droppedOtherLayer, 2u);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7003, 909000, test::vp8Delta()), 1, t0 + 132ms));
  EXPECT_EQ(sink.last().sequenceNumber(), static_cast<std::uint16_t>(lastSeq + 2));
  EXPECT_EQ(sink.last().timestamp(), lastTs + 2970u + 3000u);
}

TEST_F(DownTrackTest, Vp8PictureIdsAndTl0PicIdxContinueAcrossALayerSwitch) {
  DownTrack dt("TR_v", "PA_s", videoConfig(), sink);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 100, 10000, test::vp8WithPictureId(true, 32766, 7)), 0, t0));
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 101, 13000, test::vp8WithPictureId(false, 32767, 8)), 0, t0 + 33ms));
  // The first source is passed through untouched, wrap included.
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 102, 16000, test::vp8WithPictureId(false, 0, 9)), 0, t0 + 66ms));
  EXPECT_EQ(test::vp8PictureIdOf(sink.last().payload()), std::make_pair(std::uint16_t{0}, std::uint8_t{9}));

  // The high layer numbers its pictures far behind the low one (it was paused, or started later).
  dt.setTargetLayer(1);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7000, 900000, test::vp8WithPictureId(true, 1200, 250)), 1, t0 + 99ms));
  EXPECT_EQ(test::vp8PictureIdOf(sink.last().payload()), std::make_pair(std::uint16_t{1}, std::uint8_t{10}));
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7001, 903000, test::vp8Continuation()), 1, t0 + 99ms));
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7002, 906000, test::vp8WithPictureId(false, 1201, 251)), 1, t0 + 132ms));
  EXPECT_EQ(test::vp8PictureIdOf(sink.last().payload()), std::make_pair(std::uint16_t{2}, std::uint8_t{11}));
  // TL0PICIDX wraps in 8 bits as the publisher's does.
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7003, 909000, test::vp8WithPictureId(false, 1202, 255)), 1, t0 + 165ms));
  EXPECT_EQ(test::vp8PictureIdOf(sink.last().payload()), std::make_pair(std::uint16_t{3}, std::uint8_t{15}));
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 7004, 912000, test::vp8WithPictureId(false, 1203, 0)), 1, t0 + 198ms));
  EXPECT_EQ(test::vp8PictureIdOf(sink.last().payload()), std::make_pair(std::uint16_t{4}, std::uint8_t{16}));

  // Back down after a pause: the ids go on from the last one sent, not from where the low layer is.
  dt.setPaused(true);
  dt.setPaused(false);
  dt.setTargetLayer(0);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 200, 400000, test::vp8WithPictureId(true, 90, 40)), 0, t0 + 2s));
  EXPECT_EQ(test::vp8PictureIdOf(sink.last().payload()), std::make_pair(std::uint16_t{5}, std::uint8_t{17}));
  // The rest of the payload is untouched.
  const Bytes expected = test::vp8WithPictureId(true, 90, 40);
  const auto payload = sink.last().payload();
  EXPECT_TRUE(std::equal(expected.begin() + 5, expected.end(), payload.begin() + 5, payload.end()));
}

TEST_F(DownTrackTest, SwitchWithoutElapsedTimeStillAdvancesTheTimestamp) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 1, 500, test::vp8Keyframe()), 0, t0));
  dt.setTargetLayer(1);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 9, 77, test::vp8Keyframe()), 1, t0));
  EXPECT_EQ(sink.last().timestamp(), 501u);
  EXPECT_EQ(sink.last().sequenceNumber(), 2);
}

TEST_F(DownTrackTest, PauseAndResumeContinueTheNumbering) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 40, 3000, test::vp8Keyframe()), 0, t0));
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 41, 6000, test::vp8Delta()), 0, t0 + 33ms));
  const std::uint16_t lastSeq = sink.last().sequenceNumber();
  const std::uint32_t lastTs = sink.last().timestamp();

  dt.setPaused(true);
  EXPECT_TRUE(dt.paused());
  EXPECT_FALSE(dt.needsKeyframe());  // nothing to ask for while paused
  for (std::uint16_t i = 0; i < 20; ++i) {
    EXPECT_FALSE(send(dt, vp8(kLowSsrc, static_cast<std::uint16_t>(42 + i), 9000 + 3000u * i,
                             i == 5 ? test::vp8Keyframe() : test::vp8Delta()),
                      0, t0 + 66ms));
  }
  dt.setPaused(false);
  EXPECT_TRUE(dt.needsKeyframe());
  EXPECT_FALSE(send(dt, vp8(kLowSsrc, 62, 69000, test::vp8Delta()), 0, t0 + 2s));
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 63, 72000, test::vp8Keyframe()), 0, t0 + 33ms + 2s));
  EXPECT_EQ(sink.last().sequenceNumber(), static_cast<std::uint16_t>(lastSeq + 1));
  EXPECT_EQ(sink.last().timestamp(), lastTs + 180000u);  // two seconds at 90 kHz
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 64, 75000, test::vp8Delta()), 0, t0 + 66ms + 2s));
  EXPECT_EQ(sink.last().sequenceNumber(), static_cast<std::uint16_t>(lastSeq + 2));
  EXPECT_EQ(sink.last().timestamp(), lastTs + 183000u);
  EXPECT_EQ(dt.stats().layerSwitches, 0u);
}

TEST_F(DownTrackTest, AudioResumesAtOnceAndContinues) {
  DownTrackConfig c;
  c.ssrc = 77;
  c.payloadType = 111;
  c.codec = CodecKind::Opus;
  c.clockRate = 48000;
  DownTrack dt("TR_a", "PA_sub", c, sink);
  auto opus = [](std::uint16_t seq, std::uint32_t ts) {
    RtpSpec s;
    s.seq = seq;
    s.timestamp = ts;
    s.payloadType = 111;
    s.payload = test::opusPayload();
    return OwnedPacket{test::buildRtp(s)};
  };
  auto p1 = opus(1000, 48000);
  dt.forward(p1.view(), 0, true, t0);
  dt.setPaused(true);
  auto p2 = opus(1001, 48960);
  dt.forward(p2.view(), 0, true, t0 + 20ms);
  dt.setPaused(false);
  auto p3 = opus(1050, 96000);
  dt.forward(p3.view(), 0, true, t0 + 1s);
  ASSERT_EQ(sink.packets.size(), 2u);
  EXPECT_EQ(sink.at(1).sequenceNumber(), static_cast<std::uint16_t>(sink.at(0).sequenceNumber() + 1));
  EXPECT_EQ(sink.at(1).timestamp(), sink.at(0).timestamp() + 48000u);
}

TEST_F(DownTrackTest, SequenceWrapsAt65535) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 65533, 100, test::vp8Keyframe()), 0, t0));
  for (std::uint16_t seq : {std::uint16_t{65534}, std::uint16_t{65535}, std::uint16_t{0}, std::uint16_t{1}}) {
    ASSERT_TRUE(send(dt, vp8(kLowSsrc, seq, 100, test::vp8Continuation()), 0, t0)) << seq;
  }
  for (std::size_t i = 1; i < sink.packets.size(); ++i) {
    EXPECT_EQ(sink.at(i).sequenceNumber(), static_cast<std::uint16_t>(sink.at(i - 1).sequenceNumber() + 1));
  }
  EXPECT_EQ(dt.stats().droppedStale, 0u);

  // A switch right after the wrap: out continues at last + 1 even though the new source's
  // numbers are far away.
  dt.setTargetLayer(1);
  const std::uint16_t lastSeq = sink.last().sequenceNumber();
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 30000, 5, test::vp8Keyframe()), 1, t0 + 10ms));
  EXPECT_EQ(sink.last().sequenceNumber(), static_cast<std::uint16_t>(lastSeq + 1));
}

TEST_F(DownTrackTest, OutputWrapsWhenTheSwitchLandsOn65535) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 65534, 100, test::vp8Keyframe()), 0, t0));
  dt.setTargetLayer(1);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 10, 5, test::vp8Keyframe()), 1, t0));
  EXPECT_EQ(sink.last().sequenceNumber(), 65535);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 11, 5, test::vp8Continuation()), 1, t0));
  EXPECT_EQ(sink.last().sequenceNumber(), 0);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 12, 3005, test::vp8Delta()), 1, t0));
  EXPECT_EQ(sink.last().sequenceNumber(), 1);
}

TEST_F(DownTrackTest, StragglersFromBeforeTheSwitchAreDropped) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 5000, 100, test::vp8Keyframe()), 0, t0));
  EXPECT_FALSE(send(dt, vp8(kLowSsrc, 4999, 100, test::vp8Continuation()), 0, t0));
  EXPECT_EQ(dt.stats().droppedStale, 1u);
  // Reordering after the start is forwarded as is.
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 5002, 100, test::vp8Continuation()), 0, t0));
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 5001, 100, test::vp8Continuation()), 0, t0));
  EXPECT_EQ(static_cast<std::uint16_t>(sink.last().sequenceNumber() - sink.at(0).sequenceNumber()), 1);
  // A later switch continues after the highest number sent, not the last one.
  dt.setTargetLayer(1);
  ASSERT_TRUE(send(dt, vp8(kHighSsrc, 0, 100, test::vp8Keyframe()), 1, t0 + 1ms));
  EXPECT_EQ(static_cast<std::uint16_t>(sink.last().sequenceNumber() - sink.at(0).sequenceNumber()), 3);
  // The straggler check is wrap-aware: 65535 is older than 0.
  EXPECT_FALSE(send(dt, vp8(kHighSsrc, 65535, 100, test::vp8Continuation()), 1, t0 + 1ms));
  EXPECT_EQ(dt.stats().droppedStale, 2u);
  EXPECT_TRUE(send(dt, vp8(kHighSsrc, 1, 100, test::vp8Continuation()), 1, t0 + 1ms));
}

TEST_F(DownTrackTest, LongStreamsAreNotMistakenForStragglers) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  sink.keep = false;
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 0, 0, test::vp8Keyframe()), 0, t0));
  constexpr std::uint32_t kCount = 3u * 65536u;
  OwnedPacket p = vp8(kLowSsrc, 0, 0, test::vp8Delta(40));
  for (std::uint32_t i = 1; i <= kCount; ++i) {
    p.bytes[2] = static_cast<std::uint8_t>(i >> 8);
    p.bytes[3] = static_cast<std::uint8_t>(i);
    dt.forward(p.view(), 0, false, t0);
  }
  EXPECT_EQ(dt.stats().droppedStale, 0u);
  EXPECT_EQ(dt.stats().packetsSent, kCount + 1);
}

TEST_F(DownTrackTest, OversizePacketsAreDroppedAndCounted) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  const std::size_t limit = DownTrack::kBufferSize - 16;
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 1, 100, test::vp8Keyframe(limit - 12)), 0, t0));
  EXPECT_EQ(sink.last().size(), limit);
  EXPECT_FALSE(send(dt, vp8(kLowSsrc, 2, 100, test::vp8Continuation(limit - 11)), 0, t0));
  EXPECT_EQ(dt.stats().droppedTooLarge, 1u);
  EXPECT_TRUE(send(dt, vp8(kLowSsrc, 3, 100, test::vp8Continuation()), 0, t0));
  EXPECT_EQ(sink.roomViolations, 0u);
}

TEST_F(DownTrackTest, RefusedSendsAreCountedAndNumberingMovesOn) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  sink.accept = false;
  send(dt, vp8(kLowSsrc, 1, 100, test::vp8Keyframe()), 0, t0);
  send(dt, vp8(kLowSsrc, 2, 100, test::vp8Continuation()), 0, t0);
  EXPECT_EQ(dt.stats().sendFailures, 2u);
  EXPECT_EQ(dt.stats().packetsSent, 0u);
  sink.accept = true;
  send(dt, vp8(kLowSsrc, 3, 100, test::vp8Continuation()), 0, t0);
  EXPECT_EQ(dt.stats().packetsSent, 1u);
  EXPECT_EQ(static_cast<std::uint16_t>(sink.at(2).sequenceNumber() - sink.at(0).sequenceNumber()), 2);
}

TEST_F(DownTrackTest, ExtensionIdsAreRemappedIncludingUnknownUris) {
  DownTrackConfig c = videoConfig();
  c.extensions = ExtensionMap::build(
      {{1, "urn:ietf:params:rtp-hdrext:sdes:mid"}, {3, "abs-send-time"}, {4, "urn:only-publisher"}},
      {{4, "urn:ietf:params:rtp-hdrext:sdes:mid"}, {1, "abs-send-time"}, {2, "transport-cc"}});
  DownTrack dt("TR_v", "PA_sub", c, sink);
  RtpSpec s;
  s.ssrc = kLowSsrc;
  s.seq = 9;
  s.payload = test::vp8Keyframe();
  s.extensions = {{1, {'v', '0'}}, {3, {0xAA, 0xBB, 0xCC}}, {4, {0x42}}};
  OwnedPacket p{test::buildRtp(s)};
  dt.forward(p.view(), 0, true, t0);
  ASSERT_EQ(sink.packets.size(), 1u);
  auto out = sink.last();
  const auto mid = out.findExtension(4);
  ASSERT_TRUE(mid);
  EXPECT_EQ(Bytes(mid->begin(), mid->end()), (Bytes{'v', '0'}));
  const auto abs = out.findExtension(1);
  ASSERT_TRUE(abs);
  EXPECT_EQ(Bytes(abs->begin(), abs->end()), (Bytes{0xAA, 0xBB, 0xCC}));
  EXPECT_FALSE(out.findExtension(3));
  EXPECT_FALSE(out.findExtension(2));  // the subscriber's transport-cc id stays free
  const std::uint8_t renumbered = c.extensions.table[4];
  ASSERT_NE(renumbered, 0);
  const auto unknown = out.findExtension(renumbered);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(Bytes(unknown->begin(), unknown->end()), (Bytes{0x42}));
  // The publisher's packet is untouched.
  EXPECT_TRUE(p.view().findExtension(3));
  EXPECT_EQ(p.view().ssrc(), kLowSsrc);
}

}  // namespace
}  // namespace huddle::sfu

namespace huddle::sfu {
namespace {

TEST_F(DownTrackTest, SenderReportAdvancesTheMungedTimestampByElapsedTime) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  rtc::RtcpSenderReport sr;
  EXPECT_FALSE(dt.makeSenderReport(t0, 1, sr));  // nothing sent yet
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 10, 5000, test::vp8Keyframe()), 0, t0));
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 11, 8000, test::vp8Delta()), 0, t0 + 33ms));
  const std::uint32_t lastTs = sink.last().timestamp();
  ASSERT_TRUE(dt.makeSenderReport(t0 + 33ms + 500ms, 0x1122334455667788ull, sr));
  EXPECT_EQ(sr.ssrc, kOutSsrc);
  EXPECT_EQ(sr.ntpTimestamp, 0x1122334455667788ull);
  EXPECT_EQ(sr.rtpTimestamp, lastTs + 45000u);  // 0.5 s at 90 kHz
  EXPECT_EQ(sr.packetCount, 2u);
  EXPECT_EQ(sr.octetCount, dt.stats().bytesSent);
}

TEST_F(DownTrackTest, ReceiverReportGivesLossJitterAndRttFromOurSr) {
  DownTrack dt("TR_v", "PA_sub", videoConfig(), sink);
  EXPECT_FALSE(dt.remoteReport().has_value());
  ASSERT_TRUE(send(dt, vp8(kLowSsrc, 10, 5000, test::vp8Keyframe()), 0, t0));
  rtc::RtcpSenderReport sr;
  const std::uint64_t ntp = 0xAABBCCDD'11223344ull;
  ASSERT_TRUE(dt.makeSenderReport(t0, ntp, sr));

  rtc::ReportBlock block;
  block.ssrc = kOutSsrc;
  block.fractionLost = 64;
  block.cumulativeLost = 7;
  block.jitter = 900;
  block.lastSr = static_cast<std::uint32_t>(ntp >> 16);
  block.delaySinceLastSr = 65536 / 10;  // the subscriber held it 100 ms
  dt.onReceiverReport(block, t0 + 160ms);
  const auto& report = dt.remoteReport();
  ASSERT_TRUE(report.has_value());
  EXPECT_DOUBLE_EQ(report->fractionLost, 0.25);
  EXPECT_EQ(report->cumulativeLost, 7);
  EXPECT_DOUBLE_EQ(report->jitterSeconds, 0.01);
  ASSERT_TRUE(report->rttSeconds.has_value());
  EXPECT_NEAR(*report->rttSeconds, 0.060, 0.001);
  EXPECT_EQ(report->at, t0 + 160ms);

  // An LSR we never sent gives no new RTT; the last known one stays.
  block.lastSr = 0x01020304;
  dt.onReceiverReport(block, t0 + 1s);
  ASSERT_TRUE(dt.remoteReport()->rttSeconds.has_value());
  EXPECT_NEAR(*dt.remoteReport()->rttSeconds, 0.060, 0.001);
}

}  // namespace
}  // namespace huddle::sfu
