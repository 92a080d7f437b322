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
  // Ordered by the exact level, so two speakers in the same quantization step still come in
  // the order of their loudness; equal levels by sid so the order does not depend on the
  // input's.
  std::vector<const SpeakerReading*> order;
  for (const SpeakerReading& r : readings) {
    if (r.active) order.push_back(&r);
  }
  std::sort(order.begin(), order.end(), [](const SpeakerReading* a, const SpeakerReading* b) {
    return a->level != b->level ? a->level > b->level : a->participantSid < b->participantSid;
  });
  std::vector<SpeakerEntry> now;
  now.reserve(order.size());
  for (const SpeakerReading* r : order) {
    now.push_back(SpeakerEntry{std::string(r->participantSid), quantize(r->level), true});
  }

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
