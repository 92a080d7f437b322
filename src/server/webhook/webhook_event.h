#pragma once
// Building and encoding LiveKit WebhookEvent messages (docs: livekit-protocol.md section 7).
// Pure, any thread.

#include <optional>
#include <string>
#include <string_view>

#include "livekit_models.pb.h"
#include "livekit_webhook.pb.h"

namespace huddle::server {

// Event names as LiveKit's receivers expect them.
inline constexpr std::string_view kEventRoomStarted = "room_started";
inline constexpr std::string_view kEventRoomFinished = "room_finished";
inline constexpr std::string_view kEventParticipantJoined = "participant_joined";
inline constexpr std::string_view kEventParticipantLeft = "participant_left";
inline constexpr std::string_view kEventParticipantConnectionAborted =
    "participant_connection_aborted";
inline constexpr std::string_view kEventTrackPublished = "track_published";
inline constexpr std::string_view kEventTrackUnpublished = "track_unpublished";

// Copies whichever of room/participant/track is given. For track_published only the
// participant's sid and identity go in: the reference server sends no more, and receivers
// written against it should not start depending on fields that are absent there.
// id and created_at are left unset; WebhookNotifier::notify() fills them.
[[nodiscard]] livekit::WebhookEvent makeWebhookEvent(std::string_view name,
                                                     const livekit::Room* room,
                                                     const livekit::ParticipantInfo* participant,
                                                     const livekit::TrackInfo* track);

// proto3 JSON as LiveKit sends it: camelCase names, defaults omitted, enums by name, 64-bit
// integers as strings. nullopt only if protobuf refuses the message (e.g. invalid UTF-8).
[[nodiscard]] std::optional<std::string> encodeWebhookJson(const livekit::WebhookEvent& event);

}  // namespace huddle::server
