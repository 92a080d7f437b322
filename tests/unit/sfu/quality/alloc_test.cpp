// The per-packet paths of sfu/quality allocate nothing: audio level observation and reading,
// sequence loss counting. Its own binary: it replaces the global allocator.

#include <gtest/gtest.h>

#include <chrono>

#include "counting_allocator.h"
#include "sfu/quality/audio_level.h"
#include "sfu/quality/stream_loss.h"

namespace huddle::sfu::quality {
namespace {

TEST(QualityAllocation, PacketPathsAllocateNothing) {
  AudioLevelMeter meter(48000);
  StreamLossCounter loss;
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  std::uint32_t ts = 0;
  int active = 0;
  huddle::test::AllocationScope scope;
  for (int i = 0; i < 10'000; ++i) {
    meter.observe(static_cast<std::uint8_t>(i % 200 < 100 ? 10 : 127), true, ts, now);
    if (i % 7 != 0) loss.onPacket(static_cast<std::uint16_t>(i));
    if (i % 20 == 0 && meter.read(now).active) ++active;
    ts += 960;
    now += std::chrono::milliseconds(20);
  }
  const auto window = loss.closeWindow();
  scope.stop();
  EXPECT_GT(active, 0);
  EXPECT_GT(window.lost, 0);
  EXPECT_EQ(huddle::test::operatorNewCalls(), 0);
  EXPECT_EQ(huddle::test::mallocCalls(), 0);
}

}  // namespace
}  // namespace huddle::sfu::quality
