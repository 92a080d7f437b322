#pragma once
// Pure functions and plain values; any thread.
//
// Which simulcast layer one subscriber gets of one video track. Three inputs meet here, so
// that the rule lives in one place:
// - the subscriber's preference (UpdateTrackSettings: quality or dimensions, or disabled),
// - the congestion cap from the subscriber's bandwidth estimate (sfu/bwe),
// - whether the publisher muted the track.
// The effective layer is the lower of preference and cap, or paused; if the publisher is not
// sending that layer (dynacast, its own bandwidth), the nearest layer it does send stands in:
// the best one below, else the lowest one above.

#include <array>
#include <cstdint>
#include <span>

namespace huddle::sfu {

inline constexpr int kLayerCount = 3;  // q, h, f (LOW, MEDIUM, HIGH)
inline constexpr int kHighestLayer = kLayerCount - 1;

// What the subscriber asked for. LiveKit starts every subscription at the top layer.
struct LayerPreference {
  bool disabled = false;
  int maxLayer = kHighestLayer;
};

// What the subscriber's downlink allows (written by bandwidth estimation).
struct LayerCap {
  int maxLayer = kHighestLayer;
  bool pauseVideo = false;  // not even the lowest layer fits
};

struct LayerDecision {
  bool paused = false;
  int layer = 0;  // meaningful when not paused
  bool operator==(const LayerDecision&) const = default;
};

// Which layers the publisher is sending now (index = layer).
using LayerAvailability = std::array<bool, kLayerCount>;

[[nodiscard]] LayerDecision chooseLayer(const LayerPreference& preference, const LayerCap& cap,
                                        bool publisherMuted, const LayerAvailability& available);

// The layer the subscriber would like regardless of congestion and availability, or -1 when it
// wants none (disabled, muted): what dynacast tells the publisher to keep sending.
[[nodiscard]] int wantedLayer(const LayerPreference& preference, bool publisherMuted);

// One layer's size as the publisher announced it (AddTrack layers).
struct LayerSize {
  int layer = 0;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

// The smallest layer that covers the requested size within 20% (a 300-pixel-high element is
// served by a 256-pixel layer; upscaling that little is not worth twice the bits), as LiveKit
// chooses; the top layer when none covers it or nothing is known. Compares the smaller
// dimension so portrait video is judged like landscape.
[[nodiscard]] int layerForDimensions(std::span<const LayerSize> layers, std::uint32_t width,
                                     std::uint32_t height);

}  // namespace huddle::sfu
