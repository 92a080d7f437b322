#pragma once
// Pure, any thread. The one place where the SDK's protobuf types become public plain structs.

#include "client/events.h"
#include "client/participant.h"
#include "client/track_publication.h"
#include "livekit_models.pb.h"
#include "livekit_rtc.pb.h"

namespace huddle::client {

[[nodiscard]] TrackPublication toPublication(const livekit::TrackInfo& track);
// Publications included; `isLocal` as given.
[[nodiscard]] ParticipantInfo toParticipantInfo(const livekit::ParticipantInfo& participant, bool isLocal);
[[nodiscard]] DisconnectReason toDisconnectReason(livekit::DisconnectReason reason);
[[nodiscard]] ConnectionQuality toConnectionQuality(livekit::ConnectionQuality quality);

}  // namespace huddle::client
