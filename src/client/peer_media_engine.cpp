#include "client/peer_media_engine.h"

#include <boost/asio/post.hpp>
#include <algorithm>

#include "client/peer_media_engine_parts.h"
#include "common/log.h"

namespace huddle::client {

namespace {

// Receive slots offered up front in /rtc/v1, so the first subscriptions need no renegotiation;
// the server asks for more with media_sections_requirement.
constexpr unsigned kInitialAudioSlots = 3;
constexpr unsigned kInitialVideoSlots = 3;
constexpr auto kTick = std::chrono::milliseconds(10);
constexpr auto kReportInterval = std::chrono::seconds(1);
constexpr std::size_t kOutgoingSlots = 1024;
// Two consent intervals and some: one lost consent response does not trip it.
constexpr auto kSilenceTimeout = std::chrono::seconds(12);

}  // namespace

MediaEngineFactory PeerMediaEngine::factory() {
  return [](boost::asio::io_context& io, MediaEngine::Listener& listener) -> std::unique_ptr<MediaEngine> {
    // One certificate per process: generating one costs milliseconds and the fingerprint only
    // has to match the SDP of the same connection.
    static const auto certificate = [] {
      auto generated = rtc::DtlsCertificate::generate();
      return generated.ok() ? *generated : nullptr;
    }();
    if (!certificate) {
      HUDDLE_LOG_ERROR(client, "no DTLS certificate could be generated; the room joins without media");
      return std::make_unique<NullMediaEngine>();
    }
    return std::make_unique<PeerMediaEngine>(io, listener, certificate);
  };
}

PeerMediaEngine::PeerMediaEngine(boost::asio::io_context& io, MediaEngine::Listener& listener,
                                 std::shared_ptr<const rtc::DtlsCertificate> certificate)
    : io_(io),
      listener_(listener),
      certificate_(std::move(certificate)),
      alive_(std::make_shared<PeerMediaEngine*>(this)),
      timer_(io) {
  outgoing_ = std::make_shared<OutgoingQueue>(
      kOutgoingSlots, [post = loopPoster()] { post([](PeerMediaEngine& self) { self.drainOutgoing(); }); });
}

std::function<void(PeerMediaEngine::LoopTask)> PeerMediaEngine::loopPoster() {
  return [weak = std::weak_ptr<PeerMediaEngine*>(alive_), io = &io_](LoopTask task) {
    boost::asio::post(*io, [weak, task = std::move(task)] {
      if (auto self = weak.lock()) task(**self);
    });
  };
}

PeerMediaEngine::~PeerMediaEngine() { close(); }

bool PeerMediaEngine::ensurePublisher() {
  if (publisher_) return true;
  PeerSession::Options options;
  options.role = PeerSession::Role::Offerer;
  options.certificate = certificate_;
  auto created = PeerSession::create(io_, options, *this);
  if (!created.ok()) {
    HUDDLE_LOG_ERROR(client, "peer connection not created: {}", created.message());
    return false;
  }
  publisher_ = std::move(created).value();
  return true;
}

std::optional<livekit::SessionDescription> PeerMediaEngine::initialOffer() {
  if (closed_ || !ensurePublisher()) return std::nullopt;
  publisher_->addRecvTransceivers(kInitialAudioSlots, kInitialVideoSlots);
  auto offer = publisher_->createOffer();
  if (!offer.ok()) {
    HUDDLE_LOG_ERROR(client, "first offer failed: {}", offer.message());
    return std::nullopt;
  }
  livekit::SessionDescription description;
  description.set_type("offer");
  description.set_sdp(*offer);
  description.set_id(++offerId_);
  offerInFlight_ = true;
  ++stats_.offersSent;
  return description;
}

void PeerMediaEngine::onJoined(const livekit::JoinResponse& /*join*/, bool singlePeerConnection) {
  if (closed_) return;
  joined_ = true;
  singlePeerConnection_ = singlePeerConnection;
  if (!singlePeerConnection) {
    // /rtc: the offer made for /rtc/v1 (with receive slots) never reached the server. The
    // publisher starts over with its data section only; the server offers the subscriber side.
    if (publisher_) publisher_->close();
    publisher_.reset();
    offerInFlight_ = false;
    PeerSession::Options options;
    options.role = PeerSession::Role::Subscriber;
    options.certificate = certificate_;
    auto created = PeerSession::create(io_, options, *this);
    if (!created.ok()) {
      HUDDLE_LOG_ERROR(client, "subscriber connection not created: {}", created.message());
      listener_.onMediaFailed();
      return;
    }
    subscriber_ = std::move(created).value();
    if (!ensurePublisher()) return;
    negotiate();
  } else if (!publisher_ || !offerInFlight_) {
    // The join went without our offer (it could not be made): offer now.
    if (!ensurePublisher()) return;
    negotiate();
  }
  schedulePeriodic();
}

void PeerMediaEngine::negotiate() {
  if (closed_ || !publisher_) return;
  if (offerInFlight_) {
    renegotiate_ = true;
    return;
  }
  sendOffer();
}

void PeerMediaEngine::sendOffer() {
  auto offer = publisher_->createOffer();
  if (!offer.ok()) {
    HUDDLE_LOG_ERROR(client, "offer failed: {}", offer.message());
    return;
  }
  livekit::SignalRequest request;
  auto* description = request.mutable_offer();
  description->set_type("offer");
  description->set_sdp(*offer);
  description->set_id(++offerId_);
  offerInFlight_ = true;
  renegotiate_ = false;
  ++stats_.offersSent;
  listener_.onMediaSignal(std::move(request));
}

void PeerMediaEngine::onAnswer(const livekit::SessionDescription& answer) {
  if (closed_ || !publisher_) return;
  // An id of 0 comes from servers that do not number descriptions.
  if (answer.id() != 0 && answer.id() != offerId_) {
    ++stats_.staleAnswers;
    return;
  }
  std::map<std::string, std::string> midToTrack(answer.mid_to_track_id().begin(), answer.mid_to_track_id().end());
  auto applied = publisher_->applyAnswer(answer.sdp(), midToTrack);
  offerInFlight_ = false;
  if (!applied.ok()) {
    ++stats_.answersRejected;
    HUDDLE_LOG_WARN(client, "answer refused: {}", applied.message());
  } else {
    ++stats_.answersApplied;
  }
  startPending();
  if (renegotiate_) sendOffer();
}

void PeerMediaEngine::onOffer(const livekit::SessionDescription& offer) {
  if (closed_ || !subscriber_) return;
  auto answer = subscriber_->applyRemoteOffer(offer.sdp());
  if (!answer.ok()) {
    HUDDLE_LOG_WARN(client, "subscriber offer refused: {}", answer.message());
    return;
  }
  livekit::SignalRequest request;
  auto* description = request.mutable_answer();
  description->set_type("answer");
  description->set_sdp(*answer);
  description->set_id(offer.id());
  listener_.onMediaSignal(std::move(request));
}

void PeerMediaEngine::onTrickle(const livekit::TrickleRequest& /*trickle*/) {
  // huddle-server and LiveKit put their candidates in the SDP; trickled ones are not needed yet.
  ++stats_.tricklesIgnored;
}

void PeerMediaEngine::onMediaSectionsRequirement(const livekit::MediaSectionsRequirement& requirement) {
  if (closed_ || !publisher_) return;
  publisher_->addRecvTransceivers(requirement.num_audios(), requirement.num_videos());
  negotiate();
}

void PeerMediaEngine::restartIce() {
  if (closed_ || !publisher_) return;
  const bool failed = publisher_->state() == rtc::TransportState::Failed ||
                      (subscriber_ && subscriber_->state() == rtc::TransportState::Failed);
  if (failed) {
    // A failed transport is final: new credentials cannot revive it. Telling the Room makes it
    // rejoin with a new engine, which is what an ICE restart would not achieve.
    loopPoster()([](PeerMediaEngine& self) { self.listener_.onMediaFailed(); });
    return;
  }
  failureReported_ = false;
  for (Watch& w : watch_) w.lastProgress = std::chrono::steady_clock::now();
  publisher_->restartIce();
  // A resume replaces whatever was in flight: its answer would carry the old credentials.
  offerInFlight_ = false;
  sendOffer();
}

bool PeerMediaEngine::sendData(bool reliable, std::span<const std::uint8_t> packet) {
  if (closed_ || !publisher_) return false;
  return publisher_->sendData(reliable ? DataChannelKind::Reliable : DataChannelKind::Lossy, packet);
}

void PeerMediaEngine::close() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  unsubscribeAll();
  for (auto& pub : publications_) {
    stopSending(*pub);
    if (pub->done) failPublication(*pub, "the connection closed before the track was published");
  }
  publications_.clear();
  if (publisher_) publisher_->close();
  if (subscriber_) subscriber_->close();
  alive_.reset();
}

