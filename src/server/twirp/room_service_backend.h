#pragma once
// Called on the signaling thread; replies may be invoked on any thread (the twirp layer posts
// them back to its own executor). Every method must reply exactly once.
//
// What the RoomService Twirp front end needs from the rooms. The front end owns HTTP, codecs and
// grant checks; the backend (server/ wiring over sfu/room) owns the rooms, which live on media
// workers, hence the callbacks instead of return values.

#include <functional>
#include <string>
#include <variant>

#include "livekit_models.pb.h"
#include "livekit_room.pb.h"

namespace huddle::server {

// Twirp error codes as sent on the wire ("not_found", "invalid_argument", ...).
struct TwirpError {
  std::string code;
  std::string msg;
};

template <typename T>
using TwirpReply = std::function<void(std::variant<T, TwirpError>)>;

class RoomServiceBackend {
 public:
  virtual ~RoomServiceBackend() = default;

  virtual void createRoom(const livekit::CreateRoomRequest& request,
                          TwirpReply<livekit::Room> reply) = 0;
  virtual void listRooms(const livekit::ListRoomsRequest& request,
                         TwirpReply<livekit::ListRoomsResponse> reply) = 0;
  virtual void deleteRoom(const livekit::DeleteRoomRequest& request,
                          TwirpReply<livekit::DeleteRoomResponse> reply) = 0;
  virtual void listParticipants(const livekit::ListParticipantsRequest& request,
                                TwirpReply<livekit::ListParticipantsResponse> reply) = 0;
  virtual void getParticipant(const livekit::RoomParticipantIdentity& request,
                              TwirpReply<livekit::ParticipantInfo> reply) = 0;
  virtual void removeParticipant(const livekit::RoomParticipantIdentity& request,
                                 TwirpReply<livekit::RemoveParticipantResponse> reply) = 0;
  virtual void mutePublishedTrack(const livekit::MuteRoomTrackRequest& request,
                                  TwirpReply<livekit::MuteRoomTrackResponse> reply) = 0;
  virtual void updateParticipant(const livekit::UpdateParticipantRequest& request,
                                 TwirpReply<livekit::ParticipantInfo> reply) = 0;
  virtual void updateSubscriptions(const livekit::UpdateSubscriptionsRequest& request,
                                   TwirpReply<livekit::UpdateSubscriptionsResponse> reply) = 0;
  virtual void sendData(const livekit::SendDataRequest& request,
                        TwirpReply<livekit::SendDataResponse> reply) = 0;
  virtual void updateRoomMetadata(const livekit::UpdateRoomMetadataRequest& request,
                                  TwirpReply<livekit::Room> reply) = 0;
};

}  // namespace huddle::server
