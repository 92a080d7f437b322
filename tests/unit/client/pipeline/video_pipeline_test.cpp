// VideoSendPipeline -> in-memory hop -> VideoReceivePipeline per simulcast layer, on real
// threads: frames come out decoded in order at each layer's size, through 5 % loss repaired by
// NACK; RGBA input converts; keyframe requests round-trip; the send queue drops the oldest
// frame without blocking; teardown with frames in flight is clean.

#include <algorithm>

#include <gtest/gtest.h>

#include "media/convert.h"
#include "media/vp8_encoder.h"
#include "video_loopback.h"

namespace huddle::client::test {
namespace {

using namespace std::chrono_literals;

void expectIncreasing(const std::vector<DecodedFrame>& frames) {
  for (std::size_t i = 1; i < frames.size(); ++i) {
    ASSERT_TRUE(frames[i].counter && frames[i - 1].counter) << "frame " << i << " has no readable counter";
    EXPECT_GT(*frames[i].counter, *frames[i - 1].counter) << "at " << i;
  }
}

TEST(VideoPipelineLoopback, LosslessEveryFrameOfEveryLayerDecodedAtItsSize) {
  VideoLoopback loop({});
  ASSERT_TRUE(loop.sender_);
  ASSERT_EQ(loop.receivers_.size(), 3u);
  loop.pushPaced(45);
  const auto last = static_cast<std::uint16_t>(loop.pushed - 1);
  ASSERT_TRUE(loop.waitFor([&] {
    return loop.lastDecodedIsLocked(0, last) && loop.lastDecodedIsLocked(1, last) && loop.lastDecodedIsLocked(2, last);
  }));
  const int widths[] = {160, 320, 640};
  const int heights[] = {90, 180, 360};
  for (int layer = 0; layer < 3; ++layer) {
    const auto frames = loop.decoded(layer);
    ASSERT_EQ(frames.size(), 45u) << "layer " << layer;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(frames[i].counter, static_cast<std::uint16_t>(i)) << "layer " << layer;
      EXPECT_EQ(frames[i].width, widths[layer]);
      EXPECT_EQ(frames[i].height, heights[layer]);
    }
    EXPECT_EQ(loop.sender_->layerWidth(layer), widths[layer]);
    const auto rs = loop.receivers_[static_cast<std::size_t>(layer)]->stats();
    EXPECT_EQ(rs.decodeErrors, 0u);
    EXPECT_EQ(rs.framesDecoded, 45u);
  }
  const auto ss = loop.sender_->stats();
  EXPECT_EQ(ss.framesDropped, 0u);
  EXPECT_EQ(ss.framesPushed, 45u);
  EXPECT_EQ(ss.keyframesEncoded[0], 1u);
}

TEST(VideoPipelineLoopback, FivePercentLossRepairedByNack) {
  VideoLoopback loop({.seed = 5});
  ASSERT_TRUE(loop.sender_);
  // Clean start and end: a receiver cannot learn of packets lost before its first one, nor of
  // a frame's tail lost with nothing sent after it.
  loop.pushPaced(3);
  loop.setLoss(0.05);
  loop.pushPaced(60);
  loop.setLoss(0.0);
  loop.pushPaced(5);
  // A gap NACK could not fill ends in a PLI, and only a later frame brings the keyframe: keep
  // capturing (bounded) until every layer shows the newest frame.
  bool caughtUp = false;
  for (int extra = 0; extra < 60 && !caughtUp; ++extra) {
    const auto last = static_cast<std::uint16_t>(loop.pushed - 1);
    caughtUp = loop.waitFor([&] {
      return loop.lastDecodedIsLocked(0, last) && loop.lastDecodedIsLocked(1, last) && loop.lastDecodedIsLocked(2, last);
    }, 500ms);
    if (!caughtUp) {
      loop.pushPaced(1);
    }
  }
  ASSERT_TRUE(caughtUp);
  EXPECT_GT(loop.packetsDropped.load(), 0);
  EXPECT_GT(loop.nacksSeen.load(), 0);
  std::uint64_t resent = 0;
  for (int layer = 0; layer < 3; ++layer) {
    const auto frames = loop.decoded(layer);
    expectIncreasing(frames);
    // NACK repairs nearly all: the stream hands the pipeline at least 55 of the 68 frames (a
    // frame given up ends in a PLI and a keyframe, which skips some). Whether the decode thread
    // keeps up with them depends on the machine (under ASan on two loaded cores its queue
    // overflowed and it dropped 19 frames of one layer), so frames dropped on the decode side
    // count as delivered here; client_stream's injected-time tests pin the exact repair.
    const auto rs = loop.receivers_[static_cast<std::size_t>(layer)]->stats();
    EXPECT_GE(frames.size() + rs.framesDropped, 55u)
        << "layer " << layer << " decoded " << frames.size() << " dropped " << rs.framesDropped << " errors "
        << rs.decodeErrors << " keyframes asked " << rs.keyframesRequested;
    EXPECT_EQ(rs.decodeErrors, 0u);
    resent += loop.sender_->streamStats(layer).retransmittedPackets;
  }
  EXPECT_GT(resent, 0u);
}

TEST(VideoPipelineLoopback, RgbaInputOfAnotherSizeIsConvertedAndScaled) {
  VideoLoopback loop({.layers = 2});
  ASSERT_TRUE(loop.sender_);
  media::TestPatternSource source(320, 180, 30);
  media::VideoFrame frame;
  std::vector<std::uint8_t> rgba(320 * 4 * 180);
  for (int i = 0; i < 10; ++i) {
    source.next(frame);
    ASSERT_TRUE(media::i420ToPacked(frame, media::PackedFormat::Rgba, rgba.data(), 320 * 4));
    const auto before = loop.sender_->stats().framesEncoded[1];
    ASSERT_TRUE(loop.sender_->pushPacked({.data = rgba.data(), .stride = 320 * 4, .width = 320, .height = 180,
                                          .format = media::PackedFormat::Rgba},
                                         frame.captureTimeUs()));
    ASSERT_TRUE(loop.waitFor([&] { return loop.sender_->stats().framesEncoded[1] > before; }));
  }
  ASSERT_TRUE(loop.waitFor([&] { return loop.lastDecodedIsLocked(0, 9) && loop.lastDecodedIsLocked(1, 9); }));
  const auto top = loop.decoded(1);
  ASSERT_EQ(top.size(), 10u);
  EXPECT_EQ(top.back().width, 640);
  EXPECT_EQ(top.back().height, 360);
  EXPECT_EQ(loop.decoded(0).back().width, 320);
  expectIncreasing(top);
  EXPECT_FALSE(loop.sender_->pushPacked({.data = nullptr, .stride = 0, .width = 0, .height = 0,
                                         .format = media::PackedFormat::Rgba}, 0));
  EXPECT_EQ(loop.sender_->stats().framesRejected, 1u);
}

TEST(VideoPipelineLoopback, KeyframeRequestFromOneReceiverReachesOnlyItsLayer) {
  VideoLoopback loop({.seed = 9});
  ASSERT_TRUE(loop.sender_);
  loop.pushPaced(10);
  ASSERT_TRUE(loop.waitFor([&] { return loop.lastDecodedIsLocked(1, 9); }));
  const auto before = loop.sender_->stats().keyframesEncoded;
  ASSERT_EQ(before[1], 1u);
  auto* middle = loop.receivers_[1].get();
  loop.post([middle] { middle->requestKeyframe(); });
  // The PLI goes out at the receiver's next tick; frames keep coming until the keyframe does.
  for (int i = 0; i < 60 && loop.sender_->stats().keyframesEncoded[1] == before[1]; ++i) {
    loop.pushPaced(1);
  }
  const auto after = loop.sender_->stats().keyframesEncoded;
  EXPECT_EQ(after[1], before[1] + 1);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[2], before[2]);
  EXPECT_GE(loop.plisSeen.load(), 1);
  EXPECT_EQ(loop.sender_->streamStats(1).keyframeRequests, 1u);
}