void PeerMediaEngine::onSignalResponse(const livekit::SignalResponse& message) {
  if (closed_) return;
  switch (message.message_case()) {
    case livekit::SignalResponse::kTrackPublished:
      onTrackPublished(message.track_published());
      break;
    case livekit::SignalResponse::kTrackUnpublished:
      onTrackUnpublishedByServer(message.track_unpublished().track_sid());
      break;
    case livekit::SignalResponse::kSubscribedQualityUpdate:
      applySubscribedQuality(message.subscribed_quality_update());
      break;
    case livekit::SignalResponse::kMute:
      applyServerMute(message.mute());
      break;
    default:
      break;
  }
}

void PeerMediaEngine::schedulePeriodic() {
  if (closed_) return;
  timer_.expires_after(kTick);
  timer_.async_wait([weak = std::weak_ptr<PeerMediaEngine*>(alive_)](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) (*self)->onPeriodic();
  });
}

void PeerMediaEngine::onPeriodic() {
  const StreamTime now = std::chrono::steady_clock::now();
  const bool report = now >= nextReport_;
  if (report) nextReport_ = now + kReportInterval;
  tickSubscriptions(now, report);
  if (report) {
    sendSenderReports(now);
    reportConnectionStats(now);
    watchTransports(now);
  }
  schedulePeriodic();
}

