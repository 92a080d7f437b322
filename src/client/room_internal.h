#pragma once
// Thread-safe. Internal wiring of a Room that the public API does not show: which media engine
// it uses. Not installed.

#include "client/media_engine.h"
#include "client/room.h"

namespace huddle::client {

struct RoomInternals {
  // Applies from the next connect() on.
  static void setMediaEngineFactory(Room& room, MediaEngineFactory factory);
};

}  // namespace huddle::client
