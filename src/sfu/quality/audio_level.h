#pragma once
// Single-threaded: one meter per published audio track, on the worker that owns its room; no
// locks. Times come from the caller (tests drive them without sleeping).
//
// How loud one audio track has been recently, from the RFC 6464 audio level the sender writes
// into each packet (0 loudest .. 127 silence, in -dBov). The level is judged over windows of
// media time (RTP timestamps, so packet bursts and DTX gaps count for what they cover):
// - a window counts as speech when at least minActivePercent of it was at or above the active
//   level (35 dBov by default); a lone click or a short breath does not decide either way;
// - the window's level is its loudest active packet, lowered by how little of the window was
//   active (20*log10 of the active fraction), converted to linear 0..1;
// - the reported level is an exponential moving average over windows (factor 2/(N+1) for N
//   windows), so one loud window does not jump to the top;
// - one quiet window after speech only lowers the level by the same factor (a pause between
//   words keeps the speaker); a second quiet window in a row ends it (level 0);
// - no packet for staleMs (muted, unpublished, DTX that sends nothing) ends it too.
// The V (voice activity) bit is not used: senders that run no VAD leave it set or clear
// regardless of what they send, while the level is always meaningful.
// No allocation: observe() is called once per audio packet.

#include <chrono>
#include <cstdint>

namespace huddle::sfu::quality {

struct AudioLevelConfig {
  std::uint8_t activeLevel = 35;        // -dBov; a packet at or below this counts as speech
  std::uint32_t windowMs = 400;         // media time per observe window
  std::uint8_t minActivePercent = 40;   // of a window, for the window to count as speech
  std::uint32_t smoothWindows = 2;      // EMA center of mass, in windows (0: no smoothing)
  std::uint32_t staleMs = 800;          // no packet for this long: silent
};

struct AudioLevelReading {
  double level = 0.0;  // 0..1 linear
  bool active = false;
};

class AudioLevelMeter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // One packet never stands for more speech than this (a packet after a DTX gap carries one
  // frame, not the whole gap), while the gap still counts as observed media time.
  static constexpr std::uint32_t kMaxActiveMsPerPacket = 60;
  // Assumed duration of the first packet, which has no predecessor to measure from.
  static constexpr std::uint32_t kFirstPacketMs = 20;

  explicit AudioLevelMeter(std::uint32_t clockRate = 48000, AudioLevelConfig config = {}) noexcept;

  // One received packet's level; reordered packets (older RTP timestamp) are ignored.
  void observe(std::uint8_t levelDbov, bool voiceActivity, std::uint32_t rtpTimestamp,
               TimePoint arrival) noexcept;
  // The smoothed level now; ends a stale speaker.
  [[nodiscard]] AudioLevelReading read(TimePoint now) noexcept;
  // The active level converted to linear: the quietest level a speaker's window can have.
  [[nodiscard]] double activeThreshold() const noexcept { return threshold_; }
  [[nodiscard]] std::uint64_t packets() const noexcept { return packets_; }

  // dBov (0..127, as in the extension) to a linear amplitude 0..1.
  [[nodiscard]] static double linear(double dbov) noexcept;

 private:
  void closeWindow() noexcept;
  void reset() noexcept;

  AudioLevelConfig config_;
  std::uint32_t clockRate_;
  double alpha_ = 1.0;
  double threshold_ = 0.0;
  std::uint32_t minActiveMs_ = 0;

  bool started_ = false;
  std::uint32_t highestTimestamp_ = 0;
  TimePoint lastArrival_{};
  std::uint64_t packets_ = 0;

  std::uint32_t observedMs_ = 0;
  std::uint32_t activeMs_ = 0;
  std::uint8_t loudest_ = 127;
  double smoothed_ = 0.0;
  bool lastWindowActive_ = false;
};

}  // namespace huddle::sfu::quality
