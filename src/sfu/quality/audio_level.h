#pragma once
// Single-threaded: one meter per published audio track, on the worker that owns its room; no
// locks. Times come from the caller (tests drive them without sleeping).
//
// How loud one audio track has been recently, from the RFC 6464 audio level the sender writes
// into each packet (0 loudest .. 127 silence, in -dBov). Each read (once per speaker update,
// every 400 ms) looks at the last windowMs (500 ms) of media time, by RTP timestamp, so packet
// bursts and DTX gaps count for what they cover:
// - the track is speaking when at least minActivePercent (40 %) of that window was at or above
//   the active level (35 dBov); so a click does not make a speaker, and a pause between words
//   shorter than 60 % of the window (300 ms) does not end one;
// - the window's level is its loudest speech packet, lowered by how little of the window was
//   speech (20*log10 of the fraction), as a linear amplitude 0..1;
// - the reported level is an exponential moving average over reads (factor 2/(N+1), N = 2), so
//   one loud burst does not jump to the top of the list; a window without enough speech ends
//   the speaker at once (level 0), so the next speaker takes over within one update;
// - no packet for staleMs (muted, unpublished, stalled) ends it too.
// The V (voice activity) bit is not used: senders that run no VAD set or clear it regardless
// of what they send, while the level is always meaningful.
// No allocation: observe() is called once per audio packet (a fixed ring of recent packets).

#include <array>
#include <chrono>
#include <cstdint>

namespace huddle::sfu::quality {

struct AudioLevelConfig {
  std::uint8_t activeLevel = 35;       // -dBov; a packet at or below this counts as speech
  std::uint32_t windowMs = 500;        // media time looked at by each read
  std::uint8_t minActivePercent = 40;  // of the window, for the track to be speaking
  std::uint32_t smoothReads = 2;       // EMA center of mass, in reads (0: no smoothing)
  std::uint32_t staleMs = 800;         // no packet for this long: silent
};

struct AudioLevelReading {
  double level = 0.0;  // 0..1 linear
  bool active = false;
};

class AudioLevelMeter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // One packet never stands for more speech than this (a packet after a DTX gap carries one
  // frame, not the whole gap), while the gap still counts as media time.
  static constexpr std::uint32_t kMaxMsPerPacket = 60;
  // Assumed duration of a packet with no predecessor to measure from.
  static constexpr std::uint32_t kFirstPacketMs = 20;
  // Recent packets kept: 10 ms packets over a 500 ms window need 50.
  static constexpr std::size_t kHistory = 128;

  AudioLevelMeter() noexcept : AudioLevelMeter(48000) {}
  explicit AudioLevelMeter(std::uint32_t clockRate, AudioLevelConfig config = {}) noexcept;

  // One received packet's level; reordered packets (older RTP timestamp) are ignored.
  void observe(std::uint8_t levelDbov, bool voiceActivity, std::uint32_t rtpTimestamp,
               TimePoint arrival) noexcept;
  // The smoothed level now. Advances the average: call once per update interval.
  [[nodiscard]] AudioLevelReading read(TimePoint now) noexcept;
  [[nodiscard]] std::uint64_t packets() const noexcept { return packets_; }

  // dBov (0..127, as in the extension) to a linear amplitude 0..1.
  [[nodiscard]] static double linear(double dbov) noexcept;

 private:
  struct Entry {
    std::uint32_t timestamp = 0;
    std::uint16_t durationMs = 0;
    std::uint8_t level = 127;
  };
  void reset() noexcept;

  AudioLevelConfig config_;
  std::uint32_t clockRate_;
  double alpha_ = 1.0;
  std::uint32_t minActiveMs_ = 0;

  bool started_ = false;
  std::uint32_t highestTimestamp_ = 0;
  TimePoint lastArrival_{};
  std::uint64_t packets_ = 0;
  std::array<Entry, kHistory> history_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  double smoothed_ = 0.0;
};

}  // namespace huddle::sfu::quality
