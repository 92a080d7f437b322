#pragma once
// Single-threaded: every method and PeerSession callback runs on the Room's network thread. Media
// threads (codec, capture, decode) reach it only through the OutgoingQueue and posted tasks that
// hold a weak token, so nothing runs on a destroyed engine.
//
// The real MediaEngine: LiveKit's peer connection(s) on PeerSession plus the media pipelines.
// /rtc/v1: one connection; we offer, the server answers and maps receive sections to tracks.
// /rtc (fallback): a publisher connection we offer and a subscriber connection the server offers.
// Publishing: AddTrack, track_published, a send section, renegotiation, then a send pipeline
// attached to the application's LocalTrack. Subscribing: the first packet of a mapped track
// creates a receive pipeline and a RemoteTrack (onTrackSubscribed); a publication that leaves
// the room model ends it (onTrackUnsubscribed).

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/media_engine.h"
#include "client/outgoing_queue.h"
#include "client/peer/peer_session.h"
#include "client/stream/stream_clock.h"

namespace huddle::client {

class AudioReceivePipeline;
class AudioSendPipeline;
class RemoteTrack;
class RemoteTrackState;
class VideoReceivePipeline;
class VideoSendPipeline;

struct PeerMediaEngineStats {
  std::uint64_t publishRequests = 0;
  std::uint64_t publishFailures = 0;
  std::uint64_t offersSent = 0;
  std::uint64_t answersApplied = 0;
  std::uint64_t answersRejected = 0;
  std::uint64_t staleAnswers = 0;
  std::uint64_t subscriptions = 0;
  std::uint64_t unsubscriptions = 0;
  std::uint64_t packetsWithoutPublication = 0;  // media for a track the model does not know yet
  std::uint64_t outgoingDropped = 0;
  std::uint64_t tricklesIgnored = 0;
};

class PeerMediaEngine final : public MediaEngine, private PeerSession::Listener {
 public:
  // The factory a Room uses by default.
  [[nodiscard]] static MediaEngineFactory factory();

  PeerMediaEngine(boost::asio::io_context& io, MediaEngine::Listener& listener,
                  std::shared_ptr<const rtc::DtlsCertificate> certificate);
  ~PeerMediaEngine() override;

  // MediaEngine
  [[nodiscard]] std::optional<livekit::SessionDescription> initialOffer() override;
  void onJoined(const livekit::JoinResponse& join, bool singlePeerConnection) override;
  void onAnswer(const livekit::SessionDescription& answer) override;
  void onOffer(const livekit::SessionDescription& offer) override;
  void onTrickle(const livekit::TrickleRequest& trickle) override;
  void onMediaSectionsRequirement(const livekit::MediaSectionsRequirement& requirement) override;
  void restartIce() override;
  bool sendData(bool reliable, std::span<const std::uint8_t> packet) override;
  void close() override;
  void onSignalResponse(const livekit::SignalResponse& message) override;
  void onPublicationsChanged() override;
  void publishTrack(std::shared_ptr<LocalTrackState> track, PublishDone done) override;
  void unpublishTrack(const std::shared_ptr<LocalTrackState>& track) override;

  [[nodiscard]] const PeerMediaEngineStats& stats() const noexcept { return stats_; }

 private:
  struct Publication;
  struct Subscription;

  // Runs a task on the network thread later, unless the engine is closed or gone by then. The
  // returned poster may be called from any thread and outlive the engine.
  using LoopTask = std::function<void(PeerMediaEngine&)>;
  [[nodiscard]] std::function<void(LoopTask)> loopPoster();

  // ---- negotiation (peer_media_engine.cpp)
  bool ensurePublisher();
  void negotiate();
  void sendOffer();
  void onTransportState(PeerSession& session, rtc::TransportState state);
  void schedulePeriodic();
  void onPeriodic();
  void reportConnectionStats(StreamTime now);
  void watchTransports(StreamTime now);

  // ---- publishing (peer_media_publish.cpp)
  void onTrackPublished(const livekit::TrackPublishedResponse& published);
  void onTrackUnpublishedByServer(const std::string& sid);
  void startPending();
  bool startSending(Publication& pub);
  void stopSending(Publication& pub);
  void failPublication(Publication& pub, std::string why);
  void applySubscribedQuality(const livekit::SubscribedQualityUpdate& update);
  void applyServerMute(const livekit::MuteTrackRequest& mute);
  void drainOutgoing();
  void handleSendFeedback(const SendFeedback& feedback);
  void sendSenderReports(StreamTime now);
  [[nodiscard]] Publication* findPublicationByMid(std::string_view mid);

  // ---- subscribing (peer_media_subscribe.cpp)
  Subscription* subscribe(PeerSession& session, std::string_view mid, std::string_view trackSid,
                          std::span<const std::uint8_t> firstPacket);
  void unsubscribe(std::size_t index);
  void unsubscribeAll();
  void tickSubscriptions(StreamTime now, bool reportNow);
  void deliverReport(const rtc::RtcpSenderReport& sr, StreamTime now);
  void sendRtcpOn(PeerSession& session, std::span<const std::uint8_t> rtcp);

  // PeerSession::Listener
  void onConnectionStateChanged(PeerSession& session, rtc::TransportState state) override;
  void onRemoteTrackRtp(PeerSession& session, std::string_view mid, std::string_view trackSid,
                        std::span<std::uint8_t> packet) override;
  void onSendFeedback(PeerSession& session, const SendFeedback& feedback) override;
  void onReport(PeerSession& session, const rtc::RtcpSenderReport* sr, const rtc::RtcpReceiverReport* rr) override;
  void onDataChannelOpen(PeerSession& session, std::string_view label) override;
  void onDataMessage(PeerSession& session, std::string_view label, std::span<const std::uint8_t> data) override;

  boost::asio::io_context& io_;
  MediaEngine::Listener& listener_;
  std::shared_ptr<const rtc::DtlsCertificate> certificate_;
  // Posted tasks and media threads hold this weakly; it dies with the engine.
  std::shared_ptr<PeerMediaEngine*> alive_;
  std::shared_ptr<OutgoingQueue> outgoing_;

  std::unique_ptr<PeerSession> publisher_;   // v1: the only connection
  std::unique_ptr<PeerSession> subscriber_;  // v0 only
  bool singlePeerConnection_ = true;
  bool joined_ = false;
  bool closed_ = false;
  bool offerInFlight_ = false;
  bool renegotiate_ = false;
  std::uint32_t offerId_ = 0;

  std::vector<std::unique_ptr<Publication>> publications_;
  std::uint32_t nextPublicationId_ = 1;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;

  boost::asio::steady_timer timer_;
  StreamTime nextReport_{};
  StreamTime lastStatsReport_{};
  std::uint64_t sentBytesAtLastReport_ = 0;
  // Inbound silence watchdog: a connected transport that hears nothing (not even the consent
  // responses every 4-6 s) for kSilenceTimeout has lost its path; ICE itself waits 30 s.
  struct Watch {
    std::uint64_t received = 0;
    StreamTime lastProgress{};
  };
  std::array<Watch, 2> watch_{};  // publisher, subscriber
  bool failureReported_ = false;
  PeerMediaEngineStats stats_;
};

}  // namespace huddle::client
