#pragma once
// Pure, single-threaded: one scorer per participant, driven by the caller every interval (5 s);
// no clock of its own.
//
// Connection quality as LiveKit clients show it (livekit.ConnectionQuality: POOR=0, GOOD=1,
// EXCELLENT=2, LOST=3) and a score, from what each of a participant's streams did over one
// interval: the tracks it publishes (our receive statistics) and the tracks it receives (its
// own receiver reports about our downtracks).
//
// The score method, per stream (a simplified ITU-T G.107 E-model, as voice quality tools
// compute it from network figures):
//   delay d (ms)   = RTT/2 (when known) + 2 * jitter + 20 (packetisation and decoding)
//   Id             = 0.024 d + 0.11 (d - 177.3) when d > 177.3
//   Ie_eff         = 95 * P / (P + 10), P = packet loss in percent (codec impairment 0,
//                    loss robustness 10: random loss)
//   Ibr            = 25 * log2(expected / actual bitrate) when a stream delivers less than it
//                    should (each halving costs one quality level); 0 when no expectation
//   R              = 93.2 - Id - Ie_eff - Ibr, clamped to 0..100
//   MOS (score)    = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), 1..4.5
// A participant's R is its worst stream's. Across intervals R is smoothed, down fast (0.8 of
// the way) and up slowly (0.4), so one clean interval after a bad one does not hide it.
// Levels: R >= 80 EXCELLENT (MOS >= ~4.0), R >= 60 GOOD (MOS >= ~3.1), else POOR; LOST when a
// stream that should deliver packets (a published, unmuted track) delivered none in the
// interval (then R restarts from 30, so recovery goes through POOR and GOOD).
// Examples with 20 ms RTT and 2 ms jitter: 0% loss R 92.4 (MOS 4.39) EXCELLENT; 1% R 83.7
// EXCELLENT; 2% R 76.6 GOOD; 5% R 60.7 GOOD; 10% R 44.9 (MOS 2.31) POOR; 20% R 29 POOR.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace huddle::sfu::quality {

enum class ConnectionQuality : std::uint8_t { Poor = 0, Good = 1, Excellent = 2, Lost = 3 };
[[nodiscard]] std::string_view connectionQualityName(ConnectionQuality q) noexcept;

// What one stream did over one interval.
struct StreamWindow {
  bool mustDeliver = false;          // published and unmuted: silence means the path is gone
  std::int64_t packetsExpected = 0;  // by sequence numbers
  std::int64_t packetsLost = 0;      // negative (duplicates) counts as 0
  std::optional<double> lossFraction;  // instead of the counts (a receiver report's figure)
  double jitterSeconds = 0.0;
  std::optional<double> rttSeconds;
  std::uint64_t actualBps = 0;
  std::uint64_t expectedBps = 0;  // 0: no expectation
};

struct QualityScore {
  double r = 0.0;    // E-model rating 0..100
  double mos = 1.0;  // 1..4.5, what ConnectionQualityInfo.score carries
  ConnectionQuality quality = ConnectionQuality::Excellent;
};

// One participant's judgement as ConnectionQualityUpdate carries it.
struct ParticipantQualityEntry {
  std::string participantSid;
  ConnectionQuality quality = ConnectionQuality::Excellent;
  float score = 0.0F;  // MOS
};

// One stream, one interval, no smoothing.
[[nodiscard]] QualityScore scoreStream(const StreamWindow& window) noexcept;
[[nodiscard]] double mosFromR(double r) noexcept;
[[nodiscard]] ConnectionQuality qualityFromR(double r) noexcept;

class ConnectionQualityScorer {
 public:
  static constexpr double kExcellentR = 80.0;
  static constexpr double kGoodR = 60.0;
  static constexpr double kDownFactor = 0.8;
  static constexpr double kUpFactor = 0.4;
  static constexpr double kAfterLostR = 30.0;

  // One interval of every stream of the participant; none: nothing to judge (EXCELLENT, as
  // LiveKit reports a participant that neither publishes nor receives).
  QualityScore update(std::span<const StreamWindow> streams) noexcept;
  [[nodiscard]] const QualityScore& last() const noexcept { return last_; }

 private:
  bool started_ = false;
  double smoothedR_ = 0.0;
  QualityScore last_{93.2, mosFromR(93.2), ConnectionQuality::Excellent};
};

}  // namespace huddle::sfu::quality
