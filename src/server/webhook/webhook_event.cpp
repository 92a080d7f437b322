#include "server/webhook/webhook_event.h"

#include <google/protobuf/util/json_util.h>

namespace huddle::server {

livekit::WebhookEvent makeWebhookEvent(std::string_view name, const livekit::Room* room,
                                       const livekit::ParticipantInfo* participant,
                                       const livekit::TrackInfo* track) {
  livekit::WebhookEvent event;
  event.set_event(std::string(name));
  if (room != nullptr) *event.mutable_room() = *room;
  if (participant != nullptr) {
    if (name == kEventTrackPublished) {
      event.mutable_participant()->set_sid(participant->sid());
      event.mutable_participant()->set_identity(participant->identity());
    } else {
      *event.mutable_participant() = *participant;
    }
  }
  if (track != nullptr) *event.mutable_track() = *track;
  return event;
}

std::optional<std::string> encodeWebhookJson(const livekit::WebhookEvent& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = false;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = false;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(event, &out, options).ok()) return std::nullopt;
  return out;
}

}  // namespace huddle::server
