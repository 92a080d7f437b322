#include "server/server_events.h"

#include "server/proto_convert.h"
#include "server/webhook/webhook_event.h"
#include "server/webhook/webhook_notifier.h"

namespace huddle::server {

ServerEvents::ServerEvents(WebhookNotifier* webhooks, metrics::Registry& registry)
    : webhooks_(webhooks),
      rooms_(registry.gauge("huddle_rooms", "Rooms open on this node")),
      participants_(registry.gauge("huddle_participants", "Participants in rooms on this node")),
      tracks_(registry.gauge("huddle_published_tracks", "Tracks published on this node")) {}

void ServerEvents::emit(std::string_view event, const sfu::RoomInfo& room,
                        const sfu::ParticipantInfo* p, const sfu::TrackInfo* track) {
  if (webhooks_ == nullptr) return;
  livekit::Room roomProto;
  toProto(room, &roomProto);
  livekit::ParticipantInfo participantProto;
  if (p != nullptr) toProto(*p, &participantProto);
  livekit::TrackInfo trackProto;
  if (track != nullptr) toProto(*track, &trackProto);
  webhooks_->notify(makeWebhookEvent(event, &roomProto, p != nullptr ? &participantProto : nullptr,
                                     track != nullptr ? &trackProto : nullptr));
}

void ServerEvents::onRoomStarted(const sfu::RoomInfo& room) {
  rooms_.inc();
  emit("room_started", room, nullptr, nullptr);
}

void ServerEvents::onRoomFinished(const sfu::RoomInfo& room) {
  rooms_.dec();
  emit("room_finished", room, nullptr, nullptr);
}

void ServerEvents::onParticipantJoined(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p) {
  participants_.inc();
  emit("participant_joined", room, &p, nullptr);
}

void ServerEvents::onParticipantLeft(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p) {
  participants_.dec();
  emit("participant_left", room, &p, nullptr);
}

void ServerEvents::onTrackPublished(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p,
                                    const sfu::TrackInfo& track) {
  tracks_.inc();
  // makeWebhookEvent keeps only the participant's sid and identity for this event.
  emit("track_published", room, &p, &track);
}

void ServerEvents::onTrackUnpublished(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p,
                                      const sfu::TrackInfo& track) {
  tracks_.dec();
  emit("track_unpublished", room, &p, &track);
}

}  // namespace huddle::server
