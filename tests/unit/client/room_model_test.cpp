// The room model alone: server messages in, delegate calls out (replayed on a recorder).

#include "client/room_model.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace huddle::client {
namespace {

struct Recorder final : RoomDelegate {
  std::vector<std::string> log;
  std::vector<ActiveSpeaker> speakers;
  void onParticipantConnected(const RemoteParticipant& p) override { log.push_back("connected " + p.identity + " " + p.sid); }
  void onParticipantDisconnected(const RemoteParticipant& p, DisconnectReason r) override {
    log.push_back("disconnected " + p.identity + " " + p.sid + " " + toString(r));
  }
  void onTrackPublished(const RemoteParticipant& p, const TrackPublication& t) override {
    log.push_back("published " + p.identity + " " + t.sid + " " + toString(t.kind));
  }
  void onTrackUnpublished(const RemoteParticipant& p, const TrackPublication& t) override {
    log.push_back("unpublished " + p.identity + " " + t.sid);
  }
  void onTrackMuted(const ParticipantInfo& p, const TrackPublication& t) override { log.push_back("muted " + p.identity + " " + t.sid); }
  void onTrackUnmuted(const ParticipantInfo& p, const TrackPublication& t) override {
    log.push_back("unmuted " + p.identity + " " + t.sid);
  }
  void onActiveSpeakersChanged(const std::vector<ActiveSpeaker>& s) override {
    speakers = s;
    log.push_back("speakers " + std::to_string(s.size()));
  }
  void onConnectionQualityChanged(const ParticipantInfo& p, ConnectionQuality q, float) override {
    log.push_back(std::string("quality ") + p.identity + " " + toString(q) + (p.isLocal ? " local" : ""));
  }
  void onRoomMetadataChanged(const std::string& old, const std::string& now) override { log.push_back("room " + old + "->" + now); }
  void onParticipantMetadataChanged(const ParticipantInfo& p, const std::string& old) override {
    log.push_back("metadata " + p.identity + " " + old + "->" + p.metadata + (p.isLocal ? " local" : ""));
  }
  void onParticipantNameChanged(const ParticipantInfo& p, const std::string& old) override {
    log.push_back("name " + p.identity + " " + old + "->" + p.name);
  }
  void onParticipantAttributesChanged(const ParticipantInfo& p, const std::map<std::string, std::string>& changed) override {
    std::string s = "attributes " + p.identity;
    for (const auto& [k, v] : changed) s += " " + k + "=" + v;
    log.push_back(s);
  }
};

livekit::ParticipantInfo participant(const std::string& sid, const std::string& identity, std::uint32_t version = 1) {
  livekit::ParticipantInfo p;
  p.set_sid(sid);
  p.set_identity(identity);
  p.set_state(livekit::ParticipantInfo::ACTIVE);
  p.set_version(version);
  return p;
}

livekit::TrackInfo* addTrack(livekit::ParticipantInfo& p, const std::string& sid, livekit::TrackType type, bool muted = false) {
  auto* t = p.add_tracks();
  t->set_sid(sid);
  t->set_type(type);
  t->set_muted(muted);
  return t;
}

class RoomModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    livekit::JoinResponse join;
    join.mutable_room()->set_sid("RM_1");
    join.mutable_room()->set_name("room");
    join.mutable_room()->set_metadata("m0");
    *join.mutable_participant() = participant("PA_me", "me");
    auto alice = participant("PA_a", "alice");
    addTrack(alice, "TR_a1", livekit::AUDIO);
    *join.add_other_participants() = alice;
    model.applyJoin(join);
  }

  void update(std::vector<livekit::ParticipantInfo> ps) {
    livekit::ParticipantUpdate u;
    for (auto& p : ps) *u.add_participants() = p;
    EventList events;
    model.applyParticipantUpdate(u, events);
    replay(events);
  }
  void replay(EventList& events) {
    for (auto& e : events) e(rec);
  }

  RoomModel model;
  Recorder rec;
};

TEST_F(RoomModelTest, JoinFillsTheSnapshotWithoutEvents) {
  EXPECT_EQ(model.roomName(), "room");
  EXPECT_EQ(model.roomSid(), "RM_1");
  EXPECT_EQ(model.local().identity, "me");
  EXPECT_TRUE(model.local().isLocal);
  ASSERT_EQ(model.remotes().size(), 1u);
  EXPECT_EQ(model.remotes()[0].identity, "alice");
  ASSERT_EQ(model.remotes()[0].publications.size(), 1u);
  EXPECT_EQ(model.remotes()[0].publications[0].kind, TrackKind::Audio);
  EXPECT_TRUE(rec.log.empty());
}

TEST_F(RoomModelTest, NewParticipantThenTracksThenLeave) {
  auto bob = participant("PA_b", "bob");
  update({bob});
  addTrack(bob, "TR_v", livekit::VIDEO);
  bob.set_version(2);
  update({bob});
  bob.mutable_tracks(0)->set_muted(true);
  bob.set_version(3);
  update({bob});
  bob.mutable_tracks(0)->set_muted(false);
  bob.set_version(4);
  update({bob});
  bob.clear_tracks();
  bob.set_version(5);
  update({bob});
  bob.set_state(livekit::ParticipantInfo::DISCONNECTED);
  bob.set_disconnect_reason(livekit::CLIENT_INITIATED);
  bob.set_version(6);
  update({bob});
  EXPECT_EQ(rec.log, (std::vector<std::string>{"connected bob PA_b", "published bob TR_v video", "muted bob TR_v",
                                               "unmuted bob TR_v", "unpublished bob TR_v",
                                               "disconnected bob PA_b client_initiated"}));
  EXPECT_EQ(model.findRemoteByIdentity("bob"), nullptr);
}

