#include "sfu/room/room.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/random.h"

namespace huddle::sfu {

struct Room::Member {
  ParticipantInfo info;
  std::shared_ptr<ParticipantSink> sink;
  bool autoSubscribe = true;
  std::set<std::string> subscriptions;  // wanted; subscriptionsOf filters by permission
  SubscriptionPermissions permissions;    // as a publisher
  // Set while the signal connection is gone and a resume may still come.
  std::optional<std::chrono::steady_clock::time_point> resumeDeadline;
};

namespace {

char typeLetter(TrackType type) { return type == TrackType::Video ? 'V' : 'A'; }

char sourceLetter(TrackSource source) {
  switch (source) {
    case TrackSource::Camera:
      return 'C';
    case TrackSource::Microphone:
      return 'M';
    case TrackSource::ScreenShare:
      return 'S';
    case TrackSource::ScreenShareAudio:
      return 's';
    case TrackSource::Unknown:
      break;
  }
  return 'U';
}

bool visible(const ParticipantInfo& info) { return !info.permission.hidden; }

}  // namespace

bool ParticipantPermission::allowsSource(TrackSource source) const {
  return canPublishSources.empty() ||
         std::find(canPublishSources.begin(), canPublishSources.end(), source) !=
             canPublishSources.end();
}

TrackSource trackSourceFromName(std::string_view name) {
  if (name == "camera") return TrackSource::Camera;
  if (name == "microphone") return TrackSource::Microphone;
  if (name == "screen_share") return TrackSource::ScreenShare;
  if (name == "screen_share_audio") return TrackSource::ScreenShareAudio;
  return TrackSource::Unknown;
}

std::string_view toString(RoomError error) noexcept {
  switch (error) {
    case RoomError::RoomNotFound:
      return "requested room does not exist";
    case RoomError::ParticipantNotFound:
      return "participant does not exist";
    case RoomError::TrackNotFound:
      return "track does not exist";
    case RoomError::RoomFull:
      return "room is full";
    case RoomError::NotAllowed:
      return "not allowed";
    case RoomError::InvalidArgument:
      return "invalid argument";
    case RoomError::RoomClosed:
      return "room is closed";
  }
  return "unknown room error";
}

Room::Room(const Clock& clock, RoomInfo info, RoomEventListener& events)
    : clock_(clock), events_(events), info_(std::move(info)), createdAt_(clock.steadyNow()) {
  if (info_.sid.empty()) info_.sid = randomId("RM_");
  if (info_.creationTimeMs == 0) info_.creationTimeMs = clock_.unixMillis();
  events_.onRoomStarted(info_);
}

Room::~Room() = default;

std::vector<ParticipantInfo> Room::participants() const {
  std::vector<ParticipantInfo> out;
  out.reserve(members_.size());
  for (const auto& m : members_) out.push_back(m->info);
  return out;
}

Room::Member* Room::memberBySid(std::string_view sid) {
  for (auto& m : members_) {
    if (m->info.sid == sid) return m.get();
  }
  return nullptr;
}

const Room::Member* Room::memberBySid(std::string_view sid) const {
  for (const auto& m : members_) {
    if (m->info.sid == sid) return m.get();
  }
  return nullptr;
}

Room::Member* Room::memberByIdentity(std::string_view identity) {
  for (auto& m : members_) {
    if (m->info.identity == identity) return m.get();
  }
  return nullptr;
}

const ParticipantInfo* Room::findByIdentity(std::string_view identity) const {
  for (const auto& m : members_) {
    if (m->info.identity == identity) return &m->info;
  }
  return nullptr;
}

const ParticipantInfo* Room::findBySid(std::string_view sid) const {
  const Member* m = memberBySid(sid);
  return m != nullptr ? &m->info : nullptr;
}

void Room::refreshCounts() {
  std::uint32_t participants = 0;
  std::uint32_t publishers = 0;
  for (const auto& m : members_) {
    if (!visible(m->info)) continue;
    ++participants;
    if (m->info.isPublisher) ++publishers;
  }
  info_.numParticipants = participants;
  info_.numPublishers = publishers;
}

void Room::broadcast(const std::vector<ParticipantInfo>& update, const Member* except) {
  for (const auto& m : members_) {
    if (m.get() == except || m->info.state == ParticipantState::Joining) continue;
    m->sink->onParticipantsChanged(update);
  }
}

void Room::changed(Member& member) {
  ++member.info.version;
  refreshCounts();
  if (visible(member.info)) broadcast({member.info}, &member);
  mediaChanged();
}

Result<ParticipantInfo, RoomError> Room::join(JoinOptions options) {
  if (closed_) return Error{RoomError::RoomClosed, std::string(toString(RoomError::RoomClosed))};
  if (options.identity.empty() || !options.sink) {
    return Error{RoomError::InvalidArgument, std::string("a participant needs an identity")};
  }
  if (Member* previous = memberByIdentity(options.identity)) {
    remove(*previous, DisconnectReason::DuplicateIdentity, LeaveAction::Disconnect);
  }
  if (info_.maxParticipants != 0 && members_.size() >= info_.maxParticipants) {
    ++stats_.refusedRequests;
    return Error{RoomError::RoomFull, std::string(toString(RoomError::RoomFull))};
  }
  auto member = std::make_unique<Member>();
  ParticipantInfo& p = member->info;
  p.sid = randomId("PA_");
  p.identity = std::move(options.identity);
  p.name = std::move(options.name);
  p.metadata = std::move(options.metadata);
  p.attributes = std::move(options.attributes);
  p.permission = std::move(options.permission);
  p.kind = options.kind;
  p.clientProtocol = options.clientProtocol;
  p.joinedAtMs = clock_.unixMillis();
  p.state = ParticipantState::Joining;
  p.version = 1;
  member->sink = std::move(options.sink);
  member->autoSubscribe = options.autoSubscribe;

  std::vector<ParticipantInfo> others;
  for (const auto& m : members_) {
    if (visible(m->info)) others.push_back(m->info);
  }
  Member& joined = *members_.emplace_back(std::move(member));
  everJoined_ = true;
  lastLeftAt_.reset();
  ++stats_.joins;
  refreshCounts();
  joined.sink->onJoined(info_, joined.info, others);
  joined.info.state = ParticipantState::Joined;
  changed(joined);
  autoSubscribe(joined);
  return joined.info;
}

void Room::setActive(std::string_view sid) {
  Member* m = memberBySid(sid);
  if (m == nullptr || m->info.state == ParticipantState::Active) return;
  m->info.state = ParticipantState::Active;
  changed(*m);
  events_.onParticipantJoined(info_, m->info);
}

void Room::leave(std::string_view sid, DisconnectReason reason, bool notifyClient) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  remove(*m, reason, notifyClient ? std::optional(LeaveAction::Disconnect) : std::nullopt);
}

