#pragma once
// Single-threaded: runs on one media worker's io_context; no locks; other threads post().
//
// The rooms one worker owns: creation on first join or by the API, lookup, deletion, and the
// empty/departure timeouts (checked by tick(), which the owner calls about once a second).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "sfu/room/room.h"

namespace huddle::sfu {

struct RoomDefaults {
  std::uint32_t emptyTimeoutSeconds = 300;
  std::uint32_t departureTimeoutSeconds = 20;
  std::uint32_t maxParticipants = 0;
  bool autoCreate = true;  // a join may create the room
};

class RoomManager final {
 public:
  RoomManager(const Clock& clock, RoomDefaults defaults, RoomEventListener& events);
  RoomManager(const RoomManager&) = delete;
  RoomManager& operator=(const RoomManager&) = delete;
  ~RoomManager();

  // CreateRoom: an existing room is returned as it is (LiveKit does the same).
  [[nodiscard]] Result<RoomInfo, RoomError> createRoom(const RoomOptions& options);
  // Empty `names`: every room.
  [[nodiscard]] std::vector<RoomInfo> listRooms(const std::vector<std::string>& names) const;
  [[nodiscard]] Result<Ok, RoomError> deleteRoom(std::string_view name);
  [[nodiscard]] Room* find(std::string_view name);
  // The room for a join: found, or created when auto-create allows it.
  [[nodiscard]] Result<Room*, RoomError> roomForJoin(std::string_view name);

  // Closes rooms whose timeouts expired; returns how many.
  std::size_t tick();
  // Shutdown: every room closes with `reason`.
  void closeAll(DisconnectReason reason);

  [[nodiscard]] std::size_t roomCount() const { return rooms_.size(); }
  [[nodiscard]] std::size_t participantCount() const;

 private:
  Room& create(const RoomOptions& options);

  // borrowed: outlive the manager
  const Clock& clock_;
  RoomEventListener& events_;

  RoomDefaults defaults_;
  std::map<std::string, std::unique_ptr<Room>, std::less<>> rooms_;
};

}  // namespace huddle::sfu
