#include <gtest/gtest.h>

#include "sfu/media/extension_map.h"

namespace huddle::sfu {
namespace {

constexpr const char* kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
constexpr const char* kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr const char* kTwcc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr const char* kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";

TEST(ExtensionMap, SameUriTakesTheSubscribersId) {
  const ExtensionIds pub{{1, kAudioLevel}, {3, kAbsSendTime}, {5, kTwcc}};
  const ExtensionIds sub{{5, kAudioLevel}, {2, kAbsSendTime}, {1, kTwcc}};
  const ExtensionMap map = ExtensionMap::build(pub, sub);
  EXPECT_EQ(map.table[1], 5);
  EXPECT_EQ(map.table[3], 2);
  EXPECT_EQ(map.table[5], 1);
}

TEST(ExtensionMap, UnknownUriGoesToAnIdTheSubscriberDoesNotUse) {
  const ExtensionIds pub{{1, kAudioLevel}, {4, kMid}};
  const ExtensionIds sub{{1, kAudioLevel}, {4, kTwcc}, {14, kAbsSendTime}};
  const ExtensionMap map = ExtensionMap::build(pub, sub);
  EXPECT_EQ(map.table[1], 1);
  const std::uint8_t renumbered = map.table[4];
  EXPECT_GE(renumbered, 1);
  EXPECT_LE(renumbered, 14);
  for (const auto& [id, uri] : sub) {
    EXPECT_NE(renumbered, id) << uri;
  }
}

TEST(ExtensionMap, IdsThePublisherNeverNegotiatedDoNotAliasTheSubscribers) {
  const ExtensionIds pub{{1, kAudioLevel}};
  const ExtensionIds sub{{1, kAudioLevel}, {7, kTwcc}};
  const ExtensionMap map = ExtensionMap::build(pub, sub);
  EXPECT_NE(map.table[7], 0);
  EXPECT_NE(map.table[7], 7);
  EXPECT_NE(map.table[7], 1);
  EXPECT_EQ(map.table[9], 0);  // unused on both sides: left alone
}

TEST(ExtensionMap, NoFreeIdLeavesUnknownUnmapped) {
  ExtensionIds sub;
  for (std::uint8_t id = 1; id <= 14; ++id) sub.emplace_back(id, "urn:test:" + std::to_string(id));
  const ExtensionIds pub{{3, kMid}, {2, "urn:test:2"}};
  const ExtensionMap map = ExtensionMap::build(pub, sub);
  EXPECT_EQ(map.table[3], 0);
  EXPECT_EQ(map.table[2], 2);
}

TEST(ExtensionMap, EmptySidesMapNothing) {
  const ExtensionMap map = ExtensionMap::build({}, {});
  for (const std::uint8_t v : map.table) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace huddle::sfu
