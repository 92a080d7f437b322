// MediaHub's speakers and connection quality: every 400 ms each room's speaker list (sent as
// SpeakersChanged to every participant when it changed), every 5 s each participant's
// connection quality (ConnectionQualityUpdate: its own and that of each participant it
// receives from, as LiveKit sends it). Runs on the worker's timers, so messages go out from
// the worker thread like every other signal message.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "common/log.h"
#include "server/media/media_hub.h"

namespace huddle::server::media {

namespace {

// LiveKit's update interval for speakers; clients animate "speaking" indicators from it.
constexpr std::chrono::milliseconds kSpeakerTick{400};
// LiveKit's connection quality interval.
constexpr std::chrono::seconds kQualityTick{5};
// A receiver report older than this says nothing about the last interval.
constexpr std::chrono::seconds kReportFreshness{10};

using sfu::quality::StreamWindow;

}  // namespace

void MediaHub::scheduleQualityTicks() {
  if (layerTimerStopped_) return;
  speakerTimer_.expires_after(kSpeakerTick);
  speakerTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the hub is shutting down
    speakerTick();
    scheduleQualityTicks();
  });
}

void MediaHub::speakerTick() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<sfu::quality::SpeakerReading> readings;
  for (auto& [roomName, participants] : media_) {
    readings.clear();
    for (auto& [sid, p] : participants) {
      const auto r = p->quality().audioLevel(now);
      readings.push_back({sid, r.level, r.active});
      counters_.audioLevelMissing += p->quality().takeLevelsMissing();
    }
    auto report = speakers_[roomName].update(readings);
    if (!report.changed) continue;
    HUDDLE_LOG_DEBUG(media, "room={} speakers: {} active, first={}", roomName,
                     speakers_[roomName].active().size(),
                     report.speakers.empty() ? std::string("-") : report.speakers.front().participantSid);
    for (auto& [sid, p] : participants) {
      if (MediaSignal* signal = p->signal()) {
        signal->sendSpeakersChanged(report.speakers);
        ++counters_.speakerUpdates;
      }
    }
  }
  std::erase_if(speakers_, [this](const auto& entry) { return !media_.contains(entry.first); });

  // Connection quality rides on the same timer.
  if (now - lastQualityTick_ >= kQualityTick) {
    lastQualityTick_ = now;
    qualityTick();
  }
}

void MediaHub::qualityTick() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [roomName, participants] : media_) {
    sfu::Room* room = rooms_.find(roomName);
    if (room == nullptr) continue;
    std::unordered_map<std::string, sfu::quality::ParticipantQualityEntry> scores;
    for (auto& [sid, p] : participants) {
      const sfu::ParticipantInfo* info = room->findBySid(sid);
      if (info == nullptr) continue;
      std::vector<StreamWindow> streams;
      // What it receives: its receiver reports about our downtracks. The freshest RTT also
      // stands for its upstream path (we have no RTT measure of what it sends us).
      std::optional<double> rtt;
      std::vector<std::string> videoSids;
      p->forEachDownTrack([&](const std::string& publisherSid, const sfu::DownTrack& d) {
        const auto& report = d.remoteReport();
        if (!report || now - report->at > kReportFreshness) return;
        StreamWindow w;
        w.lossFraction = report->fractionLost;
        w.jitterSeconds = report->jitterSeconds;
        w.rttSeconds = report->rttSeconds;
        if (report->rttSeconds) rtt = std::min(rtt.value_or(*report->rttSeconds), *report->rttSeconds);
        // Video: what it was sent against what the layer it asked for arrived at.
        ParticipantMedia* publisher = find(roomName, publisherSid);
        sfu::TrackReceiver* receiver = publisher != nullptr ? publisher->receiver(d.trackSid()) : nullptr;
        if (receiver != nullptr && sfu::isVideo(receiver->codec())) {
          videoSids.push_back(d.trackSid());
          const int wanted = std::min(p->wantedLayer(d.trackSid()), receiver->highestLayer());
          const auto rates = p->quality().downTrackBitrates(d, *receiver, std::max(0, wanted), now);
          if (wanted >= 0) {
            w.expectedBps = rates.expectedBps;
            w.actualBps = rates.actualBps;
          }
        }
        streams.push_back(w);
      });
      p->quality().retainBitrateMarks(videoSids);
      // What it publishes: first-arrival loss and jitter per layer, summed per track.
      p->forEachPublication([&](const std::string& trackSid, sfu::TrackReceiver& receiver) {
        const auto track = std::find_if(info->tracks.begin(), info->tracks.end(),
                                        [&](const sfu::TrackInfo& t) { return t.sid == trackSid; });
        if (track == info->tracks.end()) return;
        StreamWindow w;
        w.mustDeliver = !track->muted;
        w.rttSeconds = rtt;
        for (int layer = 0; layer < sfu::TrackReceiver::kMaxLayers; ++layer) {
          const auto loss = p->quality().closeLossWindow(receiver, layer);
          w.packetsExpected += loss.expected;
          w.packetsLost += loss.lost;
          if (loss.received > 0) {
            w.jitterSeconds = std::max(w.jitterSeconds, receiver.receiveStats(layer).jitterSeconds());
          }
        }
        streams.push_back(w);
      });
      const auto score = p->quality().scorer().update(streams);
      scores[sid] = {sid, score.quality, static_cast<float>(score.mos)};
      HUDDLE_LOG_DEBUG(media, "participant={} quality {} (R {:.1f}, MOS {:.2f}, {} streams)", sid,
                       sfu::quality::connectionQualityName(score.quality), score.r, score.mos,
                       streams.size());
    }
    // Each participant: itself first, then those it receives from.
    for (auto& [sid, p] : participants) {
      MediaSignal* signal = p->signal();
      auto self = scores.find(sid);
      if (signal == nullptr || self == scores.end()) continue;
      std::vector<sfu::quality::ParticipantQualityEntry> entries{self->second};
      p->forEachDownTrack([&](const std::string& publisherSid, const sfu::DownTrack&) {
        const bool listed = std::any_of(entries.begin(), entries.end(), [&](const auto& e) {
          return e.participantSid == publisherSid;
        });
        auto it = scores.find(publisherSid);
        if (!listed && it != scores.end()) entries.push_back(it->second);
      });
      signal->sendConnectionQuality(entries);
      ++counters_.qualityUpdates;
    }
  }
}

}  // namespace huddle::server::media
