// PeerMediaEngine: subscribing (remote tracks, receive pipelines, audio clock, receiver reports).

#include <array>
#include <cstring>
#include <random>

#include "client/peer_media_engine.h"
#include "client/peer_media_engine_parts.h"
#include "common/log.h"
#include "rtc/rtp/rtcp_report.h"

namespace huddle::client {

namespace {

constexpr auto kAudioFrame = std::chrono::milliseconds(10);
// The audio clock catches up at most this many frames per tick; further behind it skips ahead.
constexpr int kMaxPullsPerTick = 5;

std::uint32_t readU32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

}  // namespace

void PeerMediaEngine::onRemoteTrackRtp(PeerSession& session, std::string_view mid, std::string_view trackSid,
                                       std::span<std::uint8_t> packet) {
  if (closed_ || trackSid.empty()) return;
  Subscription* sub = nullptr;
  for (auto& s : subscriptions_) {
    if (s->trackSid == trackSid && s->session == &session) {
      sub = s.get();
      break;
    }
  }
  if (sub == nullptr) {
    sub = subscribe(session, mid, trackSid, packet);
    if (sub == nullptr) return;
  }
  const StreamTime now = std::chrono::steady_clock::now();
  if (sub->videoPipeline) {
    sub->videoPipeline->onRtp(packet, now);
  } else if (sub->audioPipeline) {
    sub->audioPipeline->onRtp(packet, now);
  }
}

PeerMediaEngine::Subscription* PeerMediaEngine::subscribe(PeerSession& session, std::string_view mid,
                                                          std::string_view trackSid,
                                                          std::span<const std::uint8_t> firstPacket) {
  const NegotiatedSection* remote = session.remoteSection(mid);
  if (remote == nullptr || firstPacket.size() < 12) return nullptr;
  auto found = listener_.findPublication(std::string(trackSid));
  if (!found) {
    // Media can overtake the ParticipantUpdate that announces the track; the next packets retry.
    ++stats_.packetsWithoutPublication;
    return nullptr;
  }
  const auto& [participant, publication] = *found;
  const bool video = remote->kind == rtc::MediaKind::Video;
  const std::uint8_t payloadType = firstPacket[1] & 0x7f;
  if (video && remote->rtxPayloadType && payloadType == *remote->rtxPayloadType) return nullptr;
  const std::uint32_t ssrc = readU32(firstPacket, 8);

  auto sub = std::make_unique<Subscription>();
  sub->trackSid = std::string(trackSid);
  sub->mid = std::string(mid);
  sub->session = &session;
  sub->video = video;
  sub->ssrc = ssrc;
  sub->state = std::make_shared<RemoteTrackState>(video ? TrackKind::Video : TrackKind::Audio, sub->trackSid,
                                                  participant.identity, participant.sid, publication.name,
                                                  publication.source);
  const StreamTime now = std::chrono::steady_clock::now();
  sub->lastReport = now;
  sub->nextPull = now;
  static thread_local std::mt19937 rng{std::random_device{}()};
  if (video) {
    VideoReceivePipelineConfig config;
    config.stream.ssrc = ssrc;
    for (std::size_t i = 0; i < remote->ssrcs.size() && i < remote->rtxSsrcs.size(); ++i) {
      if (remote->ssrcs[i] == ssrc && remote->rtxSsrcs[i] != 0) config.stream.rtxSsrc = remote->rtxSsrcs[i];
    }
    config.stream.payloadType = payloadType;
    config.stream.rtxPayloadType = static_cast<std::uint8_t>(remote->rtxPayloadType.value_or(0));
    config.stream.nack = remote->nack;
    config.stream.localSsrc = static_cast<std::uint32_t>(rng()) | 1u;
    PeerSession* target = &session;
    auto pipeline = VideoReceivePipeline::create(
        config, [state = sub->state](const media::I420View& frame) { state->deliverVideo(frame); },
        [this, target](std::span<const std::uint8_t> rtcp) { sendRtcpOn(*target, rtcp); },
        [post = loopPoster()](std::function<void()> task) {
          post([task = std::move(task)](PeerMediaEngine&) { task(); });
        });
    if (!pipeline.ok()) {
      HUDDLE_LOG_WARN(client, "video receive pipeline for {}: {}", sub->trackSid, pipeline.message());
      return nullptr;
    }
    sub->videoPipeline = std::move(pipeline).value();
    sub->track = std::make_shared<RemoteVideoTrack>(sub->state);
  } else {
    AudioReceiveStreamConfig config;
    config.ssrc = ssrc;
    config.payloadType = payloadType;
    auto pipeline = AudioReceivePipeline::create(config);
    if (!pipeline.ok()) {
      HUDDLE_LOG_WARN(client, "audio receive pipeline for {}: {}", sub->trackSid, pipeline.message());
      return nullptr;
    }
    sub->audioPipeline = std::move(pipeline).value();
    sub->track = std::make_shared<RemoteAudioTrack>(sub->state);
  }
  // Preferences set on the track (any thread) go to the server from the network thread.
  sub->state->setSettingsHook([post = loopPoster(), sid = sub->trackSid](const RemoteTrackState::Settings& settings) {
    post([sid, settings](PeerMediaEngine& self) {
      livekit::SignalRequest request;
      auto* update = request.mutable_track_setting();
      update->add_track_sids(sid);
      update->set_disabled(!settings.enabled);
      update->set_quality(static_cast<livekit::VideoQuality>(settings.quality));
      update->set_width(static_cast<std::uint32_t>(settings.width));
      update->set_height(static_cast<std::uint32_t>(settings.height));
      self.listener_.onMediaSignal(std::move(request));
    });
  });
  ++stats_.subscriptions;
  HUDDLE_LOG_DEBUG(client, "subscribed {} from {} on mid {} ssrc {}", sub->trackSid, participant.identity, sub->mid,
                   ssrc);
  listener_.onMediaEvent([participant, publication, track = sub->track](RoomDelegate& d) {
    d.onTrackSubscribed(participant, publication, track);
  });
  subscriptions_.push_back(std::move(sub));
  return subscriptions_.back().get();
}

void PeerMediaEngine::unsubscribe(std::size_t index) {
  std::unique_ptr<Subscription> sub = std::move(subscriptions_[index]);
  subscriptions_.erase(subscriptions_.begin() + static_cast<std::ptrdiff_t>(index));
  sub->state->deactivate();
  sub->state->setSettingsHook(nullptr);
  // Joins the decode thread: no frame reaches the application's sink after this.
  sub->videoPipeline.reset();
  sub->audioPipeline.reset();
  ++stats_.unsubscriptions;
  RemoteParticipant participant;
  TrackPublication publication;
  if (auto found = listener_.findPublication(sub->trackSid)) {
    participant = found->first;
    publication = found->second;
  } else {
    // The publication is already gone from the model: describe it from what we kept.
    participant.identity = sub->state->participantIdentity;
    participant.sid = sub->state->participantSid;
    publication.sid = sub->trackSid;
    publication.name = sub->state->name;
    publication.kind = sub->state->kind;
    publication.source = sub->state->source;
  }
  listener_.onMediaEvent([participant, publication, track = sub->track](RoomDelegate& d) {
    d.onTrackUnsubscribed(participant, publication, track);
  });
}

void PeerMediaEngine::unsubscribeAll() {
  while (!subscriptions_.empty()) unsubscribe(subscriptions_.size() - 1);
}

void PeerMediaEngine::onPublicationsChanged() {
  if (closed_) return;
  for (std::size_t i = subscriptions_.size(); i-- > 0;) {
    if (!listener_.findPublication(subscriptions_[i]->trackSid)) unsubscribe(i);
  }
}

void PeerMediaEngine::tickSubscriptions(StreamTime now, bool reportNow) {
  for (auto& sub : subscriptions_) {
    if (sub->videoPipeline) {
      sub->videoPipeline->tick(now);
      continue;
    }
    if (now - sub->nextPull > kAudioFrame * 10) sub->nextPull = now;  // the loop stalled: skip ahead
    for (int i = 0; i < kMaxPullsPerTick && sub->nextPull <= now; ++i) {
      sub->audioPipeline->pull10ms(sub->nextPull, sub->pulled);
      sub->state->deliverAudio(sub->pulled);
      sub->nextPull += kAudioFrame;
    }
  }
  if (!reportNow) return;

  // A section the server gave to another track no longer carries this one.
  for (std::size_t i = subscriptions_.size(); i-- > 0;) {
    const Subscription& sub = *subscriptions_[i];
    if (sub.session->trackSidOf(sub.mid) != sub.trackSid) unsubscribe(i);
  }
  for (PeerSession* session : {publisher_.get(), subscriber_.get()}) {
    if (session == nullptr || session->state() != rtc::TransportState::Connected) continue;
    rtc::RtcpReceiverReport rr;
    rr.ssrc = 1;
    for (auto& sub : subscriptions_) {
      if (sub->session != session) continue;
      std::optional<rtc::ReportBlock> block =
          sub->videoPipeline ? sub->videoPipeline->makeReportBlock(now) : sub->audioPipeline->makeReportBlock(now);
      if (!block) continue;
      rr.reports.push(*block);
      sub->lossFraction = block->fractionLost / 256.0;
      sub->jitterMs = block->jitter * 1000.0 / (sub->videoPipeline ? 90000.0 : 48000.0);
    }
    if (rr.reports.count == 0) continue;
    std::array<std::uint8_t, 8 + rtc::kReportBlockSize * rtc::kMaxReportBlocks> bytes{};
    const std::size_t n = rr.build(bytes);
    if (n > 0) sendRtcpOn(*session, std::span<const std::uint8_t>(bytes.data(), n));
  }
  for (auto& sub : subscriptions_) {
    RemoteTrackStats s;
    const double seconds = std::chrono::duration<double>(now - sub->lastReport).count();
    if (sub->videoPipeline) {
      const VideoReceiveStreamStats& st = sub->videoPipeline->streamStats();
      const VideoReceivePipelineStats ps = sub->videoPipeline->stats();
      s.packetsReceived = st.packets;
      s.bytesReceived = st.bytes;
      s.packetsLost = st.lost;
      s.packetsRecovered = st.recovered;
      s.nacksSent = st.nackRequests;
      s.keyframesRequested = st.keyframesRequested + ps.keyframesRequested;
      s.framesDecoded = ps.framesDecoded;
      s.framesDropped = ps.framesDropped + st.framesDropped;
      s.freezes = st.freezes;
      s.freezeSeconds = static_cast<double>(st.totalFreezeUs) / 1e6;
      s.width = ps.lastWidth;
      s.height = ps.lastHeight;
    } else {
      const AudioReceiveStreamStats st = sub->audioPipeline->stats();
      s.packetsReceived = st.packets;
      s.bytesReceived = st.bytes;
      s.packetsRecovered = st.fecRecoveredPackets;
      s.concealedSamples = st.concealedSamples;
      s.framesDecoded = st.samplesOut / 480;
      s.framesDropped = st.latePackets + st.discardedPackets;
    }
    s.bitrateBps = seconds > 0 ? static_cast<double>(s.bytesReceived - sub->bytesAtLastReport) * 8.0 / seconds : 0;
    sub->bytesAtLastReport = s.bytesReceived;
    sub->lastReport = now;
    sub->state->publishStats(s);
    sub->lastStats = s;
  }
}

void PeerMediaEngine::onReport(PeerSession& /*session*/, const rtc::RtcpSenderReport* sr,
                               const rtc::RtcpReceiverReport* /*rr*/) {
  if (sr == nullptr) return;
  deliverReport(*sr, std::chrono::steady_clock::now());
}

void PeerMediaEngine::deliverReport(const rtc::RtcpSenderReport& sr, StreamTime now) {
  for (auto& sub : subscriptions_) {
    if (sub->ssrc != sr.ssrc) continue;
    if (sub->videoPipeline) sub->videoPipeline->onSenderReport(sr, now);
    if (sub->audioPipeline) sub->audioPipeline->onSenderReport(sr, now);
  }
}

void PeerMediaEngine::sendRtcpOn(PeerSession& session, std::span<const std::uint8_t> rtcp) {
  std::array<std::uint8_t, 1500> buffer{};
  if (rtcp.size() + OutgoingQueue::kTailroom > buffer.size()) return;
  std::memcpy(buffer.data(), rtcp.data(), rtcp.size());
  session.sendRtcp(buffer, rtcp.size());
}

}  // namespace huddle::client
