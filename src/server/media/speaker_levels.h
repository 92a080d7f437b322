#pragma once
// Single-threaded: owned by a ParticipantMedia, on the worker that owns its room; no locks.
//
// Speakers and connection quality for one participant, as a publisher: the audio level of
// each of its audio tracks (RFC 6464 ssrc-audio-level, read with the id its publication
// negotiated) and the first-arrival loss of each layer of each track it publishes; and its
// connection quality scorer, which the hub drives every 5 s (media_hub_quality.cpp).
// No allocation per packet: the slots are fixed and created with the publication.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <utility>

#include "rtc/rtp/rtp_packet.h"
#include "sfu/media/extension_map.h"
#include "sfu/media/track_receiver.h"
#include "sfu/quality/audio_level.h"
#include "sfu/quality/connection_quality.h"
#include "sfu/quality/speaker_detector.h"
#include "sfu/quality/stream_loss.h"

namespace huddle::server::media {

class ParticipantQuality {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxPublications = 16;

  // A packet routed to one of our tracks on `layer`, before the receiver forwards it.
  // `extensions`: the publication's negotiated ids (read only when the track is first seen).
  void onPublishedRtp(const sfu::TrackReceiver& receiver, const sfu::ExtensionIds& extensions,
                      int layer, const rtc::RtpPacketView& packet, TimePoint now) noexcept;
  void forgetReceiver(const sfu::TrackReceiver& receiver) noexcept;

  // The loudest of our audio tracks now.
  [[nodiscard]] sfu::quality::AudioLevelReading audioLevel(TimePoint now) noexcept;
  // First-arrival loss of one layer of a published track since the previous call.
  [[nodiscard]] sfu::quality::LossWindow closeLossWindow(const sfu::TrackReceiver& receiver,
                                                         int layer) noexcept;

  [[nodiscard]] sfu::quality::ConnectionQualityScorer& scorer() noexcept { return scorer_; }

  // Video we forward to this participant over the last quality interval: the bitrate its
  // downtrack sent against what the publisher's wanted layer arrived at (0, 0 the first time
  // a track is seen). Byte counters, read once per interval; not on the packet path.
  struct Bitrates {
    std::uint64_t actualBps = 0;
    std::uint64_t expectedBps = 0;
  };
  [[nodiscard]] Bitrates downTrackBitrates(const sfu::DownTrack& downTrack,
                                           const sfu::TrackReceiver& receiver, int wantedLayer,
                                           TimePoint now);
  // Downtracks not seen in the last pass are forgotten.
  void retainBitrateMarks(const std::vector<std::string>& trackSids);
  // Audio packets whose level extension was missing or malformed (only counted when the
  // publication negotiated the extension).
  // Since the previous call.
  [[nodiscard]] std::uint64_t takeLevelsMissing() noexcept { return std::exchange(levelsMissing_, 0); }

 private:
  struct Slot {
    const sfu::TrackReceiver* receiver = nullptr;
    bool audio = false;
    std::uint8_t levelId = 0;  // 0: not negotiated
    sfu::quality::AudioLevelMeter meter;
    std::array<sfu::quality::StreamLossCounter, sfu::TrackReceiver::kMaxLayers> loss{};
  };
  Slot* slotFor(const sfu::TrackReceiver& receiver, const sfu::ExtensionIds* extensions) noexcept;

  std::array<Slot, kMaxPublications> slots_{};
  Slot* last_ = nullptr;  // most packets follow the previous one's track
  sfu::quality::ConnectionQualityScorer scorer_;
  std::uint64_t levelsMissing_ = 0;
  struct ByteMark {
    std::uint64_t sent = 0;
    std::array<std::uint64_t, sfu::TrackReceiver::kMaxLayers> published{};
    TimePoint at{};
  };
  std::map<std::string, ByteMark, std::less<>> marks_;  // by track sid
};

}  // namespace huddle::server::media
