#pragma once
// Single-threaded: one per room, on the worker that owns it; no locks.
//
// The room's active speakers, asked for every update interval (400 ms): each participant's
// reading (the loudest of its audio tracks' AudioLevelMeters) goes in, the ordered speaker list
// comes out with whether it differs from the previous report. Clients keep their own list from
// these updates (livekit-client merges them, the Rust SDK behind rtc-node takes the active
// entries of each update as the whole list), so a report carries every active speaker, loudest
// first, followed once by each speaker that stopped (active=false, level 0). Levels are
// quantized to 1/8 so that small wobbles in a steady voice do not produce an update per tick.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace huddle::sfu::quality {

struct SpeakerReading {
  std::string_view participantSid;
  double level = 0.0;  // 0..1
  bool active = false;
};

struct SpeakerEntry {
  std::string participantSid;
  float level = 0.0F;  // quantized, 0..1
  bool active = false;
  bool operator==(const SpeakerEntry&) const = default;
};

struct SpeakerReport {
  std::vector<SpeakerEntry> speakers;  // active ones loudest first, then those that stopped
  // `changed`: the active speakers, their order or a quantized level differ from the last
  // report, or someone stopped.
  bool changed = false;
};

class SpeakerDetector {
 public:
  static constexpr double kQuantization = 8.0;

  // One update interval. Participants missing from `readings` (left, no audio) count as silent.
  [[nodiscard]] SpeakerReport update(std::span<const SpeakerReading> readings);
  // The active speakers of the last report, loudest first.
  [[nodiscard]] const std::vector<SpeakerEntry>& active() const noexcept { return active_; }

  [[nodiscard]] static float quantize(double level) noexcept;

 private:
  std::vector<SpeakerEntry> active_;
};

}  // namespace huddle::sfu::quality
