// UpdateSubscriptionPermissions and simulcast layer info in the room.
#include <gtest/gtest.h>

#include <memory>

#include "recording_sink.h"
#include "sfu/room/room.h"

namespace huddle::sfu {
namespace {

using test::RecordingEvents;
using test::RecordingSink;

class RoomPermissionsTest : public ::testing::Test {
 protected:
  std::shared_ptr<RecordingSink> join(const std::string& identity, bool autoSubscribe = true) {
    auto sink = std::make_shared<RecordingSink>();
    JoinOptions options;
    options.identity = identity;
    options.autoSubscribe = autoSubscribe;
    options.sink = sink;
    auto joined = room.join(std::move(options));
    EXPECT_TRUE(joined.ok()) << (joined.ok() ? "" : joined.message());
    return sink;
  }
  std::string publish(const RecordingSink& who, const std::string& cid, TrackType type) {
    const std::size_t before = who.published.size();
    room.addTrack(who.self.sid, AddTrackOptions{.cid = cid, .type = type});
    EXPECT_EQ(who.published.size(), before + 1);
    return who.published.empty() ? std::string() : who.published.back().second.sid;
  }
  std::vector<std::string> subs(const RecordingSink& who) { return room.subscriptionsOf(who.self.sid); }

  ManualClock clock;
  RecordingEvents events;
  Room room{clock, RoomInfo{.name = "demo"}, events};
};

TEST_F(RoomPermissionsTest, EveryoneMaySubscribeByDefault) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto cam = publish(*alice, "cam", TrackType::Video);
  EXPECT_EQ(subs(*bob), std::vector<std::string>{cam});
  EXPECT_TRUE(room.subscriptionAllowed(bob->self.sid, cam));
  EXPECT_TRUE(bob->permissionUpdates.empty());
}

TEST_F(RoomPermissionsTest, RevokingUnsubscribesAndTellsTheSubscriber) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  const auto cam = publish(*alice, "cam", TrackType::Video);
  const auto mic = publish(*alice, "mic", TrackType::Audio);
  // Carol may have everything, Bob only the microphone (named by identity and by sid).
  room.setSubscriptionPermissions(
      alice->self.sid,
      SubscriptionPermissions{false,
                              {TrackPermissionRule{.participantIdentity = "carol", .allTracks = true},
                               TrackPermissionRule{.participantSid = bob->self.sid,
                                                   .trackSids = {mic}}}});
  EXPECT_EQ(subs(*bob), std::vector<std::string>{mic});
  EXPECT_EQ(subs(*carol).size(), 2u);
  ASSERT_EQ(bob->permissionUpdates.size(), 1u);
  EXPECT_EQ(bob->permissionUpdates[0].publisherSid, alice->self.sid);
  EXPECT_EQ(bob->permissionUpdates[0].trackSid, cam);
  EXPECT_FALSE(bob->permissionUpdates[0].allowed);
  EXPECT_TRUE(carol->permissionUpdates.empty());
  EXPECT_FALSE(room.subscriptionAllowed(bob->self.sid, cam));

  // Allowed again: Bob still wants the camera, so he gets it back and is told.
  room.setSubscriptionPermissions(alice->self.sid, SubscriptionPermissions{});
  EXPECT_EQ(subs(*bob).size(), 2u);
  ASSERT_EQ(bob->permissionUpdates.size(), 2u);
  EXPECT_EQ(bob->permissionUpdates[1].trackSid, cam);
  EXPECT_TRUE(bob->permissionUpdates[1].allowed);
}

TEST_F(RoomPermissionsTest, RestrictionsApplyToTracksPublishedLaterAndToLateJoiners) {
  auto alice = join("alice");
  room.setSubscriptionPermissions(alice->self.sid, SubscriptionPermissions{false, {}});
  auto bob = join("bob");
  const auto cam = publish(*alice, "cam", TrackType::Video);
  EXPECT_TRUE(subs(*bob).empty());
  ASSERT_EQ(bob->permissionUpdates.size(), 1u);
  EXPECT_FALSE(bob->permissionUpdates[0].allowed);
  auto dave = join("dave");
  EXPECT_TRUE(subs(*dave).empty());
  ASSERT_EQ(dave->permissionUpdates.size(), 1u);
  EXPECT_EQ(dave->permissionUpdates[0].trackSid, cam);
}

