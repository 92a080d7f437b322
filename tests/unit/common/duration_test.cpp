#include "common/duration.h"

#include <gtest/gtest.h>

namespace huddle {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesOperatorForms) {
  EXPECT_EQ(parseDuration("90"), 90s);
  EXPECT_EQ(parseDuration("90s"), 90s);
  EXPECT_EQ(parseDuration("10m"), 10min);
  EXPECT_EQ(parseDuration("6h"), 6h);
  EXPECT_EQ(parseDuration("1h30m"), 90min);
  EXPECT_EQ(parseDuration("500ms"), 500ms);
  EXPECT_EQ(parseDuration("0"), 0s);
}

TEST(Duration, RejectsEverythingElse) {
  for (const char* bad :
       {"", "h", "-5s", "5d", "1.5h", "1h30", " 5s", "5s ", "99999999999999999999s"}) {
    EXPECT_FALSE(parseDuration(bad)) << bad;
  }
}

}  // namespace
}  // namespace huddle
