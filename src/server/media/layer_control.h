#pragma once
// Single-threaded: runs on the media worker that owns the subscription.
//
// Simulcast layer control for one subscription: the subscriber's preference (UpdateTrackSettings),
// the congestion cap (bandwidth estimation) and the publisher's mute meet in
// sfu::chooseLayer; this applies the result to the downtrack. A changed target is followed at
// the target's next keyframe, which is asked for at once (the receiver rate-limits requests).

#include <chrono>
#include <optional>

#include "sfu/media/down_track.h"
#include "sfu/media/layer_selector.h"
#include "sfu/media/track_receiver.h"

namespace huddle::server::media {

// A layer counts as arriving while its last packet is this recent. Chromium's lowest layer
// runs at 7-15 frames per second, so a second without packets means it was paused.
inline constexpr std::chrono::milliseconds kLayerArrivalWindow{1000};

struct SubscriptionLayers {
  sfu::LayerPreference preference;
  sfu::LayerCap cap;  // bandwidth estimation writes it
  bool publisherMuted = false;
  std::optional<sfu::LayerDecision> applied;  // what the downtrack was last told
};

// Brings the downtrack in line with `state`; returns whether anything changed.
bool applyLayers(SubscriptionLayers& state, sfu::DownTrack& downTrack,
                 sfu::TrackReceiver& receiver, sfu::TrackReceiver::TimePoint now);

// What UpdateTrackSettings asks for, resolved against the publisher's announced layers.
struct TrackSettingsRequest {
  bool disabled = false;
  int quality = sfu::kHighestLayer;  // LOW=0, MEDIUM=1, HIGH=2, OFF=3
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};
[[nodiscard]] sfu::LayerPreference preferenceFor(const TrackSettingsRequest& request,
                                                 std::span<const sfu::LayerSize> layers);

}  // namespace huddle::server::media
