// Sender -> simulated lossy, reordering, duplicating path -> receiver, with NACK and PLI fed
// back: frames come out complete and in order, lost packets are repaired, and a loss the
// sender can no longer repair ends in a keyframe request and recovery.

#include <gtest/gtest.h>

#include "video_loop.h"

namespace huddle::client::test {
namespace {

using namespace std::chrono_literals;

PathConfig lossyPath() {
  return {.loss = 0.05, .duplicate = 0.03, .delay = 20ms, .jitter = 15ms};
}

// The first frames and the last go over a clean path: a receiver cannot know of packets lost
// before the first one it sees (that start is repaired by a PLI), nor of a frame's tail lost
// with nothing sent after it. Everything in between must be repaired by NACK alone.
void runLossy(VideoLoop& loop, int frames) {
  const PathConfig clean{.delay = 20ms};
  loop.forward.setConfig(clean);
  loop.run(3, 0ms);
  loop.forward.setConfig(lossyPath());
  loop.run(frames, 0ms);
  loop.forward.setConfig(clean);
  loop.run(3, 1500ms);
}

TEST(VideoStreamLoop, EveryFrameDecodedThroughLossAndReorderWithRtx) {
  VideoLoop loop({.back = {.loss = 0.0, .delay = 20ms}, .rtx = true, .seed = 7});
  runLossy(loop, 150);
  const auto& st = loop.receiver->stats();
  ASSERT_GT(loop.sent.size(), 140u);
  EXPECT_EQ(loop.decoded, loop.sent) << "every encoded frame decoded, in order";
  EXPECT_TRUE(loop.decodedMonotonic());
  EXPECT_EQ(loop.decodeErrors, 0);
  EXPECT_GT(loop.nacksReceived, 0);
  EXPECT_GT(st.nackedPackets, 0u);
  EXPECT_GT(st.rtxPackets, 0u);
  EXPECT_GT(st.recovered, 0u);
  EXPECT_GT(st.duplicates, 0u);
  EXPECT_EQ(st.lost, 0u);
  EXPECT_EQ(st.framesDropped, 0u);
  EXPECT_EQ(st.keyframesRequested, 0u);
  EXPECT_EQ(st.framesAssembled, loop.sent.size());
  EXPECT_GT(loop.sender->stats().retransmittedPackets, 0u);
}

TEST(VideoStreamLoop, EveryFrameDecodedWithPlainResendsAcrossSequenceWrap) {
  // Starts just before 65535 so the wrap falls inside the lossy run.
  VideoLoop loop({.back = {.loss = 0.02, .delay = 20ms}, .rtx = false, .firstSequence = 65200, .seed = 11});
  runLossy(loop, 120);
  ASSERT_GT(loop.sender->nextSequence(), 0u);
  ASSERT_LT(loop.sender->nextSequence(), 65200u) << "the sequence must have wrapped";
  EXPECT_EQ(loop.decoded, loop.sent);
  EXPECT_TRUE(loop.decodedMonotonic());
  EXPECT_EQ(loop.receiver->stats().rtxPackets, 0u);
  EXPECT_GT(loop.receiver->stats().recovered, 0u);
  EXPECT_EQ(loop.receiver->stats().keyframesRequested, 0u);
  EXPECT_GT(loop.receiver->receiveStatistics().extendedHighestSeq(), 65535u);
}

// The same claim over other random draws, with loss on the feedback path too.
class VideoStreamLoopSeeds : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(VideoStreamLoopSeeds, EveryFrameDecoded) {
  const std::uint32_t seed = GetParam();
  VideoLoop loop({.back = {.loss = 0.05, .delay = 20ms}, .rtx = seed % 2 == 0,
                  .firstSequence = static_cast<std::uint16_t>(seed * 7919), .seed = seed});
  runLossy(loop, 100);
  EXPECT_EQ(loop.decoded, loop.sent);
  EXPECT_EQ(loop.receiver->stats().lost, 0u);
  EXPECT_EQ(loop.receiver->stats().keyframesRequested, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, VideoStreamLoopSeeds, ::testing::Values(101u, 202u, 303u, 404u, 505u, 606u));

TEST(VideoStreamLoop, BurstBeyondHistoryEndsInPliAndRecoversOnKeyframe) {
  VideoLoop loop({.forward = {.delay = 20ms, .jitter = 5ms}, .back = {.delay = 20ms}, .rtx = true, .seed = 3});
  loop.run(30, 0ms);  // one second of clean video
  const std::size_t before = loop.decoded.size();
  ASSERT_EQ(before, loop.sent.size());
  // 1.5 s of total loss: longer than the sender's 1 s history, so NACKs cannot repair it.
  loop.forward.dropIf = [](std::span<const std::uint8_t>) { return true; };
  loop.run(45, 0ms);
  loop.forward.dropIf = nullptr;
  const StreamTime burstEnd = loop.now;
  const int keyframesBefore = loop.keyframesSent;
  const std::size_t sentBefore = loop.sent.size();
  loop.run(60, 1000ms);
  const auto& st = loop.receiver->stats();
  EXPECT_GE(st.keyframesRequested, 1u);
  EXPECT_GE(loop.plisReceived, 1);
  EXPECT_GT(loop.keyframesSent, keyframesBefore) << "the PLI made the encoder send a keyframe";
  EXPECT_GT(st.lost, 0u);
  EXPECT_TRUE(loop.decodedMonotonic());
  // Recovery: the last frames sent after the burst are decoded.
  ASSERT_FALSE(loop.decoded.empty());
  EXPECT_EQ(loop.decoded.back(), loop.sent.back());
  std::size_t afterBurst = 0;
  std::optional<StreamTime> firstAfter;
  for (std::size_t i = 0; i < loop.decoded.size(); ++i) {
    if (loop.decoded[i] >= loop.sent[sentBefore]) {
      ++afterBurst;
      firstAfter = firstAfter.value_or(loop.decodedAt[i]);
    }
  }
  // Gaps the sender cannot fill are given up after the NACK retries (~0.6 s here), then one
  // PLI round trip brings the keyframe.
  ASSERT_TRUE(firstAfter);
  EXPECT_LT(*firstAfter - burstEnd, 1200ms);
  EXPECT_GE(afterBurst, 30u);
  // The stall shows as a freeze of at least the burst's length.
  EXPECT_GE(st.freezes, 1u);
  EXPECT_GE(st.totalFreezeUs, 1400000);
}

}  // namespace
}  // namespace huddle::client::test
