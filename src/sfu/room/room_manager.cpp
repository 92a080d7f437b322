#include "sfu/room/room_manager.h"

#include <algorithm>
#include <utility>

namespace huddle::sfu {

RoomManager::RoomManager(const Clock& clock, RoomDefaults defaults, RoomEventListener& events)
    : clock_(clock), events_(events), defaults_(defaults) {}

RoomManager::~RoomManager() = default;

Room& RoomManager::create(const RoomOptions& options) {
  RoomInfo info;
  info.name = options.name;
  info.emptyTimeoutSeconds = options.emptyTimeoutSeconds.value_or(defaults_.emptyTimeoutSeconds);
  info.departureTimeoutSeconds =
      options.departureTimeoutSeconds.value_or(defaults_.departureTimeoutSeconds);
  info.maxParticipants = options.maxParticipants.value_or(defaults_.maxParticipants);
  info.metadata = options.metadata;
  auto room = std::make_unique<Room>(clock_, std::move(info), events_);
  Room& ref = *room;
  rooms_.emplace(options.name, std::move(room));
  return ref;
}

Result<RoomInfo, RoomError> RoomManager::createRoom(const RoomOptions& options) {
  if (options.name.empty()) {
    return Error{RoomError::InvalidArgument, std::string("room name is required")};
  }
  if (Room* existing = find(options.name)) return existing->info();
  return create(options).info();
}

std::vector<RoomInfo> RoomManager::listRooms(const std::vector<std::string>& names) const {
  std::vector<RoomInfo> out;
  for (const auto& [name, room] : rooms_) {
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    out.push_back(room->info());
  }
  return out;
}

Result<Ok, RoomError> RoomManager::deleteRoom(std::string_view name) {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) {
    return Error{RoomError::RoomNotFound, std::string(toString(RoomError::RoomNotFound))};
  }
  std::unique_ptr<Room> room = std::move(it->second);
  rooms_.erase(it);
  room->close(DisconnectReason::RoomDeleted);
  return Ok{};
}

Room* RoomManager::find(std::string_view name) {
  auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Result<Room*, RoomError> RoomManager::roomForJoin(std::string_view name) {
  if (Room* room = find(name)) return room;
  if (!defaults_.autoCreate) {
    return Error{RoomError::RoomNotFound, std::string(toString(RoomError::RoomNotFound))};
  }
  RoomOptions options;
  options.name = std::string(name);
  return &create(options);
}

std::size_t RoomManager::tick() {
  std::size_t closed = 0;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    it->second->tick();
    if (it->second->expired()) {
      std::unique_ptr<Room> room = std::move(it->second);
      it = rooms_.erase(it);
      room->close(DisconnectReason::RoomClosed);
      ++closed;
    } else {
      ++it;
    }
  }
  return closed;
}

void RoomManager::closeAll(DisconnectReason reason) {
  auto rooms = std::move(rooms_);
  rooms_.clear();
  for (auto& [name, room] : rooms) room->close(reason);
}

std::size_t RoomManager::participantCount() const {
  std::size_t n = 0;
  for (const auto& [name, room] : rooms_) n += room->participants().size();
  return n;
}

}  // namespace huddle::sfu
