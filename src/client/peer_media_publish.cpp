// PeerMediaEngine: publishing (AddTrack, send sections, send pipelines, feedback, reports).

#include <array>
#include <random>

#include "client/peer_media_engine.h"
#include "client/peer_media_engine_parts.h"
#include "client/proto_convert.h"
#include "common/log.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_report.h"

namespace huddle::client {

namespace {

constexpr auto kPublishTimeout = std::chrono::seconds(15);
constexpr int kSimulcastMinWidth = 640;
const std::array<const char*, 3> kRids{"q", "h", "f"};

std::uint32_t randomU32() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<std::uint32_t>(rng());
}

livekit::TrackSource toProtoSource(TrackSource source) {
  switch (source) {
    case TrackSource::Camera: return livekit::TrackSource::CAMERA;
    case TrackSource::Microphone: return livekit::TrackSource::MICROPHONE;
    case TrackSource::ScreenShare: return livekit::TrackSource::SCREEN_SHARE;
    case TrackSource::ScreenShareAudio: return livekit::TrackSource::SCREEN_SHARE_AUDIO;
    case TrackSource::Unknown: break;
  }
  return livekit::TrackSource::UNKNOWN;
}

int layerCountFor(const VideoTrackOptions& options) {
  return options.simulcast && options.width >= kSimulcastMinWidth ? 3 : 1;
}

// LiveKit's presets for the top layer, by height; lower layers get about a quarter and a
// tenth of it, as its default simulcast ladder does.
int topBitrateKbps(const VideoTrackOptions& options) {
  if (options.maxBitrateKbps > 0) return options.maxBitrateKbps;
  if (options.height >= 1080) return 3000;
  if (options.height >= 720) return 1700;
  if (options.height >= 540) return 1000;
  if (options.height >= 360) return 500;
  return 200;
}

}  // namespace

void PeerMediaEngine::publishTrack(std::shared_ptr<LocalTrackState> track, PublishDone done) {
  ++stats_.publishRequests;
  if (closed_ || !joined_ || !publisher_) {
    ++stats_.publishFailures;
    done(PublishResult{false, "the peer connection is not ready", {}});
    return;
  }
  auto pub = std::make_unique<Publication>();
  pub->id = nextPublicationId_++;
  pub->track = std::move(track);
  pub->done = std::move(done);
  pub->deadline = std::chrono::steady_clock::now() + kPublishTimeout;
  char cid[24];
  std::snprintf(cid, sizeof cid, "HU_%08x%04x", randomU32(), pub->id & 0xffffu);
  pub->cid = cid;

  livekit::SignalRequest request;
  auto* add = request.mutable_add_track();
  add->set_cid(pub->cid);
  add->set_muted(pub->track->muted());
  if (pub->track->kind == TrackKind::Video) {
    const VideoTrackOptions& o = pub->track->video;
    pub->layers = layerCountFor(o);
    add->set_type(livekit::VIDEO);
    add->set_name(o.name);
    add->set_source(toProtoSource(o.source));
    add->set_width(static_cast<std::uint32_t>(o.width));
    add->set_height(static_cast<std::uint32_t>(o.height));
    const int top = topBitrateKbps(o);
    for (int l = 0; l < pub->layers; ++l) {
      const int divisor = 1 << (pub->layers - 1 - l);
      auto* layer = add->add_layers();
      // One layer is announced as the high one, as LiveKit clients do without simulcast.
      layer->set_quality(static_cast<livekit::VideoQuality>(pub->layers == 1 ? 2 : l));
      layer->set_width(static_cast<std::uint32_t>(o.width / divisor));
      layer->set_height(static_cast<std::uint32_t>(o.height / divisor));
      layer->set_bitrate(static_cast<std::uint32_t>(top * 1000 / (divisor * divisor)));
    }
  } else {
    const AudioTrackOptions& o = pub->track->audio;
    add->set_type(livekit::AUDIO);
    add->set_name(o.name);
    add->set_source(toProtoSource(o.source));
    add->set_disable_dtx(true);
    add->set_stereo(o.channels == 2);
  }
  HUDDLE_LOG_DEBUG(client, "publish cid={} kind={}", pub->cid, toString(pub->track->kind));
  publications_.push_back(std::move(pub));
  listener_.onMediaSignal(std::move(request));
}

