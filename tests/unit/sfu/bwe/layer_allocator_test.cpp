#include "sfu/bwe/layer_allocator.h"

#include <gtest/gtest.h>

#include <array>

namespace huddle::sfu::bwe {
namespace {

VideoDemand simulcast(int preferred = 2, int previous = 2) {
  return VideoDemand{{150'000, 500'000, 1'500'000}, 3, preferred, previous};
}

int one(std::uint64_t bps, const VideoDemand& d) {
  std::array<VideoDemand, 1> in{d};
  std::array<int, 1> out{};
  allocateLayers(bps, in, out);
  return out[0];
}

TEST(LayerAllocator, PlentyGivesThePreferredLayer) {
  EXPECT_EQ(one(5'000'000, simulcast()), 2);
  EXPECT_EQ(one(5'000'000, simulcast(1)), 1);
  EXPECT_EQ(one(5'000'000, simulcast(0)), 0);
  EXPECT_EQ(one(5'000'000, simulcast(kPaused)), kPaused);
}

TEST(LayerAllocator, TightBudgetGivesTheHighestAffordableLayer) {
  EXPECT_EQ(one(1'000'000, simulcast()), 1);
  EXPECT_EQ(one(300'000, simulcast()), 0);
}

TEST(LayerAllocator, BelowTheLowestLayerPauses) {
  EXPECT_EQ(one(100'000, simulcast()), kPaused);
}

TEST(LayerAllocator, ForwardedLayerSurvivesOneDecreaseButNotTwo) {
  // A single-layer 600 kbps track after one delay-based cut (85 % of ~640 kbps received) and
  // after a second one.
  const VideoDemand single{{600'000, 0, 0}, 1, 2, 0};
  EXPECT_EQ(one(540'000, single), 0);
  EXPECT_EQ(one(430'000, single), kPaused);
  // h is kept at 85 % of its price, f is not reached from h without headroom.
  EXPECT_EQ(one(430'000, simulcast(2, 1)), 1);
  EXPECT_EQ(one(1'600'000, simulcast(2, 1)), 1);
}

TEST(LayerAllocator, ResumingAndUpgradingNeedHeadroom) {
  // 160 kbps keeps a running low layer but does not resume a paused one (needs 187.5 kbps).
  EXPECT_EQ(one(160'000, simulcast(2, 0)), 0);
  EXPECT_EQ(one(160'000, simulcast(2, kPaused)), kPaused);
  EXPECT_EQ(one(200'000, simulcast(2, kPaused)), 0);
  // 520 kbps keeps h but does not move up to it from q (needs 150 + 350 + 75 kbps).
  EXPECT_EQ(one(520'000, simulcast(2, 1)), 1);
  EXPECT_EQ(one(520'000, simulcast(2, 0)), 0);
  EXPECT_EQ(one(600'000, simulcast(2, 0)), 1);
}

TEST(LayerAllocator, SingleLayerTrackStaysAtItsLayer) {
  EXPECT_EQ(one(5'000'000, VideoDemand{{800'000, 0, 0}, 1, 2, 0}), 0);
  EXPECT_EQ(one(500'000, VideoDemand{{800'000, 0, 0}, 1, 2, 0}), kPaused);
}

TEST(LayerAllocator, TracksShareFloorsFirstThenLiftRoundRobin) {
  std::array<VideoDemand, 3> in{simulcast(), simulcast(), simulcast()};
  std::array<int, 3> out{};
  // Floors take 450 kbps; the remaining 850 kbps lifts two tracks to h (350 kbps each, and
  // 75 kbps headroom to move up), not the third; none goes to f before all reached h.
  allocateLayers(1'300'000, in, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(out[2], 0);
  allocateLayers(400'000, in, out);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[2], kPaused);
}

TEST(LayerAllocator, WithoutPausingEveryWantedTrackKeepsItsFloorAndNothingIsLifted) {
  std::array<VideoDemand, 3> in{simulcast(), simulcast(), simulcast(kPaused)};
  std::array<int, 3> out{};
  allocateLayers(100'000, in, out, /*allowPause=*/false);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[2], kPaused);  // not wanted by the subscriber: still nothing
  // Enough for both floors and one lift: the lift still happens.
  allocateLayers(800'000, in, out, /*allowPause=*/false);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 0);
  // A previously paused track comes back at its floor even below its resume headroom.
  in[0].previous = kPaused;
  allocateLayers(0, in, out, /*allowPause=*/false);
  EXPECT_EQ(out[0], 0);
}

}  // namespace
}  // namespace huddle::sfu::bwe