void Room::remove(Member& member, DisconnectReason reason, std::optional<LeaveAction> notify) {
  // Detach first, so that nothing said below reaches the leaving participant's sink twice.
  auto it = std::find_if(members_.begin(), members_.end(),
                         [&](const auto& m) { return m.get() == &member; });
  std::unique_ptr<Member> gone = std::move(*it);
  members_.erase(it);
  ++stats_.leaves;
  if (notify) gone->sink->onRemoved(reason, *notify);

  const bool wasActive = gone->info.state == ParticipantState::Active;
  for (const TrackInfo& track : gone->info.tracks) {
    for (auto& m : members_) m->subscriptions.erase(track.sid);
    events_.onTrackUnpublished(info_, gone->info, track);
  }
  gone->info.state = ParticipantState::Disconnected;
  gone->info.disconnectReason = reason;
  ++gone->info.version;
  refreshCounts();
  if (visible(gone->info)) broadcast({gone->info}, nullptr);
  if (wasActive) events_.onParticipantLeft(info_, gone->info);
  if (members_.empty()) lastLeftAt_ = clock_.steadyNow();
  mediaChanged();
}

void Room::detachSignal(std::string_view sid, std::chrono::seconds grace,
                        const ParticipantSink* sink) {
  Member* m = memberBySid(sid);
  if (m != nullptr && m->sink.get() == sink) m->resumeDeadline = clock_.steadyNow() + grace;
}

Result<ParticipantInfo, RoomError> Room::resume(std::string_view sid, std::string_view identity,
                                                std::shared_ptr<ParticipantSink> sink) {
  Member* m = memberBySid(sid);
  if (m == nullptr || m->info.identity != identity || !sink) {
    return Error{RoomError::ParticipantNotFound,
                 std::string(toString(RoomError::ParticipantNotFound))};
  }
  m->resumeDeadline.reset();
  m->sink = std::move(sink);
  std::vector<ParticipantInfo> others;
  for (const auto& other : members_) {
    if (other.get() != m && visible(other->info)) others.push_back(other->info);
  }
  m->sink->onResumed(info_, m->info, others);
  return m->info;
}

