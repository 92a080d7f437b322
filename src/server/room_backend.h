#pragma once
// Called on the signaling thread; each call hops to the worker that owns the rooms and replies
// from there (the Twirp front end takes replies on any thread).
//
// RoomService over the rooms: the protobuf requests become sfu/room calls, and room errors
// become Twirp errors, in this one place.

#include "server/media_worker.h"
#include "server/twirp/room_service_backend.h"

namespace huddle::server {

class RoomBackend final : public RoomServiceBackend {
 public:
  explicit RoomBackend(MediaWorker& worker) : worker_(worker) {}

  void createRoom(const livekit::CreateRoomRequest& request,
                  TwirpReply<livekit::Room> reply) override;
  void listRooms(const livekit::ListRoomsRequest& request,
                 TwirpReply<livekit::ListRoomsResponse> reply) override;
  void deleteRoom(const livekit::DeleteRoomRequest& request,
                  TwirpReply<livekit::DeleteRoomResponse> reply) override;
  void listParticipants(const livekit::ListParticipantsRequest& request,
                        TwirpReply<livekit::ListParticipantsResponse> reply) override;
  void getParticipant(const livekit::RoomParticipantIdentity& request,
                      TwirpReply<livekit::ParticipantInfo> reply) override;
  void removeParticipant(const livekit::RoomParticipantIdentity& request,
                         TwirpReply<livekit::RemoveParticipantResponse> reply) override;
  void mutePublishedTrack(const livekit::MuteRoomTrackRequest& request,
                          TwirpReply<livekit::MuteRoomTrackResponse> reply) override;
  void updateParticipant(const livekit::UpdateParticipantRequest& request,
                         TwirpReply<livekit::ParticipantInfo> reply) override;
  void updateSubscriptions(const livekit::UpdateSubscriptionsRequest& request,
                           TwirpReply<livekit::UpdateSubscriptionsResponse> reply) override;
  void sendData(const livekit::SendDataRequest& request,
                TwirpReply<livekit::SendDataResponse> reply) override;
  void updateRoomMetadata(const livekit::UpdateRoomMetadataRequest& request,
                          TwirpReply<livekit::Room> reply) override;

 private:
  MediaWorker& worker_;
};

}  // namespace huddle::server
