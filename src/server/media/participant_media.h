#pragma once
// Single-threaded: a ParticipantMedia lives on the worker that owns its room; no locks.
//
// One participant's media: its WebRTC transport(s), the sections negotiated on them, the
// receivers of what it publishes and the downtracks of what it subscribes to.
//
// Two connection models, as the LiveKit clients use them (docs/livekit-protocol.md 4.3, 4.4):
// - single (/rtc/v1): one transport; the client always offers. We answer its sending sections
//   (publications) and use its receive-only sections as slots for downtracks; when we need a
//   slot or a change, we ask for a new offer with media_sections_requirement.
// - classic (/rtc): the client offers on the publisher transport; we offer the subscriber
//   transport (data channels plus one section per downtrack) and the client answers.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "rtc/sdp/session_description.h"
#include "rtc/transport/webrtc_transport.h"
#include "server/media/bwe_glue.h"
#include "server/media/layer_control.h"
#include "server/media/loss_recovery.h"
#include "server/media/sdp_negotiation.h"
#include "server/media/speaker_levels.h"
#include "sfu/media/down_track.h"
#include "sfu/media/rtp_sink.h"
#include "sfu/media/track_receiver.h"
#include "sfu/room/room_types.h"

namespace huddle::server::media {

class MediaHub;

// What the media path says to the client over its signal connection (the server's session
// sink implements it; runs on the worker and only queues).
class MediaSignal {
 public:
  virtual ~MediaSignal() = default;
  virtual void sendAnswer(const std::string& sdp, std::uint32_t id,
                          const std::map<std::string, std::string>& midToTrackId) = 0;
  virtual void sendOffer(const std::string& sdp, std::uint32_t id,
                         const std::map<std::string, std::string>& midToTrackId) = 0;
  virtual void sendMediaSectionsRequirement(std::uint32_t audios, std::uint32_t videos) = 0;
  // A subscribed video track paused by congestion, or resumed (StreamStateUpdate).
  virtual void sendStreamState(const std::string& /*participantSid*/, const std::string& /*trackSid*/,
                               bool /*paused*/) {}
  // Dynacast: which layers of a published video track anyone receives (-1: none), so the
  // publisher can pause the others. `codec` is the lower-case subtype ("vp8").
  virtual void sendSubscribedQuality(const std::string& /*trackSid*/, int /*maxLayer*/,
                                     const std::string& /*codec*/) {}
  // The room's speakers changed (SpeakersChanged): active ones loudest first, then those that
  // stopped; and connection quality (ConnectionQualityUpdate) of us and whom we receive.
  virtual void sendSpeakersChanged(std::span<const sfu::quality::SpeakerEntry> /*speakers*/) {}
  virtual void sendConnectionQuality(
      std::span<const sfu::quality::ParticipantQualityEntry> /*entries*/) {}
};

struct ParticipantMediaSettings {
  std::string roomName;
  std::string sid;
  std::string identity;
  bool singlePeerConnection = true;
  bool canSubscribe = true;
  bool canPublishData = true;
  // Cap video to the subscriber's estimate; and whether a track that does not fit even at its
  // lowest layer is paused (else it keeps that layer). See RtcConfig.
  bool congestionControl = true;
  bool congestionAllowPause = false;
};

class ParticipantMedia final : private rtc::WebRtcTransport::Listener,
                               public sfu::KeyframeRequester,
                               public sfu::RtpSink {
 public:
  ParticipantMedia(MediaHub& hub, ParticipantMediaSettings settings,
                   std::shared_ptr<MediaSignal> sink);
  ParticipantMedia(const ParticipantMedia&) = delete;
  ParticipantMedia& operator=(const ParticipantMedia&) = delete;
  ~ParticipantMedia() override;

  [[nodiscard]] const ParticipantMediaSettings& settings() const { return settings_; }
  void setSink(std::shared_ptr<MediaSignal> sink) { sink_ = std::move(sink); }

  // Signal requests. `tracks` is this participant's own published tracks as the room knows
  // them (to map offered sections to AddTrack cids).
  void handleOffer(const std::string& sdp, std::uint32_t id,
                   const std::vector<sfu::TrackInfo>& tracks);
  void handleAnswer(const std::string& sdp, std::uint32_t id);
  // Classic mode: create the subscriber transport and send its first offer.
  void startSubscriberConnection();
  // After a resume (the client reconnected its signal with reconnect=1). Classic mode: the
  // client restarts ICE only on its publisher connection, so the subscriber connection gets a
  // fresh offer with new ICE credentials from us (DTLS, SRTP and downtracks stay); an offer
  // whose answer was lost with the old WebSocket is superseded by it. Single mode: nothing, the
  // client's own restart offer covers the one connection.
  void restartSubscriberIce();

  // Publications: the receiver of one of our tracks, once its section was negotiated.
  [[nodiscard]] sfu::TrackReceiver* receiver(const std::string& trackSid);
  [[nodiscard]] const sfu::ExtensionIds* publishedExtensions(const std::string& trackSid) const;
  // Tracks the room no longer lists are dropped (their subscribers must be gone already).
  void retainPublications(const std::vector<sfu::TrackInfo>& tracks);

  // Subscriptions.
  [[nodiscard]] std::vector<std::string> subscribedTrackSids() const;
  void subscribe(const std::string& publisherSid, const std::string& trackSid,
                 sfu::TrackReceiver& receiver, const sfu::ExtensionIds& publisherExtensions);
  void unsubscribe(const std::string& trackSid);
  // Drops every downtrack fed by `receiver` (its publisher is going away).
  void detachReceiver(const sfu::TrackReceiver& receiver);
  // Asks the client for the negotiation our subscriptions need, if any and none is pending.
  void negotiateIfNeeded();

  // Simulcast layer control (layer_control.h). Settings may come before the subscription.
  void setLayerPreference(const std::string& trackSid, const sfu::LayerPreference& preference);
  void setPublisherMuted(const std::string& trackSid, bool muted);
  // Re-applies every subscription's layer choice (layers start and stop arriving).
  void refreshLayers(std::chrono::steady_clock::time_point now);
  // The layer this participant wants of a track it subscribes to (-1: none, also when not
  // subscribed): what dynacast keeps the publisher sending.
  [[nodiscard]] int wantedLayer(const std::string& trackSid) const;
  [[nodiscard]] MediaSignal* signal() const { return sink_.get(); }

  // What one layer of one of our published tracks arrives at (bwe_glue.h); 0 when unknown.
  [[nodiscard]] std::uint64_t publishedLayerBitrate(const sfu::TrackReceiver& receiver, int layer,
                                                    std::chrono::steady_clock::time_point now) {
    return bwe_.layerBitrate(receiver, layer, now);
  }

  // Speakers and connection quality (speaker_levels.h, media_hub_quality.cpp).
  [[nodiscard]] ParticipantQuality& quality() { return quality_; }
  void forEachPublication(const std::function<void(const std::string& trackSid,
                                                   sfu::TrackReceiver& receiver)>& fn);
  void forEachDownTrack(const std::function<void(const std::string& publisherSid,
                                                 const sfu::DownTrack& downTrack)>& fn) const;

  // A relayed DataPacket for this participant.
  void sendData(bool reliable, std::span<const std::uint8_t> bytes);

  // sfu::KeyframeRequester: PLI to the client for one of its SSRCs.
  void requestKeyframe(std::uint32_t publisherSsrc) override;
  // sfu::RtpSink: our downtracks send through the downstream transport.
  bool sendRtp(std::span<std::uint8_t> buffer, std::size_t length) override;

 private:
  struct Publication;
  struct Subscription;
  struct Slot {  // single mode: a receive-only section of the client's offer
    std::string mid;
    rtc::MediaKind kind = rtc::MediaKind::Audio;
    Subscription* user = nullptr;
    bool retired = false;  // carried a track once; never reused
  };

  // rtc::WebRtcTransport::Listener
  void onTransportStateChanged(rtc::WebRtcTransport& transport, rtc::TransportState state) override;
  void onRtpPacket(rtc::WebRtcTransport& transport, std::span<std::uint8_t> packet) override;
  void onRtcpPacket(rtc::WebRtcTransport& transport, std::span<std::uint8_t> packet) override;
  void onDataChannelOpen(rtc::WebRtcTransport& transport, std::uint16_t id,
                         std::string_view label) override;
  void onDataChannelMessage(rtc::WebRtcTransport& transport, std::uint16_t id,
                            std::span<const std::uint8_t> data, bool binary) override;
  void onDataChannelClose(rtc::WebRtcTransport& transport, std::uint16_t id) override;

  std::unique_ptr<rtc::WebRtcTransport> newTransport();
  rtc::WebRtcTransport* downstream() const;
  Publication* publicationFor(const rtc::RtpPacketView& packet);
  Subscription* subscriptionBySsrc(std::uint32_t ssrc);
  void attachDownTrack(Subscription& sub, const AcceptedSubscription& accepted);
  void sendSubscriberOffer();
  void answerSlot(const rtc::MediaDescription& offered, Slot& slot, rtc::MediaDescription& out);
  std::uint32_t newSsrc();
  // The congestion cap of our video downtracks from our estimate (bwe_glue.h).
  void applyCongestionCaps(std::chrono::steady_clock::time_point now);

  MediaHub& hub_;
  ParticipantMediaSettings settings_;
  std::shared_ptr<MediaSignal> sink_;

  // Single mode: the only transport. Classic mode: the publisher transport.
  std::unique_ptr<rtc::WebRtcTransport> offered_;
  // Classic mode: the subscriber transport (we offer).
  std::unique_ptr<rtc::WebRtcTransport> offering_;
  std::optional<std::string> remoteUfrag_;

  std::vector<std::unique_ptr<Publication>> publications_;
  // Publisher SSRC -> (publication index, layer); learnt from signalled SSRCs or mid/rid.
  std::unordered_map<std::uint32_t, std::pair<Publication*, int>> ssrcRoutes_;
  std::uint8_t midExtensionId_ = 0;
  std::uint8_t ridExtensionId_ = 0;

  std::vector<std::unique_ptr<Subscription>> subscriptions_;
  // UpdateTrackSettings by track sid, kept across (re)subscriptions; bounded.
  std::map<std::string, sfu::LayerPreference, std::less<>> layerPreferences_;
  std::vector<Slot> slots_;
  bool negotiationRequested_ = false;  // single: media_sections_requirement sent, offer due
  bool slotsChanged_ = false;          // single: a slot lost its track; answer it inactive
  std::uint32_t lastOfferId_ = 0;

  // Classic subscriber connection.
  std::uint32_t serverOfferId_ = 0;
  bool serverOfferInFlight_ = false;
  bool serverOfferDirty_ = false;
  std::uint64_t sdpVersion_ = 1;
  std::uint64_t sessionId_ = 0;
  struct OfferedSection {
    std::string mid;
    rtc::MediaKind kind = rtc::MediaKind::Audio;  // kept for life: m-lines never change kind
    Subscription* user = nullptr;
  };
  std::vector<OfferedSection> offeredSections_;

  std::map<std::string, std::uint16_t, std::less<>> channelsByLabel_;  // on downstream
  BweGlue bwe_;
  ParticipantQuality quality_;
  std::map<std::uint16_t, bool> incomingChannels_;                     // id -> reliable
  LossRecovery loss_;  // NACK/RTX both ways, sender and receiver reports (loss_recovery.h)
  std::uint8_t repairedRidExtensionId_ = 0;
};

}  // namespace huddle::server::media