std::size_t Room::tick() {
  std::size_t removed = 0;
  const auto now = clock_.steadyNow();
  for (std::size_t i = 0; i < members_.size();) {
    Member& m = *members_[i];
    if (m.resumeDeadline && now >= *m.resumeDeadline) {
      remove(m, DisconnectReason::SignalClose, std::nullopt);
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

std::string Room::newTrackSid(TrackType type, TrackSource source) {
  std::string prefix = "TR_";
  prefix += typeLetter(type);
  prefix += sourceLetter(source);
  return prefix + randomAlphanumeric(12);
}

void Room::addTrack(std::string_view sid, const AddTrackOptions& options) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  if (!m->info.permission.canPublish || !m->info.permission.allowsSource(options.source)) {
    ++stats_.refusedRequests;
    m->sink->onRequestResponse(0, RequestKind::AddTrack, RequestOutcome::NotAllowed,
                               "not allowed to publish this source");
    return;
  }
  if (options.type != TrackType::Audio && options.type != TrackType::Video) {
    ++stats_.refusedRequests;
    m->sink->onRequestResponse(0, RequestKind::AddTrack, RequestOutcome::UnsupportedType,
                               "only audio and video tracks can be published");
    return;
  }
  for (const TrackInfo& existing : m->info.tracks) {
    if (!options.cid.empty() && !existing.codecs.empty() &&
        existing.codecs.front().cid == options.cid) {
      m->sink->onTrackPublished(options.cid, existing);
      return;
    }
  }
  TrackInfo track;
  track.sid = newTrackSid(options.type, options.source);
  track.type = options.type;
  track.name = options.name;
  track.muted = options.muted;
  track.width = options.width;
  track.height = options.height;
  track.source = options.source;
  track.layers = options.layers;
  track.simulcast = options.layers.size() > 1;
  track.disableDtx = options.disableDtx;
  track.disableRed = options.disableRed;
  track.stereo = options.stereo;
  track.encryption = options.encryption;
  track.audioFeatures = options.audioFeatures;
  track.codecs = options.codecs;
  if (track.codecs.empty()) track.codecs.push_back(TrackCodec{});
  if (track.codecs.front().cid.empty()) track.codecs.front().cid = options.cid;
  if (track.codecs.front().mimeType.empty()) {
    track.codecs.front().mimeType = options.type == TrackType::Audio ? "audio/opus" : "video/VP8";
  }
  track.mimeType = track.codecs.front().mimeType;
  track.stream = !options.stream.empty() ? options.stream
                 : (options.source == TrackSource::ScreenShare ||
                    options.source == TrackSource::ScreenShareAudio)
                     ? "screen"
                     : "camera";
  m->sink->onTrackPublished(options.cid, track);
  m->info.tracks.push_back(track);
  m->info.isPublisher = true;
  changed(*m);
  events_.onTrackPublished(info_, m->info, track);
  subscribeToNewTrack(*m, track);
}

void Room::unpublishTrack(std::string_view sid, std::string_view trackSid) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  auto& tracks = m->info.tracks;
  auto it = std::find_if(tracks.begin(), tracks.end(),
                         [&](const TrackInfo& t) { return t.sid == trackSid; });
  if (it == tracks.end()) return;
  TrackInfo track = std::move(*it);
  tracks.erase(it);
  for (auto& other : members_) other->subscriptions.erase(track.sid);
  m->info.isPublisher = !tracks.empty();
  m->sink->onTrackUnpublished(track.sid);
  changed(*m);
  events_.onTrackUnpublished(info_, m->info, track);
}

void Room::setTrackMuted(std::string_view sid, std::string_view trackSid, bool muted) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  for (TrackInfo& track : m->info.tracks) {
    if (track.sid == trackSid) {
      if (track.muted == muted) return;
      track.muted = muted;
      changed(*m);
      return;
    }
  }
}

namespace {
void applyMetadata(ParticipantInfo& info, const MetadataUpdate& update) {
  if (update.metadata) info.metadata = *update.metadata;
  if (update.name) info.name = *update.name;
  for (const auto& [key, value] : update.attributes) {
    if (value.empty()) {
      info.attributes.erase(key);
    } else {
      info.attributes[key] = value;
    }
  }
}
}  // namespace

void Room::updateOwnMetadata(std::string_view sid, const MetadataUpdate& update,
                             std::uint32_t requestId) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  if (!m->info.permission.canUpdateMetadata) {
    ++stats_.refusedRequests;
    m->sink->onRequestResponse(requestId, RequestKind::UpdateMetadata, RequestOutcome::NotAllowed,
                               "does not have permission to update own metadata");
    return;
  }
  applyMetadata(m->info, update);
  changed(*m);
  // The updated info also goes to the participant itself, which is how it learns the change.
  m->sink->onParticipantsChanged({m->info});
  if (requestId != 0) {
    m->sink->onRequestResponse(requestId, RequestKind::UpdateMetadata, RequestOutcome::Ok, "");
  }
}

