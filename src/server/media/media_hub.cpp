#include "server/media/media_hub.h"

#include <algorithm>

#include "common/log.h"
#include "server/data/data_relay.h"

namespace huddle::server::media {

Result<std::unique_ptr<MediaHub>, MediaHubError> MediaHub::create(boost::asio::io_context& io,
                                                                sfu::RoomManager& rooms,
                                                                const MediaHubOptions& options) {
  std::unique_ptr<MediaHub> hub(new MediaHub(io, rooms));
  auto certificate = rtc::DtlsCertificate::generate();
  if (!certificate.ok()) return Error{MediaHubError::Certificate, "DTLS certificate: " + certificate.message()};
  hub->certificate_ = std::move(certificate).value();
  auto mux = rtc::UdpMux::create(io, options.bindAddress, options.udpPort);
  if (!mux.ok()) {
    return Error{MediaHubError::Socket, "UDP port " + options.bindAddress + ":" + std::to_string(options.udpPort) +
                 ": " + mux.message()};
  }
  hub->mux_ = std::move(mux).value();
  hub->advertisedUdpPort_ = options.advertisedUdpPort;
  hub->scheduleLayerTick();
  hub->scheduleQualityTicks();
  return hub;
}

rtc::TransportParameters MediaHub::advertised(rtc::TransportParameters local) const {
  if (advertisedUdpPort_ == 0) return local;
  for (auto& c : local.candidates) {
    if (c.protocol == rtc::IceCandidateProtocol::Udp) c.address.port = advertisedUdpPort_;
  }
  return local;
}

MediaHub::~MediaHub() { closeAll(); }

void MediaHub::closeAll() {
  for (auto& [name, participants] : media_) {
    if (sfu::Room* room = rooms_.find(name)) room->setMediaListener(nullptr);
    // Downtracks first, so no receiver is destroyed while another participant still feeds
    // from it.
    for (auto& [sid, p] : participants) {
      for (const auto& trackSid : p->subscribedTrackSids()) p->unsubscribe(trackSid);
    }
  }
  media_.clear();
}

void MediaHub::shutdown() {
  layerTimerStopped_ = true;
  layerTimer_.cancel();
  speakerTimer_.cancel();
  closeAll();
  mux_.reset();
}

std::size_t MediaHub::participantCount() const {
  std::size_t n = 0;
  for (const auto& [name, participants] : media_) n += participants.size();
  return n;
}

ParticipantMedia& MediaHub::addParticipant(sfu::Room& room, ParticipantMediaSettings settings,
                                           std::shared_ptr<MediaSignal> sink) {
  room.setMediaListener(this);
  settings.roomName = room.info().name;
  Participants& participants = media_[settings.roomName];
  const std::string sid = settings.sid;
  auto media = std::make_unique<ParticipantMedia>(*this, std::move(settings), std::move(sink));
  ParticipantMedia& ref = *media;
  participants[sid] = std::move(media);
  // Subscriptions the join made (existing tracks) become downtracks before the first answer.
  reconcile(room.info().name);
  return ref;
}

ParticipantMedia* MediaHub::find(const std::string& roomName, const std::string& sid) {
  auto room = media_.find(roomName);
  if (room == media_.end()) return nullptr;
  auto it = room->second.find(sid);
  return it == room->second.end() ? nullptr : it->second.get();
}

void MediaHub::handleOffer(const std::string& roomName, const std::string& sid,
                           const std::string& sdp, std::uint32_t id) {
  ParticipantMedia* p = find(roomName, sid);
  sfu::Room* room = rooms_.find(roomName);
  if (p == nullptr || room == nullptr) return;
  const sfu::ParticipantInfo* info = room->findBySid(sid);
  if (info == nullptr) return;
  p->handleOffer(sdp, id, info->tracks);
}

void MediaHub::handleAnswer(const std::string& roomName, const std::string& sid,
                            const std::string& sdp, std::uint32_t id) {
  if (ParticipantMedia* p = find(roomName, sid)) p->handleAnswer(sdp, id);
}

void MediaHub::trackNegotiated(const std::string& roomName, const std::string& sid,
                               const std::string& trackSid, const std::string& mid,
                               const std::string& mimeType) {
  if (sfu::Room* room = rooms_.find(roomName)) {
    room->setTrackMedia(sid, trackSid, mid, mimeType);
  }
  onRoomMediaChanged(roomName);
}

void MediaHub::trackUnpublished(const std::string& roomName, const std::string& sid,
                                const std::string& trackSid) {
  if (sfu::Room* room = rooms_.find(roomName)) room->unpublishTrack(sid, trackSid);
}

void MediaHub::onRoomMediaChanged(const std::string& roomName) {
  if (!reconcilePending_.insert(roomName).second) return;
  boost::asio::post(io_, [this, roomName] {
    reconcilePending_.erase(roomName);
    reconcile(roomName);
  });
}

void MediaHub::reconcile(const std::string& roomName) {
  auto entry = media_.find(roomName);
  if (entry == media_.end()) return;
  Participants& participants = entry->second;
  sfu::Room* room = rooms_.find(roomName);

  // Participants the room no longer has: their downtracks, then everyone's downtracks fed by
  // their receivers, then their transports.
  std::vector<std::string> gone;
  for (auto& [sid, p] : participants) {
    const sfu::ParticipantInfo* info = room != nullptr ? room->findBySid(sid) : nullptr;
    if (info == nullptr || info->state == sfu::ParticipantState::Disconnected) gone.push_back(sid);
  }
  for (const auto& sid : gone) {
    ParticipantMedia& leaving = *participants[sid];
    for (const auto& trackSid : leaving.subscribedTrackSids()) leaving.unsubscribe(trackSid);
    for (auto& [otherSid, other] : participants) {
      if (other.get() == &leaving) continue;
      for (const auto& trackSid : other->subscribedTrackSids()) {
        if (leaving.receiver(trackSid) != nullptr) other->unsubscribe(trackSid);
      }
    }
    participants.erase(sid);
    HUDDLE_LOG_DEBUG(media, "participant={} media closed", sid);
  }
  if (room == nullptr) {
    media_.erase(entry);
    return;
  }

  // Publications the room dropped (unpublished): subscribers let go first.
  for (auto& [sid, p] : participants) {
    const sfu::ParticipantInfo* info = room->findBySid(sid);
    for (auto& [otherSid, other] : participants) {
      if (other == p) continue;
      for (const auto& trackSid : other->subscribedTrackSids()) {
        if (p->receiver(trackSid) == nullptr) continue;
        const bool listed = std::any_of(info->tracks.begin(), info->tracks.end(),
                                        [&](const sfu::TrackInfo& t) { return t.sid == trackSid; });
        if (!listed) other->unsubscribe(trackSid);
      }
    }
    p->retainPublications(info->tracks);
  }

  // Subscriptions: the room's wish list, limited to tracks whose receiver exists.
  for (auto& [sid, p] : participants) {
    std::vector<std::string> wanted = room->subscriptionsOf(sid);
    for (const auto& trackSid : p->subscribedTrackSids()) {
      if (std::find(wanted.begin(), wanted.end(), trackSid) == wanted.end()) p->unsubscribe(trackSid);
    }
    for (const auto& trackSid : wanted) {
      for (auto& [publisherSid, publisher] : participants) {
        if (publisher == p) continue;
        sfu::TrackReceiver* receiver = publisher->receiver(trackSid);
        if (receiver == nullptr) continue;
        p->subscribe(publisherSid, trackSid, *receiver, *publisher->publishedExtensions(trackSid));
      }
    }
  }
  for (auto& [sid, p] : participants) p->negotiateIfNeeded();
}

void MediaHub::relayData(const ParticipantMedia& from, bool reliable,
                         std::span<const std::uint8_t> bytes) {
  sfu::Room* room = rooms_.find(from.settings().roomName);
  if (room == nullptr) return;
  const sfu::ParticipantInfo* sender = room->findBySid(from.settings().sid);
  if (sender == nullptr) return;
  DataSender who{sender->sid, sender->identity, sender->permission.canPublishData};
  auto relayed = relayFromParticipant(bytes, reliable, who);
  if (!relayed.ok()) {
    if (relayed.code() == DataRejection::NotAllowed) {
      ++counters_.dataNotAllowed;
    } else {
      ++counters_.dataMalformed;
    }
    HUDDLE_LOG_DEBUG(media, "data from participant={} dropped: {}", sender->sid,
                     dataRejectionName(relayed.code()));
    return;
  }
  const auto& to = relayed->destinationIdentities;
  const auto& toSids = relayed->destinationSids;
  const bool everyone = to.empty() && toSids.empty();
  auto& participants = media_[from.settings().roomName];
  for (auto& [sid, p] : participants) {
    if (p.get() == &from) continue;
    if (!everyone && std::find(to.begin(), to.end(), p->settings().identity) == to.end() &&
        std::find(toSids.begin(), toSids.end(), sid) == toSids.end()) {
      continue;
    }
    p->sendData(relayed->reliable,
                std::span(reinterpret_cast<const std::uint8_t*>(relayed->bytes.data()),
                          relayed->bytes.size()));
    ++counters_.dataRelayed;
  }
}

void MediaHub::deliverData(const std::string& roomName, const std::string& sid, bool reliable,
                           std::span<const std::uint8_t> bytes) {
  if (ParticipantMedia* p = find(roomName, sid)) p->sendData(reliable, bytes);
}

}  // namespace huddle::server::media
