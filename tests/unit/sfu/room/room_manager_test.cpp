#include "sfu/room/room_manager.h"

#include <gtest/gtest.h>

#include "recording_sink.h"

namespace huddle::sfu {
namespace {

TEST(RoomManager, CreateIsIdempotentAndListFilters) {
  ManualClock clock;
  test::RecordingEvents events;
  RoomManager manager(clock, RoomDefaults{}, events);
  auto a = manager.createRoom(RoomOptions{.name = "a", .emptyTimeoutSeconds = 10});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->emptyTimeoutSeconds, 10u);
  EXPECT_EQ(a->departureTimeoutSeconds, 20u);
  auto again = manager.createRoom(RoomOptions{.name = "a"});
  EXPECT_EQ(again->sid, a->sid);
  ASSERT_TRUE(manager.createRoom(RoomOptions{.name = "b"}).ok());
  EXPECT_EQ(manager.listRooms({}).size(), 2u);
  EXPECT_EQ(manager.listRooms({"b", "zzz"}).size(), 1u);
  EXPECT_FALSE(manager.createRoom(RoomOptions{}).ok());
}

TEST(RoomManager, EmptyTimeoutClosesRoomsNobodyJoined) {
  ManualClock clock;
  test::RecordingEvents events;
  RoomManager manager(clock, RoomDefaults{.emptyTimeoutSeconds = 300}, events);
  ASSERT_TRUE(manager.createRoom(RoomOptions{.name = "idle"}).ok());
  clock.advance(std::chrono::seconds(299));
  EXPECT_EQ(manager.tick(), 0u);
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(manager.tick(), 1u);
  EXPECT_EQ(manager.roomCount(), 0u);
  EXPECT_EQ(events.log, (std::vector<std::string>{"room_started:idle", "room_finished:idle"}));
}

TEST(RoomManager, DeleteUnknownRoomIsNotFoundAndAutoCreateCanBeOff) {
  ManualClock clock;
  test::RecordingEvents events;
  RoomManager manager(clock, RoomDefaults{.autoCreate = false}, events);
  EXPECT_EQ(manager.deleteRoom("x").code(), RoomError::RoomNotFound);
  EXPECT_EQ(manager.roomForJoin("x").code(), RoomError::RoomNotFound);
  ASSERT_TRUE(manager.createRoom(RoomOptions{.name = "x"}).ok());
  EXPECT_TRUE(manager.roomForJoin("x").ok());
  ASSERT_TRUE(manager.deleteRoom("x").ok());
  EXPECT_EQ(manager.find("x"), nullptr);
}

}  // namespace
}  // namespace huddle::sfu
