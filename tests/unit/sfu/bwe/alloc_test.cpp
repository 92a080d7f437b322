// After construction, the bandwidth estimation path allocates nothing: recording arrivals,
// building feedback, stamping history, parsing feedback and estimating, for thousands of
// packets. Its own binary: it replaces the global allocator.

#include <gtest/gtest.h>

#include <memory>

#include "counting_allocator.h"
#include "link_sim.h"
#include "sfu/bwe/layer_allocator.h"

namespace huddle::sfu::bwe {
namespace {

TEST(BweAllocation, FeedbackLoopAndAllocatorAllocateNothing) {
  auto s = std::make_unique<test::Session>();
  s->link.capacityBps = 800'000;
  s->link.lossRate = 0.05;
  s->run(1'000'000);  // warm-up
  std::array<VideoDemand, 2> demands{VideoDemand{{150'000, 500'000, 1'500'000}, 3, 2, 2},
                                     VideoDemand{{150'000, 500'000, 1'500'000}, 3, 1, 0}};
  std::array<int, 2> out{};
  huddle::test::AllocationScope scope;
  s->run(5'000'000);
  for (int i = 0; i < 100; ++i) allocateLayers(s->bwe.estimateBps(s->nowUs), demands, out);
  scope.stop();
  EXPECT_GT(s->feedbacks, 50u);
  EXPECT_EQ(huddle::test::operatorNewCalls(), 0);
  EXPECT_EQ(huddle::test::mallocCalls(), 0);
}

}  // namespace
}  // namespace huddle::sfu::bwe
