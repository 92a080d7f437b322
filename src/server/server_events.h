#pragma once
// Called on media workers. Turns room lifecycle events into webhooks and metrics; both sinks
// are thread-safe and never block the worker.

#include "livekit_webhook.pb.h"
#include "server/metrics/metrics.h"
#include "sfu/room/participant_sink.h"

namespace huddle::server {

class WebhookNotifier;

class ServerEvents final : public sfu::RoomEventListener {
 public:
  // `webhooks` may be null (no webhook URLs configured).
  ServerEvents(WebhookNotifier* webhooks, metrics::Registry& registry);

  // Set once at startup, before the worker runs.
  void setWebhooks(WebhookNotifier* webhooks) { webhooks_ = webhooks; }

  void onRoomStarted(const sfu::RoomInfo& room) override;
  void onRoomFinished(const sfu::RoomInfo& room) override;
  void onParticipantJoined(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p) override;
  void onParticipantLeft(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p) override;
  void onTrackPublished(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p,
                        const sfu::TrackInfo& track) override;
  void onTrackUnpublished(const sfu::RoomInfo& room, const sfu::ParticipantInfo& p,
                          const sfu::TrackInfo& track) override;

 private:
  void emit(std::string_view event, const sfu::RoomInfo& room, const sfu::ParticipantInfo* p,
            const sfu::TrackInfo* track);

  WebhookNotifier* webhooks_;
  metrics::Gauge& rooms_;
  metrics::Gauge& participants_;
  metrics::Gauge& tracks_;
};

}  // namespace huddle::server