void PeerMediaEngine::onTrackPublished(const livekit::TrackPublishedResponse& published) {
  for (auto& pub : publications_) {
    if (pub->cid != published.cid() || !pub->sid.empty()) continue;
    pub->sid = published.track().sid();
    pub->info = published.track();
    SendTrackSpec spec;
    spec.kind = pub->track->kind == TrackKind::Video ? SectionKind::Video : SectionKind::Audio;
    spec.cid = pub->cid;
    spec.streamId = pub->cid;
    if (pub->layers > 1) {
      for (int l = 0; l < pub->layers; ++l) spec.rids.emplace_back(kRids[static_cast<std::size_t>(l)]);
    }
    auto mid = publisher_->addSendTrack(spec);
    if (!mid.ok()) {
      failPublication(*pub, "no send section: " + mid.message());
      return;
    }
    pub->mid = *mid;
    negotiate();
    return;
  }
}

void PeerMediaEngine::startPending() {
  for (auto& pub : publications_) {
    if (pub->mid.empty() || pub->video || pub->audio) continue;
    const SendStreamParams* params = publisher_->sendParams(pub->mid, 0);
    if (params == nullptr || !params->negotiated) continue;
    if (!startSending(*pub)) failPublication(*pub, "the send pipeline could not start");
  }
  std::erase_if(publications_, [](const auto& p) { return p->track == nullptr; });
}

bool PeerMediaEngine::startSending(Publication& pub) {
  const std::uint32_t id = pub.id;
  std::weak_ptr<OutgoingQueue> queue = outgoing_;
  if (pub.track->kind == TrackKind::Video) {
    const VideoTrackOptions& o = pub.track->video;
    VideoSendPipelineConfig config;
    config.width = o.width;
    config.height = o.height;
    config.fps = o.fps > 0 ? o.fps : 30;
    config.layers = pub.layers;
    const int top = topBitrateKbps(o);
    for (int l = 0; l < pub.layers; ++l) {
      const int divisor = 1 << (pub.layers - 1 - l);
      config.bitratesKbps[static_cast<std::size_t>(l)] = std::max(50, top / (divisor * divisor) * (l == 0 && pub.layers == 3 ? 2 : 1));
      const SendStreamParams* params = publisher_->sendParams(pub.mid, static_cast<std::size_t>(l));
      if (params == nullptr || !params->negotiated) return false;
      RtpSendStreamConfig& stream = config.streams[static_cast<std::size_t>(l)];
      stream.ssrc = params->ssrc;
      if (params->rtxPayloadType != 0) stream.rtxSsrc = params->rtxSsrc;
      stream.payloadType = params->payloadType;
      stream.rtxPayloadType = params->rtxPayloadType;
      stream.extensions.mid = params->midExtensionId;
      stream.extensions.rid = params->ridExtensionId;
      stream.extensions.repairedRid = params->repairedRidExtensionId;
      stream.mid = std::string(params->mid);
      stream.rid = std::string(params->rid);
      stream.ntpAnchor = NtpAnchor::fromSystemClock();
      stream.firstSequence = static_cast<std::uint16_t>(randomU32());
      stream.firstRtxSequence = static_cast<std::uint16_t>(randomU32());
    }
    auto pipeline = VideoSendPipeline::create(config, [queue, id](int layer, RtpOutgoingPacket& packet) {
      if (auto q = queue.lock()) q->push(id, static_cast<std::uint16_t>(layer), packet.retransmission, packet.bytes);
    });
    if (!pipeline.ok()) {
      HUDDLE_LOG_ERROR(client, "video send pipeline: {}", pipeline.message());
      return false;
    }
    pub.video = std::move(pipeline).value();
  } else {
    const SendStreamParams* params = publisher_->sendParams(pub.mid, 0);
    const NegotiatedSection* remote = publisher_->remoteSection(pub.mid);
    AudioSendPipelineConfig config;
    config.channels = pub.track->audio.channels;
    config.bitrateBps = pub.track->audio.bitrateBps;
    config.stream.ssrc = params->ssrc;
    config.stream.payloadType = params->payloadType;
    config.stream.extensions.mid = params->midExtensionId;
    config.stream.extensions.audioLevel = remote != nullptr ? remote->extensions.audioLevel : 0;
    config.stream.mid = std::string(params->mid);
    config.stream.ntpAnchor = NtpAnchor::fromSystemClock();
    config.stream.firstSequence = static_cast<std::uint16_t>(randomU32());
    config.firstTimestamp = randomU32();
    auto pipeline = AudioSendPipeline::create(config, [queue, id](RtpOutgoingPacket& packet) {
      if (auto q = queue.lock()) q->push(id, 0, packet.retransmission, packet.bytes);
    });
    if (!pipeline.ok()) {
      HUDDLE_LOG_ERROR(client, "audio send pipeline: {}", pipeline.message());
      return false;
    }
    pub.audio = std::move(pipeline).value();
  }
  // Mute changes come from any thread; the request goes out from the network thread.
  auto muteHook = [post = loopPoster(), sid = pub.sid](bool muted) {
    post([sid, muted](PeerMediaEngine& self) {
      livekit::SignalRequest request;
      request.mutable_mute()->set_sid(sid);
      request.mutable_mute()->set_muted(muted);
      self.listener_.onMediaSignal(std::move(request));
    });
  };
  pub.track->attach(pub.video.get(), pub.audio.get(), pub.sid, std::move(muteHook));
  const TrackPublication publication = toPublication(pub.info);
  listener_.onMediaEvent([publication](RoomDelegate& d) { d.onLocalTrackPublished(publication); });
  if (pub.done) {
    PublishDone done = std::move(pub.done);
    pub.done = nullptr;
    done(PublishResult{true, "", publication});
  }
  HUDDLE_LOG_DEBUG(client, "publishing sid={} mid={} layers={}", pub.sid, pub.mid, pub.layers);
  return true;
}

