#include "server/room_backend.h"

#include "server/proto_convert.h"

namespace huddle::server {

namespace {

TwirpError toTwirp(sfu::RoomError error, const std::string& message) {
  switch (error) {
    case sfu::RoomError::RoomNotFound:
    case sfu::RoomError::ParticipantNotFound:
    case sfu::RoomError::TrackNotFound:
      return {"not_found", message};
    case sfu::RoomError::RoomFull:
      return {"resource_exhausted", message};
    case sfu::RoomError::NotAllowed:
      return {"permission_denied", message};
    case sfu::RoomError::RoomClosed:
      return {"unavailable", message};
    case sfu::RoomError::InvalidArgument:
      return {"invalid_argument", message};
  }
  return {"internal", message};
}

TwirpError roomNotFound() {
  return toTwirp(sfu::RoomError::RoomNotFound,
                 std::string(toString(sfu::RoomError::RoomNotFound)));
}

sfu::MetadataUpdate metadataUpdate(const livekit::UpdateParticipantRequest& r) {
  sfu::MetadataUpdate update;
  if (!r.metadata().empty()) update.metadata = r.metadata();
  if (!r.name().empty()) update.name = r.name();
  for (const auto& [k, v] : r.attributes()) update.attributes[k] = v;
  return update;
}

}  // namespace

void RoomBackend::createRoom(const livekit::CreateRoomRequest& request,
                             TwirpReply<livekit::Room> reply) {
  sfu::RoomOptions options;
  options.name = request.name();
  if (request.empty_timeout() != 0) options.emptyTimeoutSeconds = request.empty_timeout();
  if (request.departure_timeout() != 0) {
    options.departureTimeoutSeconds = request.departure_timeout();
  }
  if (request.max_participants() != 0) options.maxParticipants = request.max_participants();
  options.metadata = request.metadata();
  worker_.post([this, options = std::move(options), reply = std::move(reply)] {
    auto created = worker_.rooms().createRoom(options);
    if (!created.ok()) return reply(toTwirp(created.code(), created.message()));
    livekit::Room room;
    toProto(*created, &room);
    reply(std::move(room));
  });
}

void RoomBackend::listRooms(const livekit::ListRoomsRequest& request,
                            TwirpReply<livekit::ListRoomsResponse> reply) {
  std::vector<std::string> names(request.names().begin(), request.names().end());
  worker_.post([this, names = std::move(names), reply = std::move(reply)] {
    livekit::ListRoomsResponse response;
    for (const auto& info : worker_.rooms().listRooms(names)) toProto(info, response.add_rooms());
    reply(std::move(response));
  });
}

void RoomBackend::deleteRoom(const livekit::DeleteRoomRequest& request,
                             TwirpReply<livekit::DeleteRoomResponse> reply) {
  worker_.post([this, name = request.room(), reply = std::move(reply)] {
    auto deleted = worker_.rooms().deleteRoom(name);
    if (!deleted.ok()) return reply(toTwirp(deleted.code(), deleted.message()));
    reply(livekit::DeleteRoomResponse{});
  });
}

void RoomBackend::listParticipants(const livekit::ListParticipantsRequest& request,
                                   TwirpReply<livekit::ListParticipantsResponse> reply) {
  worker_.post([this, name = request.room(), reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(name);
    if (room == nullptr) return reply(roomNotFound());
    livekit::ListParticipantsResponse response;
    for (const auto& p : room->participants()) toProto(p, response.add_participants());
    reply(std::move(response));
  });
}

void RoomBackend::getParticipant(const livekit::RoomParticipantIdentity& request,
                                 TwirpReply<livekit::ParticipantInfo> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    const sfu::ParticipantInfo* p = room->findByIdentity(request.identity());
    if (p == nullptr) {
      return reply(toTwirp(sfu::RoomError::ParticipantNotFound,
                           std::string(toString(sfu::RoomError::ParticipantNotFound))));
    }
    livekit::ParticipantInfo info;
    toProto(*p, &info);
    reply(std::move(info));
  });
}

void RoomBackend::removeParticipant(const livekit::RoomParticipantIdentity& request,
                                    TwirpReply<livekit::RemoveParticipantResponse> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    auto removed = room->removeByAdmin(request.identity());
    if (!removed.ok()) return reply(toTwirp(removed.code(), removed.message()));
    reply(livekit::RemoveParticipantResponse{});
  });
}

void RoomBackend::mutePublishedTrack(const livekit::MuteRoomTrackRequest& request,
                                     TwirpReply<livekit::MuteRoomTrackResponse> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    auto muted = room->muteTrackByAdmin(request.identity(), request.track_sid(), request.muted());
    if (!muted.ok()) return reply(toTwirp(muted.code(), muted.message()));
    livekit::MuteRoomTrackResponse response;
    toProto(*muted, response.mutable_track());
    reply(std::move(response));
  });
}

void RoomBackend::updateParticipant(const livekit::UpdateParticipantRequest& request,
                                    TwirpReply<livekit::ParticipantInfo> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    std::optional<sfu::ParticipantPermission> permission;
    if (request.has_permission()) permission = fromProto(request.permission());
    auto updated =
        room->updateParticipantByAdmin(request.identity(), metadataUpdate(request), permission);
    if (!updated.ok()) return reply(toTwirp(updated.code(), updated.message()));
    livekit::ParticipantInfo info;
    toProto(*updated, &info);
    reply(std::move(info));
  });
}

void RoomBackend::updateSubscriptions(const livekit::UpdateSubscriptionsRequest& request,
                                      TwirpReply<livekit::UpdateSubscriptionsResponse> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    std::vector<std::string> tracks(request.track_sids().begin(), request.track_sids().end());
    for (const auto& pt : request.participant_tracks()) {
      tracks.insert(tracks.end(), pt.track_sids().begin(), pt.track_sids().end());
    }
    auto updated = room->updateSubscriptionsByAdmin(request.identity(), tracks, request.subscribe());
    if (!updated.ok()) return reply(toTwirp(updated.code(), updated.message()));
    reply(livekit::UpdateSubscriptionsResponse{});
  });
}

void RoomBackend::sendData(const livekit::SendDataRequest& request,
                           TwirpReply<livekit::SendDataResponse> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    sfu::DataMessage message;
    message.reliable = request.kind() == livekit::DataPacket::RELIABLE;
    message.payload.assign(request.data().begin(), request.data().end());
    message.topic = request.topic();
    message.destinationIdentities.assign(request.destination_identities().begin(),
                                         request.destination_identities().end());
    for (const auto& sid : request.destination_sids()) {
      if (const sfu::ParticipantInfo* p = room->findBySid(sid)) {
        message.destinationIdentities.push_back(p->identity);
      }
    }
    message.nonce.assign(request.nonce().begin(), request.nonce().end());
    room->sendData(message);
    reply(livekit::SendDataResponse{});
  });
}

void RoomBackend::updateRoomMetadata(const livekit::UpdateRoomMetadataRequest& request,
                                     TwirpReply<livekit::Room> reply) {
  worker_.post([this, request, reply = std::move(reply)] {
    sfu::Room* room = worker_.rooms().find(request.room());
    if (room == nullptr) return reply(roomNotFound());
    room->setMetadata(request.metadata());
    livekit::Room info;
    toProto(room->info(), &info);
    reply(std::move(info));
  });
}

}  // namespace huddle::server