TEST(VideoPipelineLoopback, PausedLayerIsNotSentAndResumesWithKeyframe) {
  VideoLoopback loop({});
  ASSERT_TRUE(loop.sender_);
  loop.pushPaced(5);
  loop.sender_->setLayerActive(0, false);
  EXPECT_FALSE(loop.sender_->layerActive(0));
  const auto packetsBefore = loop.sender_->streamStats(0).packets;
  loop.pushPaced(5);
  EXPECT_EQ(loop.sender_->streamStats(0).packets, packetsBefore);
  EXPECT_EQ(loop.sender_->stats().framesSkipped[0], 5u);
  loop.sender_->setLayerActive(0, true);
  loop.pushPaced(3);
  const auto st = loop.sender_->stats();
  EXPECT_EQ(st.keyframesEncoded[0], 2u);
  EXPECT_EQ(st.framesEncoded[0], 8u);
  EXPECT_TRUE(loop.sender_->setTargetBitrate(2, 300));
  EXPECT_FALSE(loop.sender_->setTargetBitrate(3, 300));
  loop.pushPaced(3);
  EXPECT_TRUE(loop.waitFor([&] { return loop.lastDecodedIsLocked(0, 15) && loop.lastDecodedIsLocked(2, 15); }));
}

TEST(VideoSendPipeline, FullQueueDropsOldestWithoutBlockingTheCaller) {
  std::mutex m;
  std::condition_variable cv;
  bool inSink = false;
  bool release = false;
  std::vector<std::uint32_t> timestamps;
  int markers = 0;
  VideoSendPipelineConfig config;
  config.width = 320;
  config.height = 180;
  config.layers = 1;
  config.speed = 8;
  config.streams[0].ssrc = 0x42;
  auto created = VideoSendPipeline::create(config, [&](int, RtpOutgoingPacket& packet) {
    std::unique_lock lock(m);
    inSink = true;
    cv.notify_all();
    // Holds the codec thread on the first packet until the test has filled the queue.
    cv.wait_for(lock, 10s, [&] { return release; });
    const auto& b = packet.bytes;
    timestamps.push_back(static_cast<std::uint32_t>(b[4]) << 24 | static_cast<std::uint32_t>(b[5]) << 16 |
                         static_cast<std::uint32_t>(b[6]) << 8 | b[7]);
    if ((b[1] & 0x80) != 0) {
      ++markers;
      cv.notify_all();
    }
  });
  ASSERT_TRUE(created);
  auto& pipeline = *created.value();
  media::TestPatternSource source(320, 180, 30);
  media::VideoFrame frame;
  source.next(frame);
  ASSERT_TRUE(pipeline.pushI420(frame));
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return inSink; }));
  }
  // The codec thread is stuck in the sink: these return at once, keeping the newest two.
  for (int i = 0; i < 5; ++i) {
    source.next(frame);
    ASSERT_TRUE(pipeline.pushI420(frame));
  }
  EXPECT_EQ(pipeline.stats().framesDropped, 3u);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  std::unique_lock lock(m);
  // A frame's last packet carries the marker bit: three frames are 0, 4 and 5.
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return markers == 3; }));
  EXPECT_EQ(pipeline.stats().framesPushed, 6u);
  ASSERT_FALSE(timestamps.empty());
  // Frames 0, 4 and 5 at 30 fps, 3000 ticks of 90 kHz apart: 1-3 were dropped.
  EXPECT_EQ(timestamps.front(), 0u);
  EXPECT_NE(std::find(timestamps.begin(), timestamps.end(), 12000u), timestamps.end());
  EXPECT_EQ(std::find(timestamps.begin(), timestamps.end(), 9000u), timestamps.end());
  EXPECT_EQ(timestamps.back(), 15000u);
}