void PeerMediaEngine::stopSending(Publication& pub) {
  // After detach() no push reaches the pipelines, so they can go.
  if (pub.track) pub.track->detach();
  pub.video.reset();
  pub.audio.reset();
}

void PeerMediaEngine::failPublication(Publication& pub, std::string why) {
  ++stats_.publishFailures;
  HUDDLE_LOG_WARN(client, "publish of {} failed: {}", pub.cid, why);
  stopSending(pub);
  if (pub.done) {
    PublishDone done = std::move(pub.done);
    pub.done = nullptr;
    done(PublishResult{false, std::move(why), {}});
  }
  // Marked for removal; callers erase it once they are done iterating.
  pub.track = nullptr;
}

void PeerMediaEngine::unpublishTrack(const std::shared_ptr<LocalTrackState>& track) {
  for (auto& pub : publications_) {
    if (pub->track != track) continue;
    if (pub->done) {
      failPublication(*pub, "unpublished before it was published");
    } else {
      stopSending(*pub);
      pub->track = nullptr;
      const TrackPublication publication = toPublication(pub->info);
      listener_.onMediaEvent([publication](RoomDelegate& d) { d.onLocalTrackUnpublished(publication); });
    }
    if (!pub->mid.empty() && publisher_) {
      (void)publisher_->removeSendTrack(pub->mid);
      negotiate();
    }
  }
  std::erase_if(publications_, [](const auto& p) { return p->track == nullptr; });
}

void PeerMediaEngine::onTrackUnpublishedByServer(const std::string& sid) {
  for (auto& pub : publications_) {
    if (pub->sid == sid && pub->track) {
      unpublishTrack(pub->track);
      return;
    }
  }
}

void PeerMediaEngine::applySubscribedQuality(const livekit::SubscribedQualityUpdate& update) {
  for (auto& pub : publications_) {
    if (pub->sid != update.track_sid() || !pub->video) continue;
    const auto& qualities = !update.subscribed_qualities().empty() || update.subscribed_codecs().empty()
                                ? update.subscribed_qualities()
                                : update.subscribed_codecs(0).qualities();
    if (pub->layers == 1) {
      bool any = false;
      for (const auto& q : qualities) any = any || q.enabled();
      if (!qualities.empty()) pub->video->setLayerActive(0, any);
      return;
    }
    for (const auto& q : qualities) {
      const int layer = static_cast<int>(q.quality());
      if (layer >= 0 && layer < pub->layers) pub->video->setLayerActive(layer, q.enabled());
    }
    return;
  }
}

