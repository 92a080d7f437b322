// MediaHub's simulcast side: UpdateTrackSettings, the periodic layer pass (mute, layer
// SSRCs, per-subscription layer choice) and dynacast.
#include <algorithm>
#include <cctype>

#include "common/log.h"
#include "server/media/media_hub.h"

namespace huddle::server::media {

namespace {

// Often enough that a paused layer is replaced within a frame or two of the arrival window
// running out, and a mute takes effect before the next keyframe interval.
constexpr std::chrono::milliseconds kLayerTick{100};
// Layers are turned on at once but off only after the wish has stayed lower this long, so a
// subscriber that flips between sizes does not make the publisher restart encoders (LiveKit
// also delays pausing).
constexpr std::chrono::seconds kDynacastPauseDelay{3};

std::vector<sfu::LayerSize> layerSizes(const sfu::TrackInfo& track) {
  std::vector<sfu::LayerSize> out;
  out.reserve(track.layers.size());
  for (const auto& l : track.layers) out.push_back({l.quality, l.width, l.height});
  return out;
}

std::string codecName(const std::string& mimeType) {
  std::string out = mimeType.substr(mimeType.find('/') + 1);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void MediaHub::updateTrackSettings(const std::string& roomName, const std::string& sid,
                                   const std::vector<std::string>& trackSids,
                                   const TrackSettingsRequest& request) {
  ParticipantMedia* subscriber = find(roomName, sid);
  sfu::Room* room = rooms_.find(roomName);
  if (subscriber == nullptr || room == nullptr) return;
  for (const std::string& trackSid : trackSids) {
    std::vector<sfu::LayerSize> sizes;
    for (const auto& p : room->participants()) {
      for (const auto& t : p.tracks) {
        if (t.sid == trackSid) sizes = layerSizes(t);
      }
    }
    const sfu::LayerPreference preference = preferenceFor(request, sizes);
    HUDDLE_LOG_DEBUG(media, "participant={} track={} settings: disabled={} layer={}", sid,
                     trackSid, preference.disabled, preference.maxLayer);
    subscriber->setLayerPreference(trackSid, preference);
  }
  // Dynacast may need to turn a layer on now rather than at the next tick.
  layerTickRoom(*room, media_[roomName], std::chrono::steady_clock::now());
}

void MediaHub::scheduleLayerTick() {
  if (layerTimerStopped_) return;
  layerTimer_.expires_after(kLayerTick);
  layerTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the hub is shutting down
    layerTick();
    scheduleLayerTick();
  });
}

void MediaHub::layerTick() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [_, d] : dynacast_) d.seen = false;
  for (auto& [roomName, participants] : media_) {
    if (sfu::Room* room = rooms_.find(roomName)) layerTickRoom(*room, participants, now);
  }
  std::erase_if(dynacast_, [](const auto& entry) { return !entry.second.seen; });
}

void MediaHub::layerTickRoom(sfu::Room& room, Participants& participants,
                             std::chrono::steady_clock::time_point now) {
  for (auto& [publisherSid, publisher] : participants) {
    const sfu::ParticipantInfo* info = room.findBySid(publisherSid);
    if (info == nullptr) continue;
    // A copy: telling the room about layer SSRCs broadcasts, which must not move what we read.
    const std::vector<sfu::TrackInfo> tracks = info->tracks;
    for (const sfu::TrackInfo& track : tracks) {
      sfu::TrackReceiver* receiver = publisher->receiver(track.sid);
      if (receiver == nullptr) continue;
      int wanted = -1;
      for (auto& [subscriberSid, subscriber] : participants) {
        if (subscriber == publisher) continue;
        subscriber->setPublisherMuted(track.sid, track.muted);
        wanted = std::max(wanted, subscriber->wantedLayer(track.sid));
      }
      if (track.type != sfu::TrackType::Video) continue;
      for (int layer = 0; layer < sfu::kLayerCount; ++layer) {
        if (auto ssrc = receiver->ssrcOf(layer)) {
          room.setTrackLayerSsrc(publisherSid, track.sid, static_cast<std::uint8_t>(layer), *ssrc);
        }
      }
      if (track.layers.size() < 2) continue;  // not simulcast: nothing to pause
      Dynacast& d = dynacast_[track.sid];
      d.seen = true;
      if (wanted != d.pending) {
        d.pending = wanted;
        d.pendingSince = now;
      }
      const bool up = d.pending > d.committed;
      const bool downDue = d.pending < d.committed && now - d.pendingSince >= kDynacastPauseDelay;
      if (!up && !downDue) continue;
      d.committed = d.pending;
      d.sent = true;
      HUDDLE_LOG_DEBUG(media, "dynacast track={} of participant={}: up to layer {}", track.sid,
                       publisherSid, d.committed);
      if (MediaSignal* signal = publisher->signal()) {
        signal->sendSubscribedQuality(track.sid, d.committed, codecName(track.mimeType));
      }
    }
  }
  for (auto& [sid, p] : participants) p->refreshLayers(now);
}

}  // namespace huddle::server::media