TEST(VideoPipelineLoopback, SlowDecodeSideDropsThenWaitsForKeyframeWithoutGarbage) {
  VideoLoopback loop({});
  ASSERT_TRUE(loop.sender_);
  loop.pushPaced(3);
  ASSERT_TRUE(loop.waitFor([&] { return loop.lastDecodedIsLocked(0, 2); }));
  loop.setGate(0, true);
  // The smallest layer's decoder is stuck: its 16-frame queue overflows.
  loop.pushPaced(25);
  loop.setGate(0, false);
  bool caughtUp = false;
  for (int extra = 0; extra < 60 && !caughtUp; ++extra) {
    const auto last = static_cast<std::uint16_t>(loop.pushed - 1);
    caughtUp = loop.waitFor([&] { return loop.lastDecodedIsLocked(0, last); }, 500ms);
    if (!caughtUp) {
      loop.pushPaced(1);
    }
  }
  ASSERT_TRUE(caughtUp);
  const auto rs = loop.receivers_[0]->stats();
  EXPECT_GT(rs.framesDropped, 0u);
  EXPECT_GE(rs.keyframesRequested, 1u);
  // Deltas after the drop were held back until the keyframe, so none failed to decode.
  EXPECT_EQ(rs.decodeErrors, 0u);
  EXPECT_GE(loop.sender_->stats().keyframesEncoded[0], 2u);
  expectIncreasing(loop.decoded(0));
  const auto last = static_cast<std::uint16_t>(loop.pushed - 1);
  ASSERT_TRUE(loop.waitFor([&] { return loop.lastDecodedIsLocked(1, last); }));
  EXPECT_EQ(loop.decoded(1).size(), static_cast<std::size_t>(loop.pushed)) << "other layers unaffected";
}

