#pragma once
// Errors of room operations. Pure, any thread. server/ maps them to Twirp codes, HTTP statuses
// and RequestResponse reasons in one place.

#include <cstdint>
#include <string_view>

namespace huddle::sfu {

enum class RoomError : std::uint8_t {
  RoomNotFound,
  ParticipantNotFound,
  TrackNotFound,
  RoomFull,
  NotAllowed,
  InvalidArgument,
  RoomClosed,
};

[[nodiscard]] std::string_view toString(RoomError error) noexcept;

}  // namespace huddle::sfu
