#include "client/reconnect_policy.h"

#include <gtest/gtest.h>

#include <chrono>

namespace huddle::client {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectPolicy, DefaultScheduleStaysWithinLiveKitsBounds) {
  const milliseconds bases[] = {milliseconds{0},    milliseconds{300},  milliseconds{1200}, milliseconds{2700},
                                milliseconds{4800}, milliseconds{7000}, milliseconds{7000}, milliseconds{7000},
                                milliseconds{7000}, milliseconds{7000}};
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    ReconnectPolicy policy({}, seed);
    for (unsigned attempt = 0; attempt < 10; ++attempt) {
      auto delay = policy.nextDelay(attempt);
      ASSERT_TRUE(delay.has_value()) << attempt;
      if (attempt == 0) {
        EXPECT_GE(delay->count(), 0);
        EXPECT_LE(delay->count(), 500);
      } else {
        EXPECT_GE(delay->count(), bases[attempt].count() / 2) << attempt;
        EXPECT_LE(delay->count(), bases[attempt].count() * 3 / 2) << attempt;
      }
    }
    EXPECT_FALSE(policy.nextDelay(10).has_value());
  }
}

TEST(ReconnectPolicy, SameSeedSameDelaysOtherSeedOtherDelays) {
  ReconnectPolicy a({}, 42);
  ReconnectPolicy b({}, 42);
  ReconnectPolicy c({}, 43);
  bool differs = false;
  for (unsigned attempt = 0; attempt < 10; ++attempt) {
    const auto da = a.nextDelay(attempt);
    EXPECT_EQ(da, b.nextDelay(attempt));
    if (da != c.nextDelay(attempt)) differs = true;
  }
  EXPECT_TRUE(differs);
}

TEST(ReconnectPolicy, JitterSpreadsOverTheWholeRange) {
  // Over many draws attempt 5 (base 7 s) must land both below and above the base.
  ReconnectPolicy policy({}, 7);
  milliseconds low{7000};
  milliseconds high{7000};
  for (int i = 0; i < 200; ++i) {
    const auto d = *policy.nextDelay(5);
    low = std::min(low, d);
    high = std::max(high, d);
  }
  EXPECT_LT(low.count(), 4500);
  EXPECT_GT(high.count(), 9500);
}

TEST(ReconnectPolicy, ConfigurableAttemptsCapAndNoJitter) {
  ReconnectPolicyOptions options;
  options.baseDelays = {milliseconds{0}, milliseconds{100}, milliseconds{10'000}};
  options.maxDelay = milliseconds{2000};
  options.maxAttempts = 4;
  options.firstAttemptMaxJitter = milliseconds{0};
  options.jitterMin = 1.0;
  options.jitterMax = 1.0;
  ReconnectPolicy policy(options, 1);
  EXPECT_EQ(policy.nextDelay(0), milliseconds{0});
  EXPECT_EQ(policy.nextDelay(1), milliseconds{100});
  EXPECT_EQ(policy.nextDelay(2), milliseconds{2000});  // capped
  EXPECT_EQ(policy.nextDelay(3), milliseconds{2000});  // past the list: its last entry, capped
  EXPECT_FALSE(policy.nextDelay(4).has_value());
}

TEST(ReconnectPolicy, ZeroAttemptsNeverRetries) {
  ReconnectPolicyOptions options;
  options.maxAttempts = 0;
  ReconnectPolicy policy(options, 1);
  EXPECT_FALSE(policy.nextDelay(0).has_value());
}

}  // namespace
}  // namespace huddle::client
