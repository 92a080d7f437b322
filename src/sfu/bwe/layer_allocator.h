#pragma once
// Pure, any thread.
//
// The congestion cap: how one subscriber's estimated bandwidth is shared among its video
// downtracks. Audio is reserved first by the caller (it is never paused). Every wanted video
// track first gets its lowest layer, in order, while the budget lasts; a track that does not
// fit is paused. What is left then lifts tracks a layer at a time, round robin, up to what each
// subscriber prefers. Moving up (and resuming) needs 15 % / 25 % more than the layer costs,
// while a layer already forwarded is kept down to 75 % of its cost: a single delay-based
// decrease (to 85 % of what was received) must not drop a layer, repeated ones do.

#include <array>
#include <cstdint>
#include <span>

namespace huddle::sfu::bwe {

inline constexpr int kPaused = -1;

struct VideoDemand {
  std::array<std::uint64_t, 3> layerBps{};  // what each spatial layer costs (best known)
  int layers = 1;           // how many spatial layers the track has (1..3)
  int preferredMax = 2;     // the subscriber's wish (H4's preferred layer); kPaused: none
  int previous = 0;         // the last decision (kPaused when paused), for hysteresis
};

inline constexpr double kUpgradeHeadroom = 0.15;
inline constexpr double kResumeHeadroom = 0.25;
inline constexpr double kKeepShare = 0.75;

// Writes one decision per demand into `out` (same size): the highest affordable layer, at most
// preferredMax, or kPaused. With `allowPause` false a wanted track that does not fit keeps its
// lowest layer instead (what is left is then nothing, so nothing is lifted): a collapsed
// estimate degrades every video to its floor rather than freezing some of them.
void allocateLayers(std::uint64_t availableBps, std::span<const VideoDemand> demands,
                    std::span<int> out, bool allowPause = true) noexcept;

}  // namespace huddle::sfu::bwe
