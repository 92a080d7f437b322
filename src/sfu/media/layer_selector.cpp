#include "sfu/media/layer_selector.h"

#include <algorithm>

namespace huddle::sfu {

namespace {
int clampLayer(int layer) { return std::clamp(layer, 0, kHighestLayer); }
}  // namespace

int wantedLayer(const LayerPreference& preference, bool publisherMuted) {
  if (preference.disabled || publisherMuted) return -1;
  return clampLayer(preference.maxLayer);
}

LayerDecision chooseLayer(const LayerPreference& preference, const LayerCap& cap,
                          bool publisherMuted, const LayerAvailability& available) {
  const int wanted = wantedLayer(preference, publisherMuted);
  if (wanted < 0 || cap.pauseVideo) return LayerDecision{true, 0};
  const int target = std::min(wanted, clampLayer(cap.maxLayer));
  for (int l = target; l >= 0; --l) {
    if (available[static_cast<std::size_t>(l)]) return LayerDecision{false, l};
  }
  // Nothing at or below the target arrives. Going above the preference is fine (the client
  // scales down), but never above the congestion cap: that is what overloads the link.
  for (int l = target + 1; l <= clampLayer(cap.maxLayer); ++l) {
    if (available[static_cast<std::size_t>(l)]) return LayerDecision{false, l};
  }
  // Nothing arrives at all: keep the target, so the first keyframe of it starts the stream.
  return LayerDecision{false, target};
}

int layerForDimensions(std::span<const LayerSize> layers, std::uint32_t width,
                       std::uint32_t height) {
  if (layers.empty() || (width == 0 && height == 0)) return kHighestLayer;
  std::array<const LayerSize*, kLayerCount> byLayer{};
  for (const LayerSize& s : layers) {
    if (s.layer >= 0 && s.layer < kLayerCount) byLayer[static_cast<std::size_t>(s.layer)] = &s;
  }
  const std::uint64_t requested = std::min(width == 0 ? height : width, height == 0 ? width : height);
  int best = -1;
  for (int l = 0; l < kLayerCount; ++l) {
    const LayerSize* s = byLayer[static_cast<std::size_t>(l)];
    if (s == nullptr) continue;
    best = l;
    const std::uint64_t size = std::min(s->width, s->height);
    // size >= 0.8 * requested, in integers.
    if (size * 5 >= requested * 4) return l;
  }
  return best < 0 ? kHighestLayer : best;
}

}  // namespace huddle::sfu
