#include "sfu/room/room.h"

#include <gtest/gtest.h>

#include <memory>

#include "recording_sink.h"

namespace huddle::sfu {
namespace {

using test::RecordingEvents;
using test::RecordingSink;

class RoomTest : public ::testing::Test {
 protected:
  std::shared_ptr<RecordingSink> join(const std::string& identity,
                                      ParticipantPermission permission = {}) {
    auto sink = std::make_shared<RecordingSink>();
    JoinOptions options;
    options.identity = identity;
    options.permission = permission;
    options.sink = sink;
    auto joined = room.join(std::move(options));
    EXPECT_TRUE(joined.ok()) << (joined.ok() ? "" : joined.message());
    return sink;
  }

  ManualClock clock;
  RecordingEvents events;
  Room room{clock, RoomInfo{.name = "demo"}, events};
};

TEST_F(RoomTest, JoinTellsTheNewcomerAboutOthersAndOthersAboutTheNewcomer) {
  auto alice = join("alice");
  ASSERT_TRUE(alice->joined);
  EXPECT_TRUE(alice->othersAtJoin.empty());
  EXPECT_EQ(alice->self.sid.rfind("PA_", 0), 0u);
  EXPECT_EQ(alice->joinedRoom.sid.rfind("RM_", 0), 0u);

  auto bob = join("bob");
  ASSERT_EQ(bob->othersAtJoin.size(), 1u);
  EXPECT_EQ(bob->othersAtJoin[0].identity, "alice");
  const ParticipantInfo* seen = alice->lastUpdateFor("bob");
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->state, ParticipantState::Joined);
  EXPECT_EQ(room.info().numParticipants, 2u);
}

TEST_F(RoomTest, SecondJoinWithSameIdentityRemovesTheFirst) {
  auto first = join("alice");
  auto second = join("alice");
  ASSERT_EQ(first->removed.size(), 1u);
  EXPECT_EQ(first->removed[0].first, DisconnectReason::DuplicateIdentity);
  EXPECT_TRUE(second->joined);
  EXPECT_EQ(room.participants().size(), 1u);
  EXPECT_NE(first->self.sid, second->self.sid);
}

TEST_F(RoomTest, MaxParticipantsRefusesTheExtraJoin) {
  Room small{clock, RoomInfo{.name = "small", .maxParticipants = 1}, events};
  JoinOptions a{.identity = "a", .sink = std::make_shared<RecordingSink>()};
  JoinOptions b{.identity = "b", .sink = std::make_shared<RecordingSink>()};
  ASSERT_TRUE(small.join(std::move(a)).ok());
  auto refused = small.join(std::move(b));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), RoomError::RoomFull);
}

TEST_F(RoomTest, HiddenParticipantIsNotShownToOthers) {
  ParticipantPermission hidden;
  hidden.hidden = true;
  auto observer = join("recorder", hidden);
  auto alice = join("alice");
  EXPECT_TRUE(alice->othersAtJoin.empty());
  EXPECT_EQ(alice->lastUpdateFor("recorder"), nullptr);
  // The hidden participant itself still sees everyone.
  EXPECT_NE(observer->lastUpdateFor("alice"), nullptr);
  EXPECT_EQ(room.info().numParticipants, 1u);
}

TEST_F(RoomTest, AddTrackPublishesWithTrSidAndBroadcastsFullTrackList) {
  auto alice = join("alice");
  auto bob = join("bob");
  room.addTrack(alice->self.sid, AddTrackOptions{.cid = "cam-1",
                                                 .name = "camera",
                                                 .type = TrackType::Video,
                                                 .source = TrackSource::Camera,
                                                 .width = 640,
                                                 .height = 480});
  ASSERT_EQ(alice->published.size(), 1u);
  EXPECT_EQ(alice->published[0].first, "cam-1");
  const TrackInfo& track = alice->published[0].second;
  EXPECT_EQ(track.sid.rfind("TR_VC", 0), 0u);
  EXPECT_EQ(track.mimeType, "video/VP8");
  EXPECT_EQ(track.stream, "camera");
  const ParticipantInfo* seen = bob->lastUpdateFor("alice");
  ASSERT_NE(seen, nullptr);
  ASSERT_EQ(seen->tracks.size(), 1u);
  EXPECT_EQ(seen->tracks[0].sid, track.sid);
  EXPECT_TRUE(seen->isPublisher);
  // Bob auto-subscribes.
  EXPECT_EQ(room.subscriptionsOf(bob->self.sid), std::vector<std::string>{track.sid});
  EXPECT_EQ(events.log.back(), "track_published:alice:camera");
}

