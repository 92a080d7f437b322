#include "rtc/ice/ice_credentials.h"

#include <gtest/gtest.h>

#include "rtc/ice/ice_lite_server.h"
#include "rtc/ice/ice_types.h"
#include "stun_vectors.h"

namespace huddle::rtc {
namespace {

TEST(IceCredentials, GeneratesRandomValidCredentials) {
  const auto a = IceCredentials::generate();
  const auto b = IceCredentials::generate();
  EXPECT_GE(a.ufrag.size(), kIceMinUfragLength);
  EXPECT_GE(a.pwd.size(), kIceMinPwdLength);
  EXPECT_TRUE(a.valid());
  EXPECT_TRUE(b.valid());
  // 8 + 24 alphanumerics: a collision means the generator is broken, not bad luck.
  EXPECT_NE(a.ufrag, b.ufrag);
  EXPECT_NE(a.pwd, b.pwd);
}

TEST(IceCredentials, ValidRejectsShortOrNonIceChars) {
  EXPECT_TRUE((IceCredentials{"evtj", "VOkJxbRl1RmTxUk/WvJxBt"}.valid()));
  EXPECT_FALSE((IceCredentials{"evt", "VOkJxbRl1RmTxUk/WvJxBt"}.valid()));     // ufrag < 4
  EXPECT_FALSE((IceCredentials{"evtj", "VOkJxbRl1RmTxUk/WvJxB"}.valid()));     // pwd < 22
  EXPECT_FALSE((IceCredentials{"ev:j", "VOkJxbRl1RmTxUk/WvJxBt"}.valid()));    // ':' splits USERNAME
  EXPECT_FALSE((IceCredentials{"evtj", "VOkJxbRl1RmTxUk WvJxBtx"}.valid()));   // space
}

TEST(IceTypes, CandidatePriorityFollowsRfc8445Formula) {
  // Host, local preference 65535, component 1: the familiar 2130706431.
  EXPECT_EQ(iceCandidatePriority(kIceTypePreferenceHost, 65535, 1), 2130706431u);
  // Peer-reflexive, local preference 0, component 1: 110 << 24 | 255.
  EXPECT_EQ(iceCandidatePriority(kIceTypePreferencePeerReflexive, 0, 1), 0x6E0000FFu);
  // Component 2 is one lower.
  EXPECT_EQ(iceCandidatePriority(kIceTypePreferenceHost, 65535, 2), 2130706430u);
}

TEST(IceTypes, PairPriorityFollowsControllingFormula) {
  // 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D ? 1 : 0)
  EXPECT_EQ(iceCandidatePairPriority(10, 20), (10ull << 32) + 40 + 0);
  EXPECT_EQ(iceCandidatePairPriority(20, 10), (10ull << 32) + 40 + 1);
  EXPECT_EQ(iceCandidatePairPriority(0xFFFFFFFFu, 0xFFFFFFFFu),
            (0xFFFFFFFFull << 32) + 2 * 0xFFFFFFFFull);
}

TEST(IceUsername, SplitsUfragsForTheMux) {
  // RFC 5769 sample request: USERNAME "evtj:h6vY"; evtj is the receiver (our local ufrag).
  EXPECT_EQ(localUfragFromStunPacket(test::kRfc5769Request), "evtj");
  EXPECT_EQ(remoteUfragFromUsername("evtj:h6vY"), "h6vY");
  EXPECT_FALSE(remoteUfragFromUsername("evtjh6vY"));
  EXPECT_FALSE(remoteUfragFromUsername("evtj:"));
  // A response has no USERNAME; garbage is not STUN.
  EXPECT_FALSE(localUfragFromStunPacket(test::kRfc5769Ipv4Response));
  const std::uint8_t garbage[] = {0x80, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(localUfragFromStunPacket(garbage));
}

}  // namespace
}  // namespace huddle::rtc
