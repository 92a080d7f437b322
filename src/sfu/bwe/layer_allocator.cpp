#include "sfu/bwe/layer_allocator.h"

#include <algorithm>

namespace huddle::sfu::bwe {

void allocateLayers(std::uint64_t availableBps, std::span<const VideoDemand> demands,
                    std::span<int> out, bool allowPause) noexcept {
  const std::size_t n = std::min(demands.size(), out.size());
  double budget = static_cast<double>(availableBps);
  for (std::size_t i = 0; i < n; ++i) {
    const VideoDemand& d = demands[i];
    out[i] = kPaused;
    if (d.preferredMax < 0) continue;
    const double cost = static_cast<double>(d.layerBps[0]);
    const double need = d.previous == kPaused ? cost * (1.0 + kResumeHeadroom) : cost * kKeepShare;
    if (budget >= need || !allowPause) {
      out[i] = 0;
      budget = std::max(0.0, budget - cost);
    }
  }
  // At most two lifts per track; each round gives every track one step.
  for (int round = 0; round < 2; ++round) {
    bool lifted = false;
    for (std::size_t i = 0; i < n; ++i) {
      const VideoDemand& d = demands[i];
      const int top = std::min(std::min(d.preferredMax, d.layers - 1), 2);
      if (out[i] == kPaused || out[i] >= top) continue;
      const int next = out[i] + 1;
      const double extra = static_cast<double>(d.layerBps[static_cast<std::size_t>(next)]) -
                           static_cast<double>(d.layerBps[static_cast<std::size_t>(out[i])]);
      const double step = std::max(0.0, extra);
      const double need =
          next > d.previous ? step + kUpgradeHeadroom * static_cast<double>(d.layerBps[static_cast<std::size_t>(next)])
                            : step * kKeepShare;
      if (budget >= need) {
        out[i] = next;
        budget = std::max(0.0, budget - step);
        lifted = true;
      }
    }
    if (!lifted) break;
  }
}

}  // namespace huddle::sfu::bwe
