#include "signal/query_string.h"

#include <gtest/gtest.h>

namespace huddle::signal {
namespace {

TEST(QueryString, PercentDecodesPlusAndEscapes) {
  EXPECT_EQ(percentDecode("a+b%20c%3d%3D%e2%82%AC"), "a b c==\xe2\x82\xac");
  EXPECT_EQ(percentDecode(""), "");
  EXPECT_FALSE(percentDecode("%"));
  EXPECT_FALSE(percentDecode("%4"));
  EXPECT_FALSE(percentDecode("ab%zz"));
}

TEST(QueryString, EncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(percentEncode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(percentEncode("a b+/=&\xc3\xbc"), "a%20b%2B%2F%3D%26%C3%BC");
  EXPECT_EQ(percentDecode(percentEncode("x y+z")), "x y+z");
}

TEST(QueryString, FirstOccurrenceWinsAndEmptyPiecesAreSkipped) {
  const auto q = QueryParams::parse("?a=1&&b&a=2&c=");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->size(), 4u);
  ASSERT_NE(q->find("a"), nullptr);
  EXPECT_EQ(*q->find("a"), "1");
  ASSERT_NE(q->find("b"), nullptr);
  EXPECT_EQ(*q->find("b"), "");
  EXPECT_EQ(*q->find("c"), "");
  EXPECT_EQ(q->find("d"), nullptr);
}

TEST(QueryString, BrokenEscapeRejectsTheQuery) {
  EXPECT_FALSE(QueryParams::parse("a=1&b=%G0"));
  EXPECT_FALSE(QueryParams::parse("%=1"));
}

TEST(QueryString, BuilderJoinsEncodedPairs) {
  QueryBuilder b;
  b.add("k 1", "v&1");
  b.add("k2", "");
  EXPECT_EQ(b.str(), "k%201=v%261&k2=");
}

}  // namespace
}  // namespace huddle::signal
