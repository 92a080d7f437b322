#pragma once
// Single-threaded: called on the room's worker thread; implementations post to their own thread.
//
// How a room talks to one participant's signal connection (server/ implements it over the
// WebSocket session) and how it reports room-level events (webhooks, metrics).

#include <cstdint>
#include <string>
#include <vector>

#include "sfu/room/room_types.h"

namespace huddle::sfu {

// A data message handed to a participant: from another participant or from the RoomService API.
struct DataMessage {
  bool reliable = true;
  std::string senderSid;       // empty when it comes from the server API
  std::string senderIdentity;  // idem
  std::vector<std::uint8_t> payload;
  std::string topic;
  std::vector<std::string> destinationIdentities;  // empty: everyone else
  std::vector<std::uint8_t> nonce;
};

// Which request a RequestResponse answers.
enum class RequestKind : std::uint8_t { Trickle, AddTrack, Mute, UpdateMetadata };

class ParticipantSink {
 public:
  virtual ~ParticipantSink() = default;
  // The first message: this participant, the room, everyone else who is visible.
  virtual void onJoined(const RoomInfo& room, const ParticipantInfo& self,
                        const std::vector<ParticipantInfo>& others) = 0;
  // A resume took this participant back: everyone else as they are now, and the room.
  virtual void onResumed(const RoomInfo& room, const ParticipantInfo& self,
                         const std::vector<ParticipantInfo>& others) = 0;
  virtual void onParticipantsChanged(const std::vector<ParticipantInfo>& participants) = 0;
  virtual void onRoomChanged(const RoomInfo& room) = 0;
  virtual void onTrackPublished(const std::string& cid, const TrackInfo& track) = 0;
  virtual void onTrackUnpublished(const std::string& trackSid) = 0;
  // The server (an admin) muted or unmuted one of this participant's tracks.
  virtual void onTrackMuteRequested(const std::string& trackSid, bool muted) = 0;
  virtual void onRequestResponse(std::uint32_t requestId, RequestKind kind, RequestOutcome outcome,
                                 const std::string& message) = 0;
  virtual void onData(const DataMessage& message) = 0;
  // A publisher's permissions changed whether this participant may receive one of the tracks it
  // wants (SubscriptionPermissionUpdate); `allowed` false means it was unsubscribed.
  virtual void onSubscriptionPermissionChanged(const std::string& /*publisherSid*/,
                                               const std::string& /*trackSid*/,
                                               bool /*allowed*/) {}
  // This participant was removed by the server; no call follows.
  virtual void onRemoved(DisconnectReason reason, LeaveAction action) = 0;
};

// Room lifecycle events, in the order they happen. Called on the worker thread.
class RoomEventListener {
 public:
  virtual ~RoomEventListener() = default;
  virtual void onRoomStarted(const RoomInfo& /*room*/) {}
  virtual void onRoomFinished(const RoomInfo& /*room*/) {}
  virtual void onParticipantJoined(const RoomInfo& /*room*/, const ParticipantInfo& /*p*/) {}
  virtual void onParticipantLeft(const RoomInfo& /*room*/, const ParticipantInfo& /*p*/) {}
  virtual void onTrackPublished(const RoomInfo& /*room*/, const ParticipantInfo& /*p*/,
                                const TrackInfo& /*track*/) {}
  virtual void onTrackUnpublished(const RoomInfo& /*room*/, const ParticipantInfo& /*p*/,
                                  const TrackInfo& /*track*/) {}
};

}  // namespace huddle::sfu