TEST(VideoReceivePipeline, DecodeErrorAsksForKeyframeThroughPostedTask) {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::function<void()>> tasks;
  std::vector<std::vector<std::uint8_t>> rtcp;
  VideoReceivePipelineConfig rc;
  rc.stream.ssrc = 0x55;
  auto created = VideoReceivePipeline::create(
      rc, [](const media::I420View&) {},
      [&](std::span<const std::uint8_t> bytes) { rtcp.emplace_back(bytes.begin(), bytes.end()); },
      [&](std::function<void()> task) {
        std::lock_guard lock(m);
        tasks.push_back(std::move(task));
        cv.notify_all();
      });
  ASSERT_TRUE(created);
  auto& receiver = *created.value();

  struct Forward final : RtpSendStream::Listener {
    VideoReceivePipeline* to = nullptr;
    StreamTime now{};
    void onRtpSendStreamPacket(RtpSendStream&, RtpOutgoingPacket& packet) override { to->onRtp(packet.bytes, now); }
  } forward;
  forward.to = &receiver;
  RtpSendStreamConfig sc;
  sc.ssrc = 0x55;
  auto sender = RtpSendStream::create(sc, forward);
  ASSERT_TRUE(sender);
  auto encoder = media::Vp8Encoder::create({});
  ASSERT_TRUE(encoder);
  media::TestPatternSource source(640, 360, 30);
  media::VideoFrame frame;
  StreamTime now{std::chrono::seconds(100)};
  for (int i = 0; i < 3; ++i) {
    source.next(frame);
    auto encoded = (*encoder)->encode(frame);
    ASSERT_TRUE(encoded);
    std::vector<std::uint8_t> bytes(encoded->data.begin(), encoded->data.end());
    if (i == 0) {
      // A keyframe cut short: its header is intact, its partitions are not.
      bytes.resize(40);
    }
    forward.now = now;
    ASSERT_TRUE((*sender)->sendVideoFrame(bytes, encoded->keyframe, frame.rtpTimestamp(), now));
    now += 33ms;
    receiver.tick(now);
  }
  for (int i = 0; i < 20; ++i) {  // past the receiver's initial hold
    now += 10ms;
    receiver.tick(now);
  }
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return !tasks.empty(); }));
  }
  EXPECT_GE(receiver.stats().decodeErrors, 1u);
  EXPECT_EQ(receiver.stats().framesDecoded, 0u);
  const std::size_t before = rtcp.size();
  std::vector<std::function<void()>> run;
  {
    std::lock_guard lock(m);
    run.swap(tasks);
  }
  for (auto& task : run) {
    task();
  }
  now += 10ms;
  receiver.tick(now);
  ASSERT_GT(rtcp.size(), before);
  bool pli = false;
  for (std::size_t i = before; i < rtcp.size(); ++i) {
    for (const rtc::RtcpPacket& packet : rtc::RtcpCompound(rtcp[i])) {
      pli = pli || (packet.type == 206 && packet.count == 1);
    }
  }
  EXPECT_TRUE(pli);
  EXPECT_GE(receiver.streamStats().keyframesRequested, 1u);
}