TEST_F(RoomTest, AddTrackRefusedWithoutPublishGrantOrForForbiddenSource) {
  ParticipantPermission viewer;
  viewer.canPublish = false;
  auto v = join("viewer", viewer);
  room.addTrack(v->self.sid, AddTrackOptions{.cid = "x", .type = TrackType::Audio,
                                             .source = TrackSource::Microphone});
  ASSERT_EQ(v->responses.size(), 1u);
  EXPECT_EQ(v->responses[0].outcome, RequestOutcome::NotAllowed);
  EXPECT_TRUE(v->published.empty());

  ParticipantPermission micOnly;
  micOnly.canPublishSources = {TrackSource::Microphone};
  auto m = join("mic-only", micOnly);
  room.addTrack(m->self.sid, AddTrackOptions{.cid = "s", .type = TrackType::Video,
                                             .source = TrackSource::ScreenShare});
  EXPECT_TRUE(m->published.empty());
  room.addTrack(m->self.sid, AddTrackOptions{.cid = "a", .type = TrackType::Audio,
                                             .source = TrackSource::Microphone});
  EXPECT_EQ(m->published.size(), 1u);
}

TEST_F(RoomTest, VersionGrowsWithEveryChange) {
  auto alice = join("alice");
  auto bob = join("bob");
  const std::uint32_t before = bob->lastUpdateFor("alice") != nullptr
                                   ? bob->lastUpdateFor("alice")->version
                                   : bob->othersAtJoin.at(0).version;
  room.addTrack(alice->self.sid, AddTrackOptions{.cid = "m", .type = TrackType::Audio,
                                                 .source = TrackSource::Microphone});
  const std::uint32_t afterPublish = bob->lastUpdateFor("alice")->version;
  room.setTrackMuted(alice->self.sid, alice->published[0].second.sid, true);
  const ParticipantInfo* muted = bob->lastUpdateFor("alice");
  EXPECT_GT(afterPublish, before);
  EXPECT_GT(muted->version, afterPublish);
  EXPECT_TRUE(muted->tracks.at(0).muted);
}

TEST_F(RoomTest, MetadataUpdateNeedsTheGrant) {
  auto alice = join("alice");
  room.updateOwnMetadata(alice->self.sid, MetadataUpdate{.metadata = "hi"}, 7);
  ASSERT_EQ(alice->responses.size(), 1u);
  EXPECT_EQ(alice->responses[0].requestId, 7u);
  EXPECT_EQ(alice->responses[0].outcome, RequestOutcome::NotAllowed);

  ParticipantPermission allowed;
  allowed.canUpdateMetadata = true;
  auto bob = join("bob", allowed);
  room.updateOwnMetadata(bob->self.sid,
                         MetadataUpdate{.metadata = "m", .name = "Bob", .attributes = {{"k", "v"}}},
                         8);
  const ParticipantInfo* seen = alice->lastUpdateFor("bob");
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->metadata, "m");
  EXPECT_EQ(seen->name, "Bob");
  EXPECT_EQ(seen->attributes.at("k"), "v");
  EXPECT_EQ(bob->responses.back().outcome, RequestOutcome::Ok);
}

TEST_F(RoomTest, LeaveBroadcastsDisconnectedAndUnpublishesTracks) {
  auto alice = join("alice");
  auto bob = join("bob");
  room.setActive(alice->self.sid);
  room.addTrack(alice->self.sid, AddTrackOptions{.cid = "m", .name = "mic",
                                                 .type = TrackType::Audio,
                                                 .source = TrackSource::Microphone});
  room.leave(alice->self.sid, DisconnectReason::ClientInitiated, false);
  const ParticipantInfo* seen = bob->lastUpdateFor("alice");
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->state, ParticipantState::Disconnected);
  EXPECT_TRUE(alice->removed.empty());  // it asked to leave: no leave message back
  EXPECT_TRUE(room.subscriptionsOf(bob->self.sid).empty());
  const std::vector<std::string> tail(events.log.end() - 2, events.log.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"track_unpublished:alice:mic",
                                            "participant_left:alice"}));
}