void Room::updateSubscription(std::string_view sid, const std::vector<std::string>& trackSids,
                              bool subscribe) {
  Member* m = memberBySid(sid);
  if (m == nullptr || (subscribe && !m->info.permission.canSubscribe)) return;
  for (const std::string& trackSid : trackSids) {
    if (subscribe) {
      m->subscriptions.insert(trackSid);
      const Member* publisher = publisherOf(trackSid);
      if (publisher != nullptr && !allows(*publisher, *m, trackSid)) {
        m->sink->onSubscriptionPermissionChanged(publisher->info.sid, trackSid, false);
      }
    } else {
      m->subscriptions.erase(trackSid);
    }
  }
  mediaChanged();
}

void Room::setTrackMedia(std::string_view sid, std::string_view trackSid, std::string mid,
                         std::string mimeType) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  for (TrackInfo& track : m->info.tracks) {
    if (track.sid != trackSid) continue;
    if (track.mid == mid && track.mimeType == mimeType) return;
    track.mid = std::move(mid);
    track.mimeType = mimeType;
    if (!track.codecs.empty()) {
      track.codecs.front().mimeType = std::move(mimeType);
      track.codecs.front().mid = track.mid;
    }
    changed(*m);
    return;
  }
}

void Room::setTrackLayerSsrc(std::string_view sid, std::string_view trackSid,
                             std::uint8_t quality, std::uint32_t ssrc) {
  Member* m = memberBySid(sid);
  if (m == nullptr) return;
  for (TrackInfo& track : m->info.tracks) {
    if (track.sid != trackSid) continue;
    bool updated = false;
    for (VideoLayer& layer : track.layers) {
      if (layer.quality == quality && layer.ssrc != ssrc) {
        layer.ssrc = ssrc;
        updated = true;
      }
    }
    if (updated) changed(*m);
    return;
  }
}

void Room::autoSubscribe(Member& subscriber) {
  if (!subscriber.autoSubscribe || !subscriber.info.permission.canSubscribe) return;
  for (const auto& m : members_) {
    if (m.get() == &subscriber) continue;
    for (const TrackInfo& t : m->info.tracks) {
      subscriber.subscriptions.insert(t.sid);
      if (!allows(*m, subscriber, t.sid)) {
        subscriber.sink->onSubscriptionPermissionChanged(m->info.sid, t.sid, false);
      }
    }
  }
}

void Room::subscribeToNewTrack(const Member& publisher, const TrackInfo& track) {
  for (auto& m : members_) {
    if (m.get() == &publisher || !m->autoSubscribe || !m->info.permission.canSubscribe) continue;
    m->subscriptions.insert(track.sid);
    if (!allows(publisher, *m, track.sid)) {
      m->sink->onSubscriptionPermissionChanged(publisher.info.sid, track.sid, false);
    }
  }
}

const Room::Member* Room::publisherOf(std::string_view trackSid) const {
  for (const auto& m : members_) {
    for (const TrackInfo& t : m->info.tracks) {
      if (t.sid == trackSid) return m.get();
    }
  }
  return nullptr;
}

bool Room::allows(const Member& publisher, const Member& subscriber, std::string_view trackSid) {
  const SubscriptionPermissions& p = publisher.permissions;
  if (p.allParticipants) return true;
  for (const TrackPermissionRule& rule : p.rules) {
    const bool names = (!rule.participantSid.empty() && rule.participantSid == subscriber.info.sid) ||
                       (!rule.participantIdentity.empty() &&
                        rule.participantIdentity == subscriber.info.identity);
    if (!names) continue;
    if (rule.allTracks ||
        std::find(rule.trackSids.begin(), rule.trackSids.end(), trackSid) != rule.trackSids.end()) {
      return true;
    }
  }
  return false;
}

bool Room::subscriptionAllowed(std::string_view subscriberSid, std::string_view trackSid) const {
  const Member* subscriber = memberBySid(subscriberSid);
  const Member* publisher = publisherOf(trackSid);
  return subscriber != nullptr && publisher != nullptr && allows(*publisher, *subscriber, trackSid);
}

