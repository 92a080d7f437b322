#include "server/media/participant_media.h"

#include <algorithm>
#include <array>

#include "common/log.h"
#include "common/random.h"
#include "rtc/rtp/rtcp_feedback.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "server/media/media_hub.h"

namespace huddle::server::media {

namespace {

constexpr std::string_view kReliableLabel = "_reliable";
constexpr std::string_view kLossyLabel = "_lossy";
// The SSRC our own RTCP (PLI) is sent from; receivers only need it to be stable.
constexpr std::uint32_t kServerRtcpSsrc = 1;
// Bounds the SSRC table against a publisher that sprays SSRCs.
constexpr std::size_t kMaxSsrcRoutes = 64;

std::uint64_t randomUint64() {
  std::array<std::uint8_t, 8> bytes{};
  fillRandom(bytes);
  std::uint64_t v = 0;
  for (auto b : bytes) v = (v << 8) | b;
  return v;
}

int layerForRid(std::string_view rid, const std::vector<std::string>& rids) {
  if (rid == "q") return 0;
  if (rid == "h") return 1;
  if (rid == "f") return 2;
  for (std::size_t i = 0; i < rids.size() && i < 3; ++i) {
    if (rids[i] == rid) return static_cast<int>(i);
  }
  return -1;
}

std::uint8_t extensionId(const sfu::ExtensionIds& ids, std::string_view uri) {
  for (const auto& [id, u] : ids) {
    if (u == uri) return id;
  }
  return 0;
}

bool clientSends(const rtc::MediaDescription& m) {
  const auto d = m.effectiveDirection();
  return d == rtc::MediaDirection::SendOnly || d == rtc::MediaDirection::SendRecv;
}

}  // namespace

struct ParticipantMedia::Publication {
  std::string mid;
  std::string trackSid;  // empty until matched to an AddTrack
  AcceptedPublication accepted;
  std::unique_ptr<sfu::TrackReceiver> receiver;
};

struct ParticipantMedia::Subscription {
  std::string publisherSid;
  std::string trackSid;
  rtc::MediaKind kind = rtc::MediaKind::Audio;
  sfu::CodecKind codec = sfu::CodecKind::Other;
  std::uint32_t ssrc = 0;
  std::uint32_t rtxSsrc = 0;  // video: our retransmissions when the subscriber negotiates RTX
  sfu::TrackReceiver* receiver = nullptr;  // borrowed from the publisher's ParticipantMedia
  sfu::ExtensionIds publisherExtensions;
  std::string mid;  // the section it is sent on, once chosen
  std::unique_ptr<sfu::DownTrack> downTrack;
  bool undeliverable = false;  // the client offered no codec for it; never renegotiated for
  SubscriptionLayers layers;
};

ParticipantMedia::ParticipantMedia(MediaHub& hub, ParticipantMediaSettings settings,
                                   std::shared_ptr<MediaSignal> sink)
    : hub_(hub), settings_(std::move(settings)), sink_(std::move(sink)),
      bwe_(hub.counters(), kServerRtcpSsrc),
      loss_(hub.counters(), kServerRtcpSsrc) {
  sessionId_ = randomUint64() >> 2;
}

ParticipantMedia::~ParticipantMedia() {
  for (auto& sub : subscriptions_) {
    if (sub->receiver != nullptr && sub->downTrack) sub->receiver->removeDownTrack(*sub->downTrack);
  }
  if (offered_) offered_->close();
  if (offering_) offering_->close();
}

std::uint32_t ParticipantMedia::newSsrc() {
  std::uint32_t ssrc = 0;
  while (ssrc <= kServerRtcpSsrc) ssrc = static_cast<std::uint32_t>(randomUint64());
  return ssrc;
}

std::unique_ptr<rtc::WebRtcTransport> ParticipantMedia::newTransport() {
  rtc::WebRtcTransport::Options options;
  options.role = rtc::WebRtcTransportRole::Server;
  options.certificate = hub_.certificate();
  options.mux = &hub_.mux();
  auto created = rtc::WebRtcTransport::create(hub_.io(), options, *this);
  if (!created.ok()) {
    HUDDLE_LOG_WARN(media, "transport for participant={} not created: {}", settings_.sid,
                    created.message());
    return nullptr;
  }
  return std::move(created).value();
}

rtc::WebRtcTransport* ParticipantMedia::downstream() const {
  return settings_.singlePeerConnection ? offered_.get() : offering_.get();
}

// ---- negotiation ------------------------------------------------------------------------------

void ParticipantMedia::handleOffer(const std::string& sdp, std::uint32_t id,
                                   const std::vector<sfu::TrackInfo>& tracks) {
  auto parsed = rtc::parseSdp(sdp);
  if (!parsed.ok()) {
    ++hub_.counters().sdpRejected;
    HUDDLE_LOG_WARN(media, "offer from participant={} rejected: {}", settings_.sid,
                    parsed.message());
    return;
  }
  const rtc::SessionDescription& offer = parsed->description;
  auto remote = remoteTransport(offer);
  if (!remote) {
    ++hub_.counters().sdpRejected;
    HUDDLE_LOG_WARN(media, "offer from participant={} lacks ICE credentials or a fingerprint",
                    settings_.sid);
    return;
  }
  if (!offered_) {
    offered_ = newTransport();
    if (!offered_) return;
    loss_.setUpstream(offered_.get());
    remoteUfrag_ = remote->ice.ufrag;
    offered_->connect(*remote);
  } else if (remoteUfrag_ != remote->ice.ufrag) {
    // The client restarted ICE: new credentials on both sides, media keeps its path meanwhile.
    offered_->restartIce();
    offered_->setRemoteIceCredentials(remote->ice);
    remoteUfrag_ = remote->ice.ufrag;
    if (settings_.singlePeerConnection) bwe_.resetSubscriberEstimate();
  }
  lastOfferId_ = id;
  negotiationRequested_ = false;
  const rtc::TransportParameters local = hub_.advertised(offered_->localParameters());

  // Receive slots of this offer (single mode): keep what we know, learn new ones.
  if (settings_.singlePeerConnection) {
    for (const auto& m : offer.media) {
      if (!m.mid || m.port == 0 || !m.isRtp()) continue;
      const auto d = m.effectiveDirection();
      if (d != rtc::MediaDirection::RecvOnly && d != rtc::MediaDirection::SendRecv) continue;
      if (clientSends(m)) continue;  // sendrecv is a publication with a receive side we leave idle
      const bool known = std::any_of(slots_.begin(), slots_.end(),
                                     [&](const Slot& s) { return s.mid == *m.mid; });
      if (!known) slots_.push_back(Slot{*m.mid, m.kind(), nullptr, false});
    }
    // Pending subscriptions take free slots of their kind.
    for (auto& sub : subscriptions_) {
      if (!sub->mid.empty()) continue;
      for (Slot& slot : slots_) {
        if (slot.user == nullptr && !slot.retired && slot.kind == sub->kind) {
          slot.user = sub.get();
          slot.retired = true;
          sub->mid = slot.mid;
          break;
        }
      }
    }
  }

  rtc::SessionDescription answer = newDescription(sessionId_, ++sdpVersion_, local.iceLite);
  rtc::SdpGroup bundle{"BUNDLE", {}};
  std::map<std::string, std::string> midToTrack;
  std::vector<Publication*> stillPublished;
  for (const rtc::MediaDescription& o : offer.media) {
    rtc::MediaDescription m;
    m.media = o.media;
    m.protocol = o.protocol;
    m.mid = o.mid;
    bool accepted = false;
    if (o.mid && o.port != 0) {
      if (o.kind() == rtc::MediaKind::Application) {
        writeApplication(m);
        accepted = o.protocol.find("SCTP") != std::string::npos;
      } else if (o.isRtp() && clientSends(o)) {
        // A publication: match it to an AddTrack by the msid track id (the client's cid).
        Publication* pub = nullptr;
        for (auto& p : publications_) {
          if (p->mid == *o.mid) pub = p.get();
        }
        std::string preferred;
        const sfu::TrackInfo* track = nullptr;
        std::string msidTrack = o.msids.empty() ? std::string() : o.msids.front().trackId;
        for (const auto& t : tracks) {
          for (const auto& c : t.codecs) {
            if (!msidTrack.empty() && c.cid == msidTrack) track = &t;
          }
        }
        if (track == nullptr) {
          // Not matched by cid: the first track of this kind no section carries yet.
          for (const auto& t : tracks) {
            const bool kindMatches = (t.type == sfu::TrackType::Video) ==
                                     (o.kind() == rtc::MediaKind::Video);
            const bool taken = std::any_of(publications_.begin(), publications_.end(),
                                           [&](const auto& p) { return p->trackSid == t.sid; });
            if (kindMatches && !taken) {
              track = &t;
              break;
            }
          }
        }
        if (track != nullptr) preferred = track->mimeType;
        auto acceptedPub = answerPublication(o, preferred, m);
        if (acceptedPub) {
          accepted = true;
          if (pub == nullptr) {
            publications_.push_back(std::make_unique<Publication>());
            pub = publications_.back().get();
            pub->mid = *o.mid;
          }
          pub->accepted = std::move(*acceptedPub);
          bwe_.onPublicationAnswered(pub->accepted.extensions, m);
          if (midExtensionId_ == 0) midExtensionId_ = extensionId(pub->accepted.extensions,
                                                                  "urn:ietf:params:rtp-hdrext:sdes:mid");
          if (ridExtensionId_ == 0) ridExtensionId_ = extensionId(
              pub->accepted.extensions, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
          if (repairedRidExtensionId_ == 0) repairedRidExtensionId_ = extensionId(
              pub->accepted.extensions, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id");
          if (track != nullptr && pub->trackSid.empty()) pub->trackSid = track->sid;
          if (!pub->trackSid.empty() && !pub->receiver) {
            sfu::TrackReceiverConfig config;
            config.trackSid = pub->trackSid;
            config.codec = pub->accepted.codec.kind;
            config.clockRate = pub->accepted.codec.clockRate;
            config.cachePackets = sfu::isVideo(config.codec);
            config.nackUpstream = config.cachePackets && pub->accepted.codec.nack;
            pub->receiver = std::make_unique<sfu::TrackReceiver>(config, *this);
            loss_.addReceiver(*pub->receiver);
            for (std::size_t i = 0; i < pub->accepted.ssrcs.size() && i < 3; ++i) {
              const int layer = pub->accepted.ssrcs.size() == 1 ? 0 : static_cast<int>(i);
              pub->receiver->setLayerSsrc(layer, pub->accepted.ssrcs[i]);
              if (ssrcRoutes_.size() < kMaxSsrcRoutes) {
                ssrcRoutes_[pub->accepted.ssrcs[i]] = {pub, layer};
              }
              const std::uint32_t rtx = i < pub->accepted.rtxSsrcs.size() ? pub->accepted.rtxSsrcs[i] : 0;
              if (rtx != 0 && ssrcRoutes_.size() < kMaxSsrcRoutes) ssrcRoutes_[rtx] = {pub, layer};
            }
          }
          stillPublished.push_back(pub);
        }
      } else if (o.isRtp()) {
        // A receive slot (single mode), or a section the client no longer sends on: it stays
        // bundled, inactive unless a downtrack uses it.
        auto slot = std::find_if(slots_.begin(), slots_.end(),
                                 [&](const Slot& s) { return s.mid == *o.mid; });
        if (settings_.singlePeerConnection && slot != slots_.end()) {
          answerSlot(o, *slot, m);
          if (slot->user != nullptr && slot->user->downTrack) {
            midToTrack[*o.mid] = slot->user->trackSid;
          }
        } else {
          answerInactive(o, m);
        }
        accepted = true;
      }
    }
    if (!accepted) {
      // Rejected section (RFC 8843 7.3): port 0 and the offered formats.
      m = rtc::MediaDescription{};
      m.media = o.media;
      m.protocol = o.protocol;
      m.mid = o.mid;
      m.port = 0;
      m.formats = o.formats;
      m.direction = rtc::MediaDirection::Inactive;
      answer.media.push_back(std::move(m));
      continue;
    }
    writeTransport(m, local, rtc::SdpSetup::Passive);
    bundle.mids.push_back(*o.mid);
    answer.media.push_back(std::move(m));
  }
  answer.groups.push_back(std::move(bundle));

  // Sections the client stopped sending on were unpublished (the client renegotiates instead
  // of saying so); their receivers go once the room dropped the track.
  std::vector<std::string> unpublished;
  for (auto& p : publications_) {
    if (std::find(stillPublished.begin(), stillPublished.end(), p.get()) == stillPublished.end() &&
        !p->trackSid.empty()) {
      unpublished.push_back(p->trackSid);
    }
  }

  if (sink_) sink_->sendAnswer(rtc::writeSdp(answer), id, midToTrack);
  for (auto& p : publications_) {
    if (p->receiver && std::find(unpublished.begin(), unpublished.end(), p->trackSid) ==
                           unpublished.end()) {
      hub_.trackNegotiated(settings_.roomName, settings_.sid, p->trackSid, p->mid,
                           std::string(sfu::mimeTypeOf(p->accepted.codec.kind)));
    }
  }
  for (const auto& trackSid : unpublished) hub_.trackUnpublished(settings_.roomName, settings_.sid, trackSid);
  negotiateIfNeeded();
}

void ParticipantMedia::answerSlot(const rtc::MediaDescription& offered, Slot& slot,
                                  rtc::MediaDescription& out) {
  Subscription* sub = slot.user;
  if (sub != nullptr) {
    OutgoingTrack track{sub->publisherSid, sub->trackSid, sub->ssrc, sub->codec, sub->rtxSsrc};
    auto accepted = answerSubscription(offered, track, out);
    if (accepted) {
      if (!sub->downTrack) attachDownTrack(*sub, *accepted);
      return;
    }
    HUDDLE_LOG_WARN(media, "participant={} cannot receive track={}: codec not offered",
                    settings_.sid, sub->trackSid);
    sub->undeliverable = true;
    out = rtc::MediaDescription{};
    out.media = offered.media;
    out.protocol = offered.protocol;
    out.mid = offered.mid;
  }
  answerInactive(offered, out);
}

void ParticipantMedia::attachDownTrack(Subscription& sub, const AcceptedSubscription& accepted) {
  sfu::DownTrackConfig config;
  config.ssrc = sub.ssrc;
  config.payloadType = static_cast<std::uint8_t>(accepted.codec.payloadType);
  config.codec = sub.codec;
  config.clockRate = accepted.codec.clockRate;
  config.extensions =
      sfu::ExtensionMap::build(sub.publisherExtensions, forwardableExtensions(accepted.extensions));
  if (accepted.codec.rtxPayloadType && sub.rtxSsrc != 0) {
    config.rtxPayloadType = static_cast<std::uint8_t>(*accepted.codec.rtxPayloadType);
    config.rtxSsrc = sub.rtxSsrc;
  }
  sub.downTrack = std::make_unique<sfu::DownTrack>(sub.trackSid, settings_.sid, config, *this);
  if (sub.receiver != nullptr) loss_.addDownTrack(*sub.downTrack, *sub.receiver, sub.publisherSid);
  bwe_.onSubscriberExtensions(accepted.extensions);
  if (sub.receiver != nullptr) {
    const auto now = std::chrono::steady_clock::now();
    sub.receiver->addDownTrack(*sub.downTrack, now);
    sub.layers.applied.reset();
    applyLayers(sub.layers, *sub.downTrack, *sub.receiver, now);
  }
}

void ParticipantMedia::startSubscriberConnection() {
  if (settings_.singlePeerConnection || offering_) return;
  offering_ = newTransport();
  if (!offering_) return;
  sendSubscriberOffer();
}

void ParticipantMedia::restartSubscriberIce() {
  if (settings_.singlePeerConnection || !offering_ || !sink_) return;
  // Never answered: nothing to restart, the offer is simply sent again.
  if (offering_->state() != rtc::TransportState::New) {
    offering_->restartIce();
    bwe_.resetSubscriberEstimate();
  }
  serverOfferInFlight_ = false;
  sendSubscriberOffer();
}

void ParticipantMedia::sendSubscriberOffer() {
  if (!offering_ || !sink_) return;
  if (serverOfferInFlight_) {
    serverOfferDirty_ = true;
    return;
  }
  // Sections never disappear: a slot whose track went away stays, inactive.
  for (auto& sub : subscriptions_) {
    if (!sub->mid.empty()) continue;
    sub->mid = std::to_string(offeredSections_.size() + 1);
    offeredSections_.push_back(OfferedSection{sub->mid, sub->kind, sub.get()});
  }
  const rtc::TransportParameters local = hub_.advertised(offering_->localParameters());
  rtc::SessionDescription offer = newDescription(sessionId_, ++sdpVersion_, local.iceLite);
  rtc::SdpGroup bundle{"BUNDLE", {}};
  rtc::MediaDescription app;
  writeApplication(app);
  app.mid = "0";
  writeTransport(app, local, rtc::SdpSetup::ActPass);
  bundle.mids.push_back("0");
  offer.media.push_back(std::move(app));
  std::map<std::string, std::string> midToTrack;
  for (auto& [mid, kind, user] : offeredSections_) {
    rtc::MediaDescription m;
    m.mid = mid;
    if (user != nullptr) {
      offerSubscription(
          OutgoingTrack{user->publisherSid, user->trackSid, user->ssrc, user->codec, user->rtxSsrc}, m);
      midToTrack[mid] = user->trackSid;
    } else {
      offerInactive(kind, mid, m);
    }
    m.mid = mid;
    writeTransport(m, local, rtc::SdpSetup::ActPass);
    bundle.mids.push_back(mid);
    offer.media.push_back(std::move(m));
  }
  offer.groups.push_back(std::move(bundle));
  serverOfferInFlight_ = true;
  serverOfferDirty_ = false;
  sink_->sendOffer(rtc::writeSdp(offer), ++serverOfferId_, midToTrack);
}

void ParticipantMedia::handleAnswer(const std::string& sdp, std::uint32_t id) {
  if (!offering_) return;
  if (id != 0 && id != serverOfferId_) return;  // an answer to an offer we have replaced
  auto parsed = rtc::parseSdp(sdp);
  if (!parsed.ok()) {
    ++hub_.counters().sdpRejected;
    HUDDLE_LOG_WARN(media, "answer from participant={} rejected: {}", settings_.sid,
                    parsed.message());
    return;
  }
  const rtc::SessionDescription& answer = parsed->description;
  serverOfferInFlight_ = false;
  if (offering_->state() == rtc::TransportState::New) {
    auto remote = remoteTransport(answer);
    if (!remote) {
      ++hub_.counters().sdpRejected;
      return;
    }
    offering_->connect(*remote);
  } else if (auto remote = remoteTransport(answer)) {
    // After an ICE restart of ours the answer carries the client's new credentials.
    offering_->setRemoteIceCredentials(remote->ice);
  }
  for (auto& [mid, kind, user] : offeredSections_) {
    if (user == nullptr || user->downTrack) continue;
    auto accepted = acceptedInAnswer(answer, mid, user->codec);
    if (accepted) attachDownTrack(*user, *accepted);
  }
  if (serverOfferDirty_) sendSubscriberOffer();
}

void ParticipantMedia::negotiateIfNeeded() {
  if (!sink_) return;
  if (!settings_.singlePeerConnection) {
    bool changed = false;
    for (auto& sub : subscriptions_) changed = changed || sub->mid.empty();
    if (changed || serverOfferDirty_) sendSubscriberOffer();
    return;
  }
  if (negotiationRequested_ || !offered_) return;
  std::uint32_t audio = 0;
  std::uint32_t video = 0;
  bool needed = false;
  std::uint32_t freeAudio = 0;
  std::uint32_t freeVideo = 0;
  for (const Slot& s : slots_) {
    if (s.user == nullptr && !s.retired) ++(s.kind == rtc::MediaKind::Video ? freeVideo : freeAudio);
  }
  for (const auto& sub : subscriptions_) {
    if ((!sub->mid.empty() && sub->downTrack) || sub->undeliverable) continue;
    needed = true;
    if (!sub->mid.empty()) continue;  // has a slot, waits for the offer that carries it
    if (sub->kind == rtc::MediaKind::Video) {
      if (freeVideo > 0) --freeVideo; else ++video;
    } else {
      if (freeAudio > 0) --freeAudio; else ++audio;
    }
  }
  if (!needed && !slotsChanged_) return;
  slotsChanged_ = false;
  negotiationRequested_ = true;
  sink_->sendMediaSectionsRequirement(audio, video);
}

// ---- subscriptions ----------------------------------------------------------------------------

std::vector<std::string> ParticipantMedia::subscribedTrackSids() const {
  std::vector<std::string> out;
  out.reserve(subscriptions_.size());
  for (const auto& s : subscriptions_) out.push_back(s->trackSid);
  return out;
}

void ParticipantMedia::subscribe(const std::string& publisherSid, const std::string& trackSid,
                                 sfu::TrackReceiver& receiver,
                                 const sfu::ExtensionIds& publisherExtensions) {
  for (const auto& s : subscriptions_) {
    if (s->trackSid == trackSid) return;
  }
  auto sub = std::make_unique<Subscription>();
  sub->publisherSid = publisherSid;
  sub->trackSid = trackSid;
  sub->codec = receiver.codec();
  sub->kind = sfu::isVideo(sub->codec) ? rtc::MediaKind::Video : rtc::MediaKind::Audio;
  sub->ssrc = newSsrc();
  if (sub->kind == rtc::MediaKind::Video) sub->rtxSsrc = newSsrc();
  sub->receiver = &receiver;
  sub->publisherExtensions = publisherExtensions;
  if (auto p = layerPreferences_.find(trackSid); p != layerPreferences_.end()) {
    sub->layers.preference = p->second;
  }
  subscriptions_.push_back(std::move(sub));
}

void ParticipantMedia::setLayerPreference(const std::string& trackSid,
                                          const sfu::LayerPreference& preference) {
  constexpr std::size_t kMaxPreferences = 256;
  if (layerPreferences_.size() >= kMaxPreferences && !layerPreferences_.contains(trackSid)) {
    layerPreferences_.erase(layerPreferences_.begin());
  }
  layerPreferences_[trackSid] = preference;
  for (auto& s : subscriptions_) {
    if (s->trackSid == trackSid) s->layers.preference = preference;
  }
  refreshLayers(std::chrono::steady_clock::now());
}

void ParticipantMedia::setPublisherMuted(const std::string& trackSid, bool muted) {
  for (auto& s : subscriptions_) {
    if (s->trackSid == trackSid) s->layers.publisherMuted = muted;
  }
}

void ParticipantMedia::refreshLayers(std::chrono::steady_clock::time_point now) {
  for (auto& s : subscriptions_) {
    if (s->receiver != nullptr && s->downTrack) applyLayers(s->layers, *s->downTrack, *s->receiver, now);
  }
}

int ParticipantMedia::wantedLayer(const std::string& trackSid) const {
  for (const auto& s : subscriptions_) {
    if (s->trackSid == trackSid && !s->undeliverable) {
      return sfu::wantedLayer(s->layers.preference, s->layers.publisherMuted);
    }
  }
  return -1;
}

void ParticipantMedia::unsubscribe(const std::string& trackSid) {
  auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                         [&](const auto& s) { return s->trackSid == trackSid; });
  if (it == subscriptions_.end()) return;
  Subscription& sub = **it;
  if (sub.receiver != nullptr && sub.downTrack) sub.receiver->removeDownTrack(*sub.downTrack);
  if (sub.downTrack) loss_.removeDownTrack(*sub.downTrack);
  for (Slot& slot : slots_) {
    if (slot.user == &sub) {
      slot.user = nullptr;
      slotsChanged_ = true;
    }
  }
  for (auto& section : offeredSections_) {
    if (section.user == &sub) {
      section.user = nullptr;
      serverOfferDirty_ = true;
    }
  }
  subscriptions_.erase(it);
}

void ParticipantMedia::detachReceiver(const sfu::TrackReceiver& receiver) {
  std::vector<std::string> gone;
  for (const auto& s : subscriptions_) {
    if (s->receiver == &receiver) gone.push_back(s->trackSid);
  }
  for (const auto& t : gone) unsubscribe(t);
}

ParticipantMedia::Subscription* ParticipantMedia::subscriptionBySsrc(std::uint32_t ssrc) {
  for (auto& s : subscriptions_) {
    if (s->ssrc == ssrc) return s.get();
  }
  return nullptr;
}

// ---- publications -----------------------------------------------------------------------------

sfu::TrackReceiver* ParticipantMedia::receiver(const std::string& trackSid) {
  for (auto& p : publications_) {
    if (p->trackSid == trackSid) return p->receiver.get();
  }
  return nullptr;
}

const sfu::ExtensionIds* ParticipantMedia::publishedExtensions(const std::string& trackSid) const {
  for (const auto& p : publications_) {
    if (p->trackSid == trackSid) return &p->accepted.extensions;
  }
  return nullptr;
}

void ParticipantMedia::retainPublications(const std::vector<sfu::TrackInfo>& tracks) {
  for (auto& p : publications_) {
    if (p->trackSid.empty() || !p->receiver) continue;
    const bool listed = std::any_of(tracks.begin(), tracks.end(),
                                    [&](const sfu::TrackInfo& t) { return t.sid == p->trackSid; });
    if (listed) continue;
    for (auto it = ssrcRoutes_.begin(); it != ssrcRoutes_.end();) {
      it = it->second.first == p.get() ? ssrcRoutes_.erase(it) : std::next(it);
    }
    bwe_.forgetReceiver(*p->receiver);
    loss_.removeReceiver(*p->receiver);
    quality_.forgetReceiver(*p->receiver);
    p->receiver.reset();
    p->trackSid.clear();
  }
}

ParticipantMedia::Publication* ParticipantMedia::publicationFor(const rtc::RtpPacketView& packet) {
  // Unknown SSRC: the mid (and rid for simulcast) extension says where it belongs.
  if (midExtensionId_ == 0) return nullptr;
  const auto midData = packet.findExtension(midExtensionId_);
  if (!midData) return nullptr;
  const auto mid = rtc::readMid(*midData);
  if (!mid) return nullptr;
  Publication* pub = nullptr;
  for (auto& p : publications_) {
    if (p->mid == *mid) pub = p.get();
  }
  if (pub == nullptr || !pub->receiver || ssrcRoutes_.size() >= kMaxSsrcRoutes) return nullptr;
  // RTX names its layer by the repaired rid, and its SSRC is not the layer's.
  const bool rtx = pub->accepted.codec.rtxPayloadType == packet.payloadType();
  const std::uint8_t ridId = rtx ? repairedRidExtensionId_ : ridExtensionId_;
  int layer = 0;
  if (!pub->accepted.rids.empty()) {
    if (ridId == 0) return nullptr;
    const auto ridData = packet.findExtension(ridId);
    if (!ridData) return nullptr;  // RTX or padding without a rid: nothing we forward
    const auto rid = rtc::readRid(*ridData);
    if (!rid) return nullptr;
    layer = layerForRid(*rid, pub->accepted.rids);
    if (layer < 0) return nullptr;
  }
  ssrcRoutes_[packet.ssrc()] = {pub, layer};
  if (!rtx) pub->receiver->setLayerSsrc(layer, packet.ssrc());
  return pub;
}

// ---- packets ----------------------------------------------------------------------------------

void ParticipantMedia::onRtpPacket(rtc::WebRtcTransport& transport, std::span<std::uint8_t> packet) {
  if (&transport != offered_.get()) return;  // nothing is published on the subscriber side
  auto view = rtc::RtpPacketView::parse(packet);
  if (!view) {
    ++hub_.counters().rtpUnparsed;
    return;
  }
  // Every packet counts for transport-cc, routed or not (probes are padding on RTX SSRCs).
  const auto now = std::chrono::steady_clock::now();
  bwe_.onPublisherRtp(transport, *view, packet.size(), now);
  auto route = ssrcRoutes_.find(view->ssrc());
  Publication* pub = nullptr;
  int layer = 0;
  if (route != ssrcRoutes_.end()) {
    pub = route->second.first;
    layer = route->second.second;
  } else {
    pub = publicationFor(*view);
    if (pub != nullptr) layer = ssrcRoutes_[view->ssrc()].second;
  }
  if (pub != nullptr && pub->receiver && pub->accepted.codec.rtxPayloadType == view->payloadType()) {
    loss_.onPublisherRtx(*pub->receiver, layer, *view,
                         static_cast<std::uint8_t>(pub->accepted.codec.payloadType), now);
    return;
  }
  if (pub == nullptr || !pub->receiver ||
      view->payloadType() != static_cast<std::uint8_t>(pub->accepted.codec.payloadType)) {
    ++hub_.counters().rtpUnknownStream;
    return;
  }
  bwe_.onRoutedRtp(*pub->receiver, layer, packet.size(), now);
  quality_.onPublishedRtp(*pub->receiver, pub->accepted.extensions, layer, *view, now);
  pub->receiver->onRtp(*view, layer, now);
  loss_.maybeReport(downstream(), now);
}

void ParticipantMedia::onRtcpPacket(rtc::WebRtcTransport& transport, std::span<std::uint8_t> packet) {
  // In single mode both directions share the transport: feedback about our downtracks names
  // their SSRCs, everything else is about the client's own streams (its reports are read, for
  // validity, and not used until issue 7).
  const bool aboutDowntracks = &transport == downstream();
  rtc::RtcpCompoundReader reader(packet);
  const auto now = std::chrono::steady_clock::now();
  while (auto p = reader.next()) {
    if (loss_.onRtcp(*p, now)) continue;
    if (aboutDowntracks && bwe_.onSubscriberRtcp(*p, now)) continue;
    if (!aboutDowntracks || p->type != static_cast<std::uint8_t>(rtc::RtcpType::PayloadFeedback)) {
      continue;
    }
    if (p->count == rtc::kFmtPli) {
      const auto pli = rtc::RtcpPli::parse(*p);
      if (!pli) continue;
      Subscription* sub = subscriptionBySsrc(pli->mediaSsrc);
      if (sub != nullptr && sub->receiver != nullptr && sub->downTrack) {
        sub->receiver->requestKeyframe(std::max(0, sub->downTrack->currentLayer()), now);
      }
    } else if (p->count == rtc::kFmtFir) {
      const auto fir = rtc::RtcpFir::parse(*p);
      if (!fir) continue;
      for (std::size_t i = 0; i < fir->entryCount(); ++i) {
        Subscription* sub = subscriptionBySsrc(fir->entry(i).ssrc);
        if (sub != nullptr && sub->receiver != nullptr && sub->downTrack) {
          sub->receiver->requestKeyframe(std::max(0, sub->downTrack->currentLayer()), now);
        }
      }
    }
  }
  if (reader.malformed()) ++hub_.counters().rtcpMalformed;
  loss_.maybeReport(downstream(), now);
  if (aboutDowntracks && settings_.congestionControl && bwe_.capsDue(now)) applyCongestionCaps(now);
}

void ParticipantMedia::applyCongestionCaps(std::chrono::steady_clock::time_point now) {
  // Audio is reserved first (never capped); video is priced by what its publisher's layers
  // arrive at, and each track's cap goes through applyLayers with the subscriber's preference.
  constexpr std::uint64_t kAudioReserveBps = 40'000;
  std::array<CapInput, BweGlue::kMaxCapTracks> inputs{};
  std::array<Subscription*, BweGlue::kMaxCapTracks> videos{};
  std::array<sfu::LayerCap, BweGlue::kMaxCapTracks> caps{};
  std::size_t n = 0;
  std::uint64_t audioBps = 0;
  for (auto& s : subscriptions_) {
    if (!s->downTrack || s->receiver == nullptr) continue;
    ParticipantMedia* publisher = hub_.find(settings_.roomName, s->publisherSid);
    auto rate = [&](int layer) {
      return publisher != nullptr ? publisher->publishedLayerBitrate(*s->receiver, layer, now) : 0;
    };
    if (s->kind != rtc::MediaKind::Video) {
      audioBps += std::max<std::uint64_t>(rate(0), kAudioReserveBps);
    } else if (n < inputs.size()) {
      CapInput& in = inputs[n];
      in.layers = s->receiver->highestLayer() + 1;
      for (int l = 0; l < in.layers && l < 3; ++l) in.layerBps[static_cast<std::size_t>(l)] = rate(l);
      in.preferredMax = sfu::wantedLayer(s->layers.preference, s->layers.publisherMuted);
      in.previous = s->layers.cap;
      videos[n++] = s.get();
    }
  }
  bwe_.computeCaps(std::span<const CapInput>(inputs.data(), n), audioBps,
                   std::span<sfu::LayerCap>(caps.data(), n), now, settings_.congestionAllowPause);
  for (std::size_t i = 0; i < n; ++i) {
    Subscription& s = *videos[i];
    const bool wasPaused = s.layers.cap.pauseVideo;
    s.layers.cap = caps[i];
    applyLayers(s.layers, *s.downTrack, *s.receiver, now);
    if (wasPaused == caps[i].pauseVideo) continue;
    ++(caps[i].pauseVideo ? hub_.counters().congestionPauses : hub_.counters().congestionResumes);
    HUDDLE_LOG_INFO(media, "participant={} track={} video {} (estimate {} bps)", settings_.sid,
                    s.trackSid, caps[i].pauseVideo ? "paused" : "resumed", bwe_.estimateBps(now));
    if (sink_) sink_->sendStreamState(s.publisherSid, s.trackSid, caps[i].pauseVideo);
  }
}

void ParticipantMedia::requestKeyframe(std::uint32_t publisherSsrc) {
  if (!offered_) return;
  std::array<std::uint8_t, 64> out{};
  const std::size_t n = rtc::RtcpPli{kServerRtcpSsrc, publisherSsrc}.build(out);
  if (n > 0 && offered_->sendRtcp(out, n)) ++hub_.counters().keyframeRequests;
}

bool ParticipantMedia::sendRtp(std::span<std::uint8_t> buffer, std::size_t length) {
  rtc::WebRtcTransport* t = downstream();
  if (t == nullptr) return false;
  bwe_.stamp(buffer, length);
  const bool sent = t->sendRtp(buffer, length);
  if (sent) bwe_.sent(length);
  return sent;
}

// ---- transport state and data -----------------------------------------------------------------

void ParticipantMedia::onTransportStateChanged(rtc::WebRtcTransport& transport,
                                               rtc::TransportState state) {
  HUDDLE_LOG_DEBUG(media, "participant={} {} transport {}", settings_.sid,
                   &transport == offered_.get() ? "client-offered" : "server-offered",
                   rtc::toString(state));
  if (state == rtc::TransportState::Connected) {
    ++hub_.counters().transportsConnected;
    if (&transport == offering_.get()) {
      // Classic mode: the server opens the subscriber's data channels (in-band, DCEP).
      if (auto id = transport.createDataChannel(kReliableLabel, true)) {
        channelsByLabel_[std::string(kReliableLabel)] = *id;
      }
      if (auto id = transport.createDataChannel(kLossyLabel, false, 0)) {
        channelsByLabel_[std::string(kLossyLabel)] = *id;
      }
    }
  } else if (state == rtc::TransportState::Failed) {
    ++hub_.counters().transportsFailed;
  }
}

void ParticipantMedia::onDataChannelOpen(rtc::WebRtcTransport& transport, std::uint16_t id,
                                         std::string_view label) {
  if (&transport != offered_.get()) return;
  if (label == kReliableLabel || label == kLossyLabel) {
    incomingChannels_[id] = label == kReliableLabel;
    if (settings_.singlePeerConnection) channelsByLabel_[std::string(label)] = id;
  }
}

void ParticipantMedia::onDataChannelMessage(rtc::WebRtcTransport& transport, std::uint16_t id,
                                            std::span<const std::uint8_t> data, bool /*binary*/) {
  if (&transport != offered_.get()) return;
  auto it = incomingChannels_.find(id);
  if (it == incomingChannels_.end()) return;
  hub_.relayData(*this, it->second, data);
}

void ParticipantMedia::onDataChannelClose(rtc::WebRtcTransport& transport, std::uint16_t id) {
  if (&transport == offered_.get()) incomingChannels_.erase(id);
  for (auto it = channelsByLabel_.begin(); it != channelsByLabel_.end();) {
    it = (&transport == downstream() && it->second == id) ? channelsByLabel_.erase(it)
                                                           : std::next(it);
  }
}

void ParticipantMedia::forEachPublication(
    const std::function<void(const std::string&, sfu::TrackReceiver&)>& fn) {
  for (auto& p : publications_) {
    if (p->receiver && !p->trackSid.empty()) fn(p->trackSid, *p->receiver);
  }
}

void ParticipantMedia::forEachDownTrack(
    const std::function<void(const std::string&, const sfu::DownTrack&)>& fn) const {
  for (const auto& s : subscriptions_) {
    if (s->downTrack) fn(s->publisherSid, *s->downTrack);
  }
}

void ParticipantMedia::sendData(bool reliable, std::span<const std::uint8_t> bytes) {
  rtc::WebRtcTransport* t = downstream();
  if (t == nullptr) return;
  auto it = channelsByLabel_.find(reliable ? kReliableLabel : kLossyLabel);
  if (it == channelsByLabel_.end()) it = channelsByLabel_.find(kReliableLabel);
  if (it == channelsByLabel_.end()) return;
  t->sendData(it->second, bytes, true);
}

}  // namespace huddle::server::media
