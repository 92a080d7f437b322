#include "client/room_model.h"

#include <algorithm>
#include <utility>

#include "client/proto_convert.h"

namespace huddle::client {

void RoomModel::reset() { *this = RoomModel{}; }

void RoomModel::applyJoin(const livekit::JoinResponse& join) {
  reset();
  roomSid_ = join.room().sid();
  roomName_ = join.room().name();
  roomMetadata_ = join.room().metadata();
  local_ = toParticipantInfo(join.participant(), true);
  localVersion_ = join.participant().version();
  EventList ignored;
  for (const auto& other : join.other_participants()) {
    if (other.state() == livekit::ParticipantInfo::DISCONNECTED) continue;
    applyRemote(other, ignored);
  }
}

void RoomModel::applyParticipantUpdate(const livekit::ParticipantUpdate& update, EventList& out) {
  for (const auto& p : update.participants()) {
    if (!local_.sid.empty() && p.sid() == local_.sid) {
      applyLocal(p, out);
    } else if (!p.identity().empty() && p.identity() == local_.identity) {
      // An older session of ours (e.g. before a rejoin) leaving: not a remote participant.
      continue;
    } else {
      applyRemote(p, out);
    }
  }
}

void RoomModel::applyLocal(const livekit::ParticipantInfo& info, EventList& out) {
  if (info.state() == livekit::ParticipantInfo::DISCONNECTED) return;  // the leave says why
  if (info.version() != 0 && info.version() < localVersion_) {
    ++stats_.staleUpdates;
    return;
  }
  localVersion_ = info.version();
  ParticipantInfo after = toParticipantInfo(info, true);
  diff(local_, after, out);
  local_ = std::move(after);
}

void RoomModel::applyRemote(const livekit::ParticipantInfo& info, EventList& out) {
  auto it = remotes_.find(info.sid());
  if (info.state() == livekit::ParticipantInfo::DISCONNECTED) {
    // A late DISCONNECTED for a sid that an identity has already replaced finds nothing here.
    if (it != remotes_.end()) removeRemote(info.sid(), toDisconnectReason(info.disconnect_reason()), out);
    return;
  }
  if (it != remotes_.end()) {
    if (info.version() != 0 && info.version() < it->second.version) {
      ++stats_.staleUpdates;
      return;
    }
    RemoteParticipant after = toParticipantInfo(info, false);
    diff(it->second.info, after, out);
    it->second.info = std::move(after);
    it->second.version = info.version();
    return;
  }
  if (info.sid().empty() || info.identity().empty()) return;
  if (auto same = sidByIdentity_.find(info.identity()); same != sidByIdentity_.end()) {
    // The identity rejoined under a new sid before its old session's DISCONNECTED arrived: the
    // old one is gone (the server removes it as a duplicate identity).
    ++stats_.replacedIdentities;
    removeRemote(same->second, DisconnectReason::DuplicateIdentity, out);
  }
  Remote remote{toParticipantInfo(info, false), info.version()};
  sidByIdentity_[remote.info.identity] = remote.info.sid;
  auto [inserted, _] = remotes_.emplace(info.sid(), std::move(remote));
  RemoteParticipant snapshot = inserted->second.info;
  out.emplace_back([snapshot](RoomDelegate& d) { d.onParticipantConnected(snapshot); });
  for (const auto& publication : snapshot.publications) {
    out.emplace_back([snapshot, publication](RoomDelegate& d) { d.onTrackPublished(snapshot, publication); });
  }
}

void RoomModel::removeRemote(const std::string& sid, DisconnectReason reason, EventList& out) {
  auto it = remotes_.find(sid);
  if (it == remotes_.end()) return;
  RemoteParticipant gone = std::move(it->second.info);
  remotes_.erase(it);
  if (auto id = sidByIdentity_.find(gone.identity); id != sidByIdentity_.end() && id->second == sid) {
    sidByIdentity_.erase(id);
  }
  if (speakerLevels_.erase(sid) > 0) {
    out.emplace_back([speakers = activeSpeakers()](RoomDelegate& d) { d.onActiveSpeakersChanged(speakers); });
  }
  for (const auto& publication : gone.publications) {
    out.emplace_back([gone, publication](RoomDelegate& d) { d.onTrackUnpublished(gone, publication); });
  }
  out.emplace_back([gone, reason](RoomDelegate& d) { d.onParticipantDisconnected(gone, reason); });
}

void RoomModel::diff(const ParticipantInfo& before, const ParticipantInfo& after, EventList& out) {
  if (before.name != after.name) {
    out.emplace_back([after, old = before.name](RoomDelegate& d) { d.onParticipantNameChanged(after, old); });
  }
  if (before.metadata != after.metadata) {
    out.emplace_back(
        [after, old = before.metadata](RoomDelegate& d) { d.onParticipantMetadataChanged(after, old); });
  }
  std::map<std::string, std::string> changed;
  for (const auto& [key, value] : after.attributes) {
    auto old = before.attributes.find(key);
    if (old == before.attributes.end() || old->second != value) changed[key] = value;
  }
  for (const auto& [key, value] : before.attributes) {
    if (!after.attributes.contains(key)) changed[key] = "";
  }
  if (!changed.empty()) {
    out.emplace_back([after, changed = std::move(changed)](RoomDelegate& d) {
      d.onParticipantAttributesChanged(after, changed);
    });
  }
  // Publications: the update always carries the full list, so a missing track is unpublished.
  auto findIn = [](const std::vector<TrackPublication>& list, const std::string& sid) -> const TrackPublication* {
    for (const auto& p : list) {
      if (p.sid == sid) return &p;
    }
    return nullptr;
  };
  for (const auto& old : before.publications) {
    if (findIn(after.publications, old.sid) == nullptr && !after.isLocal) {
      out.emplace_back([after, old](RoomDelegate& d) { d.onTrackUnpublished(after, old); });
    }
  }
  for (const auto& now : after.publications) {
    const TrackPublication* old = findIn(before.publications, now.sid);
    if (old == nullptr) {
      if (!after.isLocal) out.emplace_back([after, now](RoomDelegate& d) { d.onTrackPublished(after, now); });
    } else if (old->muted != now.muted) {
      if (now.muted) {
        out.emplace_back([after, now](RoomDelegate& d) { d.onTrackMuted(after, now); });
      } else {
        out.emplace_back([after, now](RoomDelegate& d) { d.onTrackUnmuted(after, now); });
      }
    }
  }
}

void RoomModel::applySpeakersChanged(const livekit::SpeakersChanged& changed, EventList& out) {
  for (const auto& speaker : changed.speakers()) {
    if (findAny(speaker.sid()) == nullptr) {
      ++stats_.unknownSpeakers;
      continue;
    }
    if (speaker.active()) {
      speakerLevels_[speaker.sid()] = speaker.level();
    } else {
      speakerLevels_.erase(speaker.sid());
    }
  }
  out.emplace_back([speakers = activeSpeakers()](RoomDelegate& d) { d.onActiveSpeakersChanged(speakers); });
}

void RoomModel::applyConnectionQuality(const livekit::ConnectionQualityUpdate& update, EventList& out) {
  for (const auto& q : update.updates()) {
    const ParticipantInfo* who = findAny(q.participant_sid());
    if (who == nullptr) {
      ++stats_.unknownSpeakers;
      continue;
    }
    if (who->isLocal) localQuality_ = std::make_pair(toConnectionQuality(q.quality()), q.score());
    out.emplace_back([who = *who, quality = toConnectionQuality(q.quality()), score = q.score()](RoomDelegate& d) {
      d.onConnectionQualityChanged(who, quality, score);
    });
  }
}

void RoomModel::applyRoomUpdate(const livekit::Room& room, EventList& out) {
  if (!room.sid().empty()) roomSid_ = room.sid();
  if (!room.name().empty()) roomName_ = room.name();
  if (room.metadata() != roomMetadata_) {
    std::string old = std::exchange(roomMetadata_, room.metadata());
    out.emplace_back([old = std::move(old), now = roomMetadata_](RoomDelegate& d) {
      d.onRoomMetadataChanged(old, now);
    });
  }
}

std::vector<RemoteParticipant> RoomModel::remotes() const {
  std::vector<RemoteParticipant> out;
  out.reserve(remotes_.size());
  for (const auto& [sid, remote] : remotes_) out.push_back(remote.info);
  return out;
}

const RemoteParticipant* RoomModel::findRemoteBySid(const std::string& sid) const {
  auto it = remotes_.find(sid);
  return it == remotes_.end() ? nullptr : &it->second.info;
}

const RemoteParticipant* RoomModel::findRemoteByIdentity(const std::string& identity) const {
  auto it = sidByIdentity_.find(identity);
  return it == sidByIdentity_.end() ? nullptr : findRemoteBySid(it->second);
}

const ParticipantInfo* RoomModel::findAny(const std::string& sid) const {
  if (!sid.empty() && sid == local_.sid) return &local_;
  return findRemoteBySid(sid);
}

std::vector<ActiveSpeaker> RoomModel::activeSpeakers() const {
  std::vector<ActiveSpeaker> out;
  out.reserve(speakerLevels_.size());
  for (const auto& [sid, level] : speakerLevels_) {
    const ParticipantInfo* who = findAny(sid);
    if (who == nullptr) continue;
    out.push_back(ActiveSpeaker{sid, who->identity, level, who->isLocal});
  }
  // Loudest first; the sid breaks ties so the order is stable.
  std::sort(out.begin(), out.end(), [](const ActiveSpeaker& a, const ActiveSpeaker& b) {
    return a.level != b.level ? a.level > b.level : a.sid < b.sid;
  });
  return out;
}

}  // namespace huddle::client