void Room::setSubscriptionPermissions(std::string_view sid, SubscriptionPermissions permissions) {
  Member* publisher = memberBySid(sid);
  if (publisher == nullptr) return;
  // Who wanted which of its tracks and could have it, before and after.
  std::vector<std::pair<Member*, std::string>> wanted;
  std::vector<bool> before;
  for (auto& m : members_) {
    if (m.get() == publisher) continue;
    for (const TrackInfo& t : publisher->info.tracks) {
      if (m->subscriptions.count(t.sid) == 0) continue;
      wanted.emplace_back(m.get(), t.sid);
      before.push_back(allows(*publisher, *m, t.sid));
    }
  }
  publisher->permissions = std::move(permissions);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const bool now = allows(*publisher, *wanted[i].first, wanted[i].second);
    if (now != before[i]) {
      wanted[i].first->sink->onSubscriptionPermissionChanged(publisher->info.sid, wanted[i].second, now);
    }
  }
  mediaChanged();
}

std::vector<std::string> Room::subscriptionsOf(std::string_view sid) const {
  const Member* m = memberBySid(sid);
  if (m == nullptr) return {};
  std::vector<std::string> out;
  out.reserve(m->subscriptions.size());
  for (const std::string& trackSid : m->subscriptions) {
    const Member* publisher = publisherOf(trackSid);
    if (publisher == nullptr || allows(*publisher, *m, trackSid)) out.push_back(trackSid);
  }
  return out;
}

Result<TrackInfo, RoomError> Room::muteTrackByAdmin(std::string_view identity,
                                                   std::string_view trackSid, bool muted) {
  Member* m = memberByIdentity(identity);
  if (m == nullptr) {
    return Error{RoomError::ParticipantNotFound,
                 std::string(toString(RoomError::ParticipantNotFound))};
  }
  for (TrackInfo& track : m->info.tracks) {
    if (track.sid != trackSid) continue;
    if (track.muted != muted) {
      track.muted = muted;
      m->sink->onTrackMuteRequested(track.sid, muted);
      changed(*m);
    }
    return track;
  }
  return Error{RoomError::TrackNotFound, std::string(toString(RoomError::TrackNotFound))};
}

Result<ParticipantInfo, RoomError> Room::updateParticipantByAdmin(
    std::string_view identity, const MetadataUpdate& update,
    const std::optional<ParticipantPermission>& permission) {
  Member* m = memberByIdentity(identity);
  if (m == nullptr) {
    return Error{RoomError::ParticipantNotFound,
                 std::string(toString(RoomError::ParticipantNotFound))};
  }
  applyMetadata(m->info, update);
  if (permission) m->info.permission = *permission;
  changed(*m);
  m->sink->onParticipantsChanged({m->info});
  return m->info;
}

Result<Ok, RoomError> Room::updateSubscriptionsByAdmin(std::string_view identity,
                                                       const std::vector<std::string>& trackSids,
                                                       bool subscribe) {
  Member* m = memberByIdentity(identity);
  if (m == nullptr) {
    return Error{RoomError::ParticipantNotFound,
                 std::string(toString(RoomError::ParticipantNotFound))};
  }
  updateSubscription(m->info.sid, trackSids, subscribe);
  return Ok{};
}

Result<Ok, RoomError> Room::removeByAdmin(std::string_view identity) {
  Member* m = memberByIdentity(identity);
  if (m == nullptr) {
    return Error{RoomError::ParticipantNotFound,
                 std::string(toString(RoomError::ParticipantNotFound))};
  }
  remove(*m, DisconnectReason::ParticipantRemoved, LeaveAction::Disconnect);
  return Ok{};
}

void Room::setMetadata(std::string metadata) {
  info_.metadata = std::move(metadata);
  for (const auto& m : members_) {
    if (m->info.state != ParticipantState::Joining) m->sink->onRoomChanged(info_);
  }
}

std::size_t Room::sendData(const DataMessage& message) {
  std::size_t delivered = 0;
  for (const auto& m : members_) {
    if (m->info.sid == message.senderSid || m->info.state == ParticipantState::Joining) continue;
    const auto& to = message.destinationIdentities;
    if (!to.empty() && std::find(to.begin(), to.end(), m->info.identity) == to.end()) continue;
    m->sink->onData(message);
    ++delivered;
  }
  return delivered;
}

void Room::close(DisconnectReason reason) {
  if (closed_) return;
  closed_ = true;
  while (!members_.empty()) remove(*members_.back(), reason, LeaveAction::Disconnect);
  events_.onRoomFinished(info_);
}

bool Room::expired() const {
  if (!members_.empty() || closed_) return false;
  const auto now = clock_.steadyNow();
  if (lastLeftAt_) return now - *lastLeftAt_ >= std::chrono::seconds(info_.departureTimeoutSeconds);
  if (!everJoined_) return now - createdAt_ >= std::chrono::seconds(info_.emptyTimeoutSeconds);
  return false;
}

}  // namespace huddle::sfu