TEST_F(RoomModelTest, RejoinWithNewSidLeavesOneParticipantAndLateLeaveOfOldSidIsIgnored) {
  update({participant("PA_b1", "bob")});
  update({participant("PA_b2", "bob")});  // rejoined before the old session's leave arrived
  auto old = participant("PA_b1", "bob", 9);
  old.set_state(livekit::ParticipantInfo::DISCONNECTED);
  update({old});
  EXPECT_EQ(rec.log, (std::vector<std::string>{"connected bob PA_b1", "disconnected bob PA_b1 duplicate_identity",
                                               "connected bob PA_b2"}));
  ASSERT_EQ(model.remotes().size(), 2u);  // alice + one bob
  ASSERT_NE(model.findRemoteByIdentity("bob"), nullptr);
  EXPECT_EQ(model.findRemoteByIdentity("bob")->sid, "PA_b2");
  EXPECT_EQ(model.stats().replacedIdentities, 1u);
}

TEST_F(RoomModelTest, StaleVersionIsIgnored) {
  auto a = participant("PA_a", "alice", 5);
  a.set_metadata("new");
  addTrack(a, "TR_a1", livekit::AUDIO);
  update({a});
  auto older = participant("PA_a", "alice", 4);
  older.set_metadata("old");
  update({older});
  EXPECT_EQ(model.findRemoteBySid("PA_a")->metadata, "new");
  EXPECT_EQ(model.stats().staleUpdates, 1u);
  EXPECT_EQ(rec.log, (std::vector<std::string>{"metadata alice ->new"}));
}

TEST_F(RoomModelTest, MetadataNameAttributesOfRemoteAndLocal) {
  auto a = participant("PA_a", "alice", 2);
  addTrack(a, "TR_a1", livekit::AUDIO);
  a.set_name("Alice");
  (*a.mutable_attributes())["k"] = "v";
  auto me = participant("PA_me", "me", 2);
  me.set_metadata("mine");
  update({a, me});
  auto a3 = a;
  a3.set_version(3);
  a3.mutable_attributes()->clear();
  update({a3});
  EXPECT_EQ(rec.log, (std::vector<std::string>{"name alice ->Alice", "attributes alice k=v", "metadata me ->mine local",
                                               "attributes alice k="}));
  EXPECT_EQ(model.local().metadata, "mine");
}

TEST_F(RoomModelTest, SpeakerDeltasKeepTheOrderedSet) {
  update({participant("PA_b", "bob")});
  rec.log.clear();
  auto speak = [&](std::vector<std::tuple<std::string, float, bool>> entries) {
    livekit::SpeakersChanged s;
    for (const auto& [sid, level, active] : entries) {
      auto* i = s.add_speakers();
      i->set_sid(sid);
      i->set_level(level);
      i->set_active(active);
    }
    EventList events;
    model.applySpeakersChanged(s, events);
    replay(events);
  };
  speak({{"PA_a", 0.5f, true}});
  speak({{"PA_b", 0.75f, true}, {"PA_me", 0.25f, true}});
  ASSERT_EQ(rec.speakers.size(), 3u);
  EXPECT_EQ(rec.speakers[0].identity, "bob");
  EXPECT_EQ(rec.speakers[1].identity, "alice");
  EXPECT_EQ(rec.speakers[2].identity, "me");
  EXPECT_TRUE(rec.speakers[2].isLocal);
  speak({{"PA_b", 0, false}, {"PA_unknown", 1, true}});  // only the change: bob stopped
  ASSERT_EQ(rec.speakers.size(), 2u);
  EXPECT_EQ(rec.speakers[0].identity, "alice");
  EXPECT_EQ(model.stats().unknownSpeakers, 1u);
  // A speaker who leaves drops out of the set.
  auto gone = participant("PA_a", "alice", 7);
  gone.set_state(livekit::ParticipantInfo::DISCONNECTED);
  update({gone});
  ASSERT_EQ(model.activeSpeakers().size(), 1u);
  EXPECT_EQ(model.activeSpeakers()[0].identity, "me");
}

TEST_F(RoomModelTest, QualityAndRoomMetadata) {
  livekit::ConnectionQualityUpdate q;
  auto* i = q.add_updates();
  i->set_participant_sid("PA_me");
  i->set_quality(livekit::EXCELLENT);
  i = q.add_updates();
  i->set_participant_sid("PA_a");
  i->set_quality(livekit::LOST);
  EventList events;
  model.applyConnectionQuality(q, events);
  livekit::Room room;
  room.set_metadata("m1");
  model.applyRoomUpdate(room, events);
  model.applyRoomUpdate(room, events);  // unchanged: no event
  replay(events);
  EXPECT_EQ(rec.log, (std::vector<std::string>{"quality me excellent local", "quality alice lost", "room m0->m1"}));
  EXPECT_EQ(model.roomName(), "room");  // an update without a name keeps it
}

}  // namespace
}  // namespace huddle::client