void PeerMediaEngine::watchTransports(StreamTime now) {
  const std::array<PeerSession*, 2> sessions{publisher_.get(), subscriber_.get()};
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    Watch& w = watch_[i];
    PeerSession* session = sessions[i];
    if (session == nullptr || session->state() != rtc::TransportState::Connected || session->transport() == nullptr) {
      w.lastProgress = now;
      continue;
    }
    const auto& t = session->transport()->stats();
    const std::uint64_t received = t.stunReceived + t.dtlsReceived + t.rtpReceived + t.rtcpReceived;
    if (received != w.received || w.lastProgress == StreamTime{}) {
      w.received = received;
      w.lastProgress = now;
      continue;
    }
    if (now - w.lastProgress < kSilenceTimeout || failureReported_) continue;
    failureReported_ = true;
    HUDDLE_LOG_INFO(client, "{} connection silent for {} s: media path lost", i == 0 ? "publisher" : "subscriber",
                    std::chrono::duration_cast<std::chrono::seconds>(now - w.lastProgress).count());
    listener_.onMediaFailed();
    return;
  }
}

void PeerMediaEngine::reportConnectionStats(StreamTime now) {
  ConnectionStats stats;
  double lossWeighted = 0;
  double packetsWeight = 0;
  for (const auto& sub : subscriptions_) {
    const RemoteTrackStats& s = sub->lastStats;
    stats.receiveBitrateBps += s.bitrateBps;
    stats.packetsReceived += s.packetsReceived;
    stats.packetsLost += s.packetsLost;
    stats.freezes += s.freezes;
    stats.jitterMs = std::max(stats.jitterMs, sub->jitterMs);
    // Weighted by rate so a silent audio track does not outvote the video.
    const double weight = std::max(1.0, s.bitrateBps);
    lossWeighted += sub->lossFraction * weight;
    packetsWeight += weight;
  }
  stats.receiveLossPercent = packetsWeight > 0 ? 100.0 * lossWeighted / packetsWeight : 0;
  std::uint64_t sentBytes = 0;
  for (const auto& pub : publications_) {
    auto add = [&](const RtpSendStreamStats& st) {
      sentBytes += st.payloadOctets;
      stats.packetsSent += st.packets;
      stats.packetsRetransmitted += st.retransmittedPackets;
    };
    if (pub->video) {
      for (int l = 0; l < pub->video->layerCount(); ++l) add(pub->video->streamStats(l));
    }
    if (pub->audio) add(pub->audio->streamStats());
  }
  const double seconds = std::chrono::duration<double>(now - lastStatsReport_).count();
  if (lastStatsReport_ != StreamTime{} && seconds > 0 && sentBytes >= sentBytesAtLastReport_) {
    stats.sendBitrateBps = static_cast<double>(sentBytes - sentBytesAtLastReport_) * 8.0 / seconds;
  }
  sentBytesAtLastReport_ = sentBytes;
  lastStatsReport_ = now;
  if (stats.receiveLossPercent >= 8.0 || stats.jitterMs >= 60.0) {
    stats.localQuality = ConnectionQuality::Poor;
  } else if (stats.receiveLossPercent >= 2.0 || stats.jitterMs >= 30.0) {
    stats.localQuality = ConnectionQuality::Good;
  }
  const bool transportUp = publisher_ && publisher_->state() == rtc::TransportState::Connected;
  if (!transportUp) stats.localQuality = ConnectionQuality::Lost;
  listener_.onMediaStats(stats);
}

void PeerMediaEngine::onConnectionStateChanged(PeerSession& session, rtc::TransportState state) {
  HUDDLE_LOG_DEBUG(client, "{} connection {}", &session == subscriber_.get() ? "subscriber" : "publisher",
                   rtc::toString(state));
  if (state != rtc::TransportState::Failed) return;
  // Reported from the loop, not from inside the session that is failing.
  loopPoster()([](PeerMediaEngine& self) { self.listener_.onMediaFailed(); });
}

void PeerMediaEngine::onDataChannelOpen(PeerSession& session, std::string_view label) {
  // We send on the publisher's channels (the subscriber's, in /rtc, are the server's to send on).
  if (&session != publisher_.get()) return;
  if (label == kReliableLabel) listener_.onMediaDataChannel(true, true);
  if (label == kLossyLabel) listener_.onMediaDataChannel(false, true);
}

void PeerMediaEngine::onDataMessage(PeerSession& /*session*/, std::string_view label,
                                    std::span<const std::uint8_t> data) {
  listener_.onMediaData(label != kLossyLabel, data);
}

}  // namespace huddle::client
