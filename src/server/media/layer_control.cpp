#include "server/media/layer_control.h"

#include <string>

#include "common/log.h"

namespace huddle::server::media {

bool applyLayers(SubscriptionLayers& state, sfu::DownTrack& downTrack,
                 sfu::TrackReceiver& receiver, sfu::TrackReceiver::TimePoint now) {
  sfu::LayerDecision decision;
  if (sfu::isVideo(receiver.codec())) {
    decision = sfu::chooseLayer(state.preference, state.cap, state.publisherMuted,
                                receiver.layersArriving(now, kLayerArrivalWindow));
  } else {
    // Audio has one layer and is never paused for congestion, only when muted.
    decision = sfu::LayerDecision{state.publisherMuted, 0};
  }
  if (state.applied == decision) return false;
  const bool resumed = state.applied && state.applied->paused && !decision.paused;
  HUDDLE_LOG_DEBUG(media, "track={} subscriber={}: {} (wish {}{}, cap {}{}, muted {})",
                   downTrack.trackSid(), downTrack.subscriberSid(),
                   decision.paused ? std::string("paused") : "layer " + std::to_string(decision.layer),
                   state.preference.maxLayer, state.preference.disabled ? " disabled" : "",
                   state.cap.maxLayer, state.cap.pauseVideo ? " paused" : "", state.publisherMuted);
  state.applied = decision;
  downTrack.setPaused(decision.paused);
  if (decision.paused) return true;
  const bool retarget = downTrack.targetLayer() != decision.layer;
  downTrack.setTargetLayer(decision.layer);
  if ((retarget || resumed) && downTrack.needsKeyframe()) {
    receiver.requestKeyframe(decision.layer, now);
  }
  return true;
}

sfu::LayerPreference preferenceFor(const TrackSettingsRequest& request,
                                   std::span<const sfu::LayerSize> layers) {
  sfu::LayerPreference out;
  out.disabled = request.disabled || request.quality > sfu::kHighestLayer;
  if (request.width > 0 || request.height > 0) {
    out.maxLayer = sfu::layerForDimensions(layers, request.width, request.height);
  } else {
    out.maxLayer = request.quality < 0 ? sfu::kHighestLayer : std::min(request.quality, sfu::kHighestLayer);
  }
  return out;
}

}  // namespace huddle::server::media
