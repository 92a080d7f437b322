#include "server/media/speaker_levels.h"

#include <algorithm>

#include "rtc/rtp/rtp_header_extensions.h"

namespace huddle::server::media {

namespace {
constexpr std::string_view kUriAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
}  // namespace

ParticipantQuality::Slot* ParticipantQuality::slotFor(const sfu::TrackReceiver& receiver,
                                                      const sfu::ExtensionIds* extensions) noexcept {
  if (last_ != nullptr && last_->receiver == &receiver) return last_;
  for (Slot& s : slots_) {
    if (s.receiver == &receiver) return last_ = &s;
  }
  if (extensions == nullptr) return nullptr;
  for (Slot& s : slots_) {
    if (s.receiver != nullptr) continue;
    s = Slot{};
    s.receiver = &receiver;
    s.audio = !sfu::isVideo(receiver.codec());
    for (const auto& [id, uri] : *extensions) {
      if (uri == kUriAudioLevel) s.levelId = id;
    }
    return last_ = &s;
  }
  return nullptr;  // more publications than slots: not measured
}

void ParticipantQuality::onPublishedRtp(const sfu::TrackReceiver& receiver,
                                        const sfu::ExtensionIds& extensions, int layer,
                                        const rtc::RtpPacketView& packet, TimePoint now) noexcept {
  Slot* slot = slotFor(receiver, &extensions);
  if (slot == nullptr) return;
  // Only the layer's media SSRC: RTX has its own sequence space.
  const int l = std::clamp(layer, 0, sfu::TrackReceiver::kMaxLayers - 1);
  if (receiver.ssrcOf(l) == packet.ssrc()) slot->loss[static_cast<std::size_t>(l)].onPacket(packet.sequenceNumber());
  if (!slot->audio || slot->levelId == 0) return;
  const auto data = packet.findExtension(slot->levelId);
  const auto level = data ? rtc::readAudioLevel(*data) : std::nullopt;
  if (!level) {
    ++levelsMissing_;
    return;
  }
  slot->meter.observe(level->levelDbov, level->voiceActivity, packet.timestamp(), now);
}

void ParticipantQuality::forgetReceiver(const sfu::TrackReceiver& receiver) noexcept {
  for (Slot& s : slots_) {
    if (s.receiver == &receiver) s = Slot{};
  }
  last_ = nullptr;
}

sfu::quality::AudioLevelReading ParticipantQuality::audioLevel(TimePoint now) noexcept {
  sfu::quality::AudioLevelReading best;
  for (Slot& s : slots_) {
    if (s.receiver == nullptr || !s.audio) continue;
    const auto r = s.meter.read(now);
    if (r.active && (!best.active || r.level > best.level)) best = r;
  }
  return best;
}

sfu::quality::LossWindow ParticipantQuality::closeLossWindow(const sfu::TrackReceiver& receiver,
                                                             int layer) noexcept {
  Slot* slot = slotFor(receiver, nullptr);
  if (slot == nullptr) return {};
  const auto l = static_cast<std::size_t>(std::clamp(layer, 0, sfu::TrackReceiver::kMaxLayers - 1));
  return slot->loss[l].closeWindow();
}

ParticipantQuality::Bitrates ParticipantQuality::downTrackBitrates(
    const sfu::DownTrack& downTrack, const sfu::TrackReceiver& receiver, int wantedLayer,
    TimePoint now) {
  ByteMark mark;
  mark.sent = downTrack.stats().bytesSent;
  for (int l = 0; l < sfu::TrackReceiver::kMaxLayers; ++l) {
    mark.published[static_cast<std::size_t>(l)] = receiver.receiveStats(l).bytes();
  }
  mark.at = now;
  Bitrates out;
  auto it = marks_.find(downTrack.trackSid());
  if (it != marks_.end() && now > it->second.at) {
    const double seconds = std::chrono::duration<double>(now - it->second.at).count();
    const auto l = static_cast<std::size_t>(std::clamp(wantedLayer, 0, sfu::TrackReceiver::kMaxLayers - 1));
    const auto rate = [seconds](std::uint64_t later, std::uint64_t earlier) {
      return later > earlier ? static_cast<std::uint64_t>((later - earlier) * 8 / seconds) : 0;
    };
    out.actualBps = rate(mark.sent, it->second.sent);
    out.expectedBps = rate(mark.published[l], it->second.published[l]);
  }
  marks_[downTrack.trackSid()] = mark;
  return out;
}

void ParticipantQuality::retainBitrateMarks(const std::vector<std::string>& trackSids) {
  std::erase_if(marks_, [&](const auto& entry) {
    return std::find(trackSids.begin(), trackSids.end(), entry.first) == trackSids.end();
  });
}

}  // namespace huddle::server::media
