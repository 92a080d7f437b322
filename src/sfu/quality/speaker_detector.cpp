#include "sfu/quality/speaker_detector.h"

#include <algorithm>
#include <cmath>

namespace huddle::sfu::quality {

float SpeakerDetector::quantize(double level) noexcept {
  // Rounded up, so a speaker that is active never reports level 0.
  const double q = std::ceil(std::clamp(level, 0.0, 1.0) * kQuantization) / kQuantization;
  return static_cast<float>(q);
}

SpeakerReport SpeakerDetector::update(std::span<const SpeakerReading> readings) {
  std::vector<SpeakerEntry> now;
  for (const SpeakerReading& r : readings) {
    if (!r.active) continue;
    now.push_back(SpeakerEntry{std::string(r.participantSid), quantize(r.level), true});
  }
  // Loudest first; equal levels by sid so the order does not depend on the input's.
  std::sort(now.begin(), now.end(), [](const SpeakerEntry& a, const SpeakerEntry& b) {
    return a.level != b.level ? a.level > b.level : a.participantSid < b.participantSid;
  });

  SpeakerReport report;
  report.changed = now != active_;
  report.speakers = now;
  for (const SpeakerEntry& before : active_) {
    const bool still = std::any_of(now.begin(), now.end(), [&](const SpeakerEntry& e) {
      return e.participantSid == before.participantSid;
    });
    if (!still) report.speakers.push_back(SpeakerEntry{before.participantSid, 0.0F, false});
  }
  active_ = std::move(now);
  return report;
}

}  // namespace huddle::sfu::quality