TEST_F(RoomPermissionsTest, ExplicitSubscribeToAForbiddenTrackIsRefusedUntilAllowed) {
  auto alice = join("alice");
  auto bob = join("bob", /*autoSubscribe=*/false);
  const auto cam = publish(*alice, "cam", TrackType::Video);
  room.setSubscriptionPermissions(alice->self.sid, SubscriptionPermissions{false, {}});
  EXPECT_TRUE(bob->permissionUpdates.empty());  // he did not want it: nothing to tell
  room.updateSubscription(bob->self.sid, {cam}, true);
  EXPECT_TRUE(subs(*bob).empty());
  ASSERT_EQ(bob->permissionUpdates.size(), 1u);
  EXPECT_FALSE(bob->permissionUpdates[0].allowed);
  room.setSubscriptionPermissions(
      alice->self.sid,
      SubscriptionPermissions{false, {TrackPermissionRule{.participantIdentity = "bob",
                                                           .trackSids = {cam}}}});
  EXPECT_EQ(subs(*bob), std::vector<std::string>{cam});
  ASSERT_EQ(bob->permissionUpdates.size(), 2u);
  EXPECT_TRUE(bob->permissionUpdates[1].allowed);
  // Unsubscribed by choice, a later revoke tells him nothing.
  room.updateSubscription(bob->self.sid, {cam}, false);
  room.setSubscriptionPermissions(alice->self.sid, SubscriptionPermissions{false, {}});
  EXPECT_EQ(bob->permissionUpdates.size(), 2u);
}

TEST_F(RoomPermissionsTest, PermissionsOfAnUnknownParticipantAreIgnored) {
  auto bob = join("bob");
  room.setSubscriptionPermissions("PA_nobody", SubscriptionPermissions{false, {}});
  EXPECT_TRUE(bob->permissionUpdates.empty());
  EXPECT_FALSE(room.subscriptionAllowed(bob->self.sid, "TR_missing"));
}

TEST_F(RoomPermissionsTest, LayerSsrcsFillTheTrackLayersAndAreBroadcastOnce) {
  auto alice = join("alice");
  auto bob = join("bob");
  room.addTrack(alice->self.sid,
                AddTrackOptions{.cid = "cam",
                                .type = TrackType::Video,
                                .width = 1280,
                                .height = 720,
                                .layers = {VideoLayer{0, 320, 180, 150000, 0, ""},
                                           VideoLayer{1, 640, 360, 500000, 0, ""},
                                           VideoLayer{2, 1280, 720, 1700000, 0, ""}}});
  const std::string cam = alice->published.back().second.sid;
  EXPECT_TRUE(alice->published.back().second.simulcast);
  const std::size_t updates = bob->updates.size();
  room.setTrackLayerSsrc(alice->self.sid, cam, 1, 0xABCD);
  ASSERT_EQ(bob->updates.size(), updates + 1);
  const ParticipantInfo* seen = bob->lastUpdateFor("alice");
  ASSERT_NE(seen, nullptr);
  ASSERT_EQ(seen->tracks[0].layers.size(), 3u);
  EXPECT_EQ(seen->tracks[0].layers[1].ssrc, 0xABCDu);
  EXPECT_EQ(seen->tracks[0].layers[0].ssrc, 0u);
  room.setTrackLayerSsrc(alice->self.sid, cam, 1, 0xABCD);  // unchanged: no broadcast
  room.setTrackLayerSsrc(alice->self.sid, cam, 7, 0x1);     // no such layer: nothing
  EXPECT_EQ(bob->updates.size(), updates + 1);
}

}  // namespace
}  // namespace huddle::sfu
