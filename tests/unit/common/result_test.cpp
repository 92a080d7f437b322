#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace huddle {
namespace {

enum class TestError { Broken, Missing };

Result<int, TestError> half(int n) {
  if (n % 2 != 0) return Error{TestError::Broken, "odd input " + std::to_string(n)};
  return n / 2;
}

TEST(Result, CarriesValueOrError) {
  const auto good = half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  const auto bad = half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.code(), TestError::Broken);
  EXPECT_EQ(bad.message(), "odd input 3");
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>, TestError> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace huddle