void PeerMediaEngine::applyServerMute(const livekit::MuteTrackRequest& mute) {
  for (auto& pub : publications_) {
    if (pub->sid == mute.sid() && pub->track) pub->track->setMuted(mute.muted());
  }
}

PeerMediaEngine::Publication* PeerMediaEngine::findPublicationByMid(std::string_view mid) {
  for (auto& pub : publications_) {
    if (pub->mid == mid) return pub.get();
  }
  return nullptr;
}

void PeerMediaEngine::drainOutgoing() {
  if (closed_ || !publisher_) return;
  outgoing_->drain([this](OutgoingQueue::Packet& packet) {
    for (auto& pub : publications_) {
      if (pub->id != packet.stream || pub->mid.empty()) continue;
      const SendStreamParams* params = publisher_->sendParams(pub->mid, packet.layer);
      const bool rtx = packet.rtx && params != nullptr && params->rtxPayloadType != 0;
      publisher_->sendRtp(pub->mid, packet.layer, packet.bytes, packet.size, rtx);
      return;
    }
  });
  stats_.outgoingDropped = outgoing_->dropped();
}

void PeerMediaEngine::onSendFeedback(PeerSession& /*session*/, const SendFeedback& feedback) {
  handleSendFeedback(feedback);
}

void PeerMediaEngine::handleSendFeedback(const SendFeedback& feedback) {
  Publication* pub = findPublicationByMid(feedback.mid);
  if (pub == nullptr || feedback.aboutRtx) return;
  switch (feedback.type) {
    case SendFeedbackType::Pli:
    case SendFeedbackType::Fir:
      if (pub->video) pub->video->requestKeyframe(feedback.layer);
      break;
    case SendFeedbackType::Nack: {
      if (feedback.nack == nullptr) break;
      // The pipelines take RTCP as received; the session handed us the parsed message, so it is
      // written back into a single NACK for the stream it is about.
      std::array<rtc::NackItem, 64> items{};
      const std::size_t n = std::min(items.size(), feedback.nack->itemCount());
      for (std::size_t i = 0; i < n; ++i) items[i] = feedback.nack->item(i);
      std::array<std::uint8_t, 12 + 4 * 64> bytes{};
      const std::size_t size = rtc::RtcpNack::build(feedback.nack->senderSsrc(), feedback.mediaSsrc,
                                                    std::span(items.data(), n), bytes);
      const auto packet = rtc::parseRtcpPacket(std::span<const std::uint8_t>(bytes.data(), size));
      if (!packet) break;
      const StreamTime now = std::chrono::steady_clock::now();
      if (pub->video) pub->video->onRtcp(*packet, now);
      if (pub->audio) pub->audio->onRtcp(*packet, now);
      break;
    }
    case SendFeedbackType::Remb:
    case SendFeedbackType::TransportCc:
      // No send-side bandwidth estimation yet: the encoders keep their configured rates.
      break;
  }
}

void PeerMediaEngine::sendSenderReports(StreamTime now) {
  for (auto& pub : publications_) {
    if (pub->done && now > pub->deadline) failPublication(*pub, "the server did not accept the track in time");
  }
  std::erase_if(publications_, [](const auto& p) { return p->track == nullptr; });
  if (!publisher_ || publisher_->state() != rtc::TransportState::Connected) return;
  std::array<std::uint8_t, 128> buffer{};
  auto send = [&](const rtc::RtcpSenderReport& sr) {
    const std::size_t n = sr.build(buffer);
    if (n > 0) publisher_->sendRtcp(buffer, n);
  };
  for (auto& pub : publications_) {
    if (pub->video) {
      for (int l = 0; l < pub->video->layerCount(); ++l) {
        if (auto sr = pub->video->makeSenderReport(l, now)) send(*sr);
      }
    }
    if (pub->audio && pub->audio->stats().packetsSent > 0) send(pub->audio->makeSenderReport(now));
  }
}

}  // namespace huddle::client