TEST(VideoPipelineLoopback, DestroyedWithFramesInFlightMakesNoLateCalls) {
  for (int round = 0; round < 3; ++round) {
    VideoLoopback loop({.seed = static_cast<std::uint32_t>(round + 20)});
    ASSERT_TRUE(loop.sender_);
    loop.setLoss(0.05);
    for (int i = 0; i < 12; ++i) {
      loop.pattern.next(loop.picture);
      ASSERT_TRUE(loop.sender_->pushI420(loop.picture));  // not paced: some are queued or dropped
    }
    loop.shutdown();
    loop.sinksClosed = true;
    EXPECT_EQ(loop.callsAfterClose.load(), 0);
  }
}

TEST(VideoReceivePipeline, MalformedRtpIsCountedNotDecoded) {
  VideoReceivePipelineConfig rc;
  rc.stream.ssrc = 0x66;
  std::atomic<int> frames{0};
  auto created = VideoReceivePipeline::create(
      rc, [&](const media::I420View&) { ++frames; }, [](std::span<const std::uint8_t>) {}, nullptr);
  ASSERT_TRUE(created);
  auto& receiver = *created.value();
  StreamTime now{std::chrono::seconds(10)};
  std::vector<std::uint8_t> shortPacket{0x80, 0x60, 0x00};
  receiver.onRtp(shortPacket, now);
  // Version 1 header with this SSRC.
  std::vector<std::uint8_t> badVersion{0x40, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 0x66, 0x10, 0x00};
  receiver.onRtp(badVersion, now);
  receiver.tick(now + 100ms);
  EXPECT_EQ(receiver.streamStats().malformed, 2u);
  EXPECT_EQ(receiver.streamStats().framesAssembled, 0u);
  EXPECT_EQ(receiver.stats().framesDecoded, 0u);
}

TEST(VideoPipelineConfig, RejectsBadConfigurations) {
  VideoSendPipelineConfig config;
  config.layers = 4;
  EXPECT_FALSE(VideoSendPipeline::create(config, [](int, RtpOutgoingPacket&) {}));
  config.layers = 1;
  config.streams[0].ssrc = 1;
  EXPECT_FALSE(VideoSendPipeline::create(config, nullptr));
  config.queueFrames = 3;
  EXPECT_FALSE(VideoSendPipeline::create(config, [](int, RtpOutgoingPacket&) {}));
  VideoReceivePipelineConfig rc;
  rc.queueFrames = 0;
  EXPECT_FALSE(VideoReceivePipeline::create(rc, [](const media::I420View&) {}, [](std::span<const std::uint8_t>) {},
                                            nullptr));
}

}  // namespace
}  // namespace huddle::client::test