TEST_F(RoomTest, AdminCallsReportUnknownParticipants) {
  auto alice = join("alice");
  EXPECT_EQ(room.removeByAdmin("nobody").code(), RoomError::ParticipantNotFound);
  EXPECT_EQ(room.muteTrackByAdmin("alice", "TR_nope", true).code(), RoomError::TrackNotFound);
  ASSERT_TRUE(room.removeByAdmin("alice").ok());
  ASSERT_EQ(alice->removed.size(), 1u);
  EXPECT_EQ(alice->removed[0].first, DisconnectReason::ParticipantRemoved);
}

TEST_F(RoomTest, AdminMuteTellsThePublisher) {
  auto alice = join("alice");
  room.addTrack(alice->self.sid, AddTrackOptions{.cid = "m", .type = TrackType::Audio,
                                                 .source = TrackSource::Microphone});
  const std::string sid = alice->published[0].second.sid;
  auto muted = room.muteTrackByAdmin("alice", sid, true);
  ASSERT_TRUE(muted.ok());
  EXPECT_TRUE(muted->muted);
  ASSERT_EQ(alice->muteRequests.size(), 1u);
  EXPECT_EQ(alice->muteRequests[0], std::make_pair(sid, true));
}

TEST_F(RoomTest, SendDataReachesDestinationsOnly) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  DataMessage message{.senderSid = alice->self.sid, .payload = {1, 2, 3}};
  EXPECT_EQ(room.sendData(message), 2u);
  message.destinationIdentities = {"carol"};
  EXPECT_EQ(room.sendData(message), 1u);
  EXPECT_EQ(bob->data.size(), 1u);
  EXPECT_EQ(carol->data.size(), 2u);
  EXPECT_TRUE(alice->data.empty());
}

TEST_F(RoomTest, DepartureTimeoutStartsWhenTheLastParticipantLeaves) {
  auto alice = join("alice");
  EXPECT_FALSE(room.expired());
  room.leave(alice->self.sid, DisconnectReason::ClientInitiated, false);
  clock.advance(std::chrono::seconds(19));
  EXPECT_FALSE(room.expired());
  clock.advance(std::chrono::seconds(1));
  EXPECT_TRUE(room.expired());
}

TEST_F(RoomTest, ResumeWithinGraceKeepsTheParticipantAndSwapsTheSink) {
  auto alice = join("alice");
  auto bob = join("bob");
  room.detachSignal(alice->self.sid, std::chrono::seconds(10), alice.get());
  clock.advance(std::chrono::seconds(9));
  EXPECT_EQ(room.tick(), 0u);
  auto again = std::make_shared<RecordingSink>();
  auto resumed = room.resume(alice->self.sid, "alice", again);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(again->resumed, 1);
  ASSERT_EQ(again->othersAtJoin.size(), 1u);
  clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(room.tick(), 0u);  // the deadline was cleared by the resume
  // The replaced connection's late notice does not detach the resumed participant.
  room.detachSignal(alice->self.sid, std::chrono::seconds(1), alice.get());
  clock.advance(std::chrono::seconds(2));
  EXPECT_EQ(room.tick(), 0u);
  EXPECT_FALSE(room.resume(alice->self.sid, "mallory", again).ok());
}

TEST_F(RoomTest, DetachedParticipantIsRemovedWhenGraceRunsOut) {
  auto alice = join("alice");
  auto bob = join("bob");
  room.detachSignal(alice->self.sid, std::chrono::seconds(10), alice.get());
  clock.advance(std::chrono::seconds(10));
  EXPECT_EQ(room.tick(), 1u);
  EXPECT_EQ(bob->lastUpdateFor("alice")->state, ParticipantState::Disconnected);
  EXPECT_FALSE(room.resume(alice->self.sid, "alice", std::make_shared<RecordingSink>()).ok());
}

TEST_F(RoomTest, CloseRemovesEveryoneWithTheReason) {
  auto alice = join("alice");
  auto bob = join("bob");
  room.close(DisconnectReason::RoomDeleted);
  EXPECT_EQ(alice->removed.at(0).first, DisconnectReason::RoomDeleted);
  EXPECT_EQ(bob->removed.at(0).first, DisconnectReason::RoomDeleted);
  EXPECT_EQ(events.log.back(), "room_finished:demo");
  EXPECT_FALSE(room.join(JoinOptions{.identity = "late",
                                     .sink = std::make_shared<RecordingSink>()})
                   .ok());
}

}  // namespace
}  // namespace huddle::sfu
