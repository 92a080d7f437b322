#include "common/random.h"

#include <gtest/gtest.h>

#include <set>

namespace huddle {
namespace {

TEST(Random, IdsHavePrefixLengthAndAlphabet) {
  const std::string id = randomId("PA_");
  ASSERT_EQ(id.size(), 15u);
  EXPECT_EQ(id.substr(0, 3), "PA_");
  for (const char c : id.substr(3)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(Random, IdsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(randomId("TR_")).second);
}

TEST(Random, AlphanumericUsesWholeAlphabet) {
  const std::string sample = randomAlphanumeric(20000);
  const std::set<char> distinct(sample.begin(), sample.end());
  EXPECT_EQ(distinct.size(), 62u);
}

}  // namespace
}  // namespace huddle
