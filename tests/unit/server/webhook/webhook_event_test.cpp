#include "server/webhook/webhook_event.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace huddle::server {
namespace {

livekit::Room sampleRoom() {
  livekit::Room room;
  room.set_sid("RM_k3Jd8sPq2LmN");
  room.set_name("standup");
  room.set_empty_timeout(300);
  room.set_departure_timeout(20);
  room.set_creation_time(1'700'000'000);
  room.set_creation_time_ms(1'700'000'000'123);
  room.set_num_participants(1);
  return room;
}

livekit::ParticipantInfo sampleParticipant() {
  livekit::ParticipantInfo p;
  p.set_sid("PA_x8Kq2mZ0aB1c");
  p.set_identity("alice");
  p.set_name("Alice");
  p.set_state(livekit::ParticipantInfo::ACTIVE);
  p.set_joined_at(1'700'000'001);
  p.set_version(3);
  p.mutable_permission()->set_can_subscribe(true);
  p.mutable_permission()->set_can_publish(true);
  return p;
}

TEST(WebhookEvent, EncodesAsProto3JsonWithCamelCaseStringInt64AndEnumNames) {
  const livekit::Room room = sampleRoom();
  const livekit::ParticipantInfo participant = sampleParticipant();
  livekit::WebhookEvent event =
      makeWebhookEvent(kEventParticipantJoined, &room, &participant, nullptr);
  event.set_id("EV_abc");
  event.set_created_at(1'700'000'002);

  auto text = encodeWebhookJson(event);
  ASSERT_TRUE(text);
  // 64-bit integers are JSON strings, 32-bit ones numbers.
  EXPECT_NE(text->find(R"("createdAt":"1700000002")"), std::string::npos) << *text;
  EXPECT_NE(text->find(R"("creationTimeMs":"1700000000123")"), std::string::npos) << *text;
  EXPECT_NE(text->find(R"("emptyTimeout":300)"), std::string::npos) << *text;

  const auto json = nlohmann::json::parse(*text);
  EXPECT_EQ(json["event"], "participant_joined");
  EXPECT_EQ(json["id"], "EV_abc");
  EXPECT_EQ(json["room"]["sid"], "RM_k3Jd8sPq2LmN");
  EXPECT_EQ(json["room"]["departureTimeout"], 20);
  EXPECT_EQ(json["participant"]["state"], "ACTIVE");
  EXPECT_EQ(json["participant"]["joinedAt"], "1700000001");
  EXPECT_EQ(json["participant"]["permission"]["canPublish"], true);
  // Defaults are left out, snake_case never appears.
  EXPECT_FALSE(json["room"].contains("maxParticipants"));
  EXPECT_FALSE(json["participant"]["permission"].contains("canPublishData"));
  EXPECT_FALSE(json.contains("track"));
  EXPECT_FALSE(json.contains("numDropped"));
  EXPECT_EQ(text->find("created_at"), std::string::npos);
}

TEST(WebhookEvent, TrackPublishedCarriesOnlyParticipantSidAndIdentity) {
  const livekit::Room room = sampleRoom();
  const livekit::ParticipantInfo participant = sampleParticipant();
  livekit::TrackInfo track;
  track.set_sid("TR_VCa1b2c3d4e5");
  track.set_type(livekit::VIDEO);
  track.set_source(livekit::CAMERA);
  track.set_width(1280);

  const auto published = makeWebhookEvent(kEventTrackPublished, &room, &participant, &track);
  EXPECT_EQ(published.participant().sid(), "PA_x8Kq2mZ0aB1c");
  EXPECT_EQ(published.participant().identity(), "alice");
  EXPECT_TRUE(published.participant().name().empty());
  EXPECT_FALSE(published.participant().has_permission());
  EXPECT_EQ(published.track().sid(), "TR_VCa1b2c3d4e5");

  const auto unpublished = makeWebhookEvent(kEventTrackUnpublished, &room, &participant, &track);
  EXPECT_EQ(unpublished.participant().name(), "Alice");
  EXPECT_TRUE(unpublished.participant().has_permission());

  auto text = encodeWebhookJson(published);
  ASSERT_TRUE(text);
  const auto json = nlohmann::json::parse(*text);
  EXPECT_EQ(json["track"]["type"], "VIDEO");
  EXPECT_EQ(json["track"]["source"], "CAMERA");
}

TEST(WebhookEvent, LeavesOutWhatIsNotGiven) {
  const livekit::Room room = sampleRoom();
  const auto event = makeWebhookEvent(kEventRoomStarted, &room, nullptr, nullptr);
  EXPECT_EQ(event.event(), "room_started");
  EXPECT_TRUE(event.has_room());
  EXPECT_FALSE(event.has_participant());
  EXPECT_FALSE(event.has_track());
  EXPECT_TRUE(event.id().empty());
  EXPECT_EQ(event.created_at(), 0);
}

}  // namespace
}  // namespace huddle::server
