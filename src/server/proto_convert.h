#pragma once
// Pure, any thread. Translates sfu/room values to and from the LiveKit protobuf messages: the
// one place where protocol types meet the room model (docs/style.md, section 3.10).

#include "auth/grants.h"
#include "livekit_models.pb.h"
#include "livekit_rtc.pb.h"
#include "sfu/room/participant_sink.h"
#include "sfu/room/room.h"
#include "sfu/room/room_types.h"

namespace huddle::server {

void toProto(const sfu::RoomInfo& in, livekit::Room* out);
void toProto(const sfu::ParticipantInfo& in, livekit::ParticipantInfo* out);
void toProto(const sfu::TrackInfo& in, livekit::TrackInfo* out);
void toProto(const sfu::ParticipantPermission& in, livekit::ParticipantPermission* out);

[[nodiscard]] sfu::ParticipantPermission permissionFromGrant(const auth::VideoGrant& grant,
                                                             bool canUpdateOwnMetadata);
[[nodiscard]] sfu::ParticipantPermission fromProto(const livekit::ParticipantPermission& in);
[[nodiscard]] sfu::AddTrackOptions fromProto(const livekit::AddTrackRequest& in);
[[nodiscard]] sfu::ParticipantKind participantKindFromClaim(std::string_view kind);

// "vp8" or "video/vp8" -> "video/VP8"; audio codecs stay lower case ("audio/opus").
[[nodiscard]] std::string normaliseMimeType(std::string_view codec, sfu::TrackType type);

}  // namespace huddle::server
