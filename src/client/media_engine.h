#pragma once
// Single-threaded: every call and every Listener callback runs on the Room's network thread.
//
// The seam between the signalling/room layer and the peer connection(s). The Room hands every
// SDP and ICE message of the signal connection to its MediaEngine and sends whatever the engine
// asks it to send. Until the peer connection (client/peer) is wired in, NullMediaEngine stands
// in: it never offers, so a v1 join carries no publisher_offer (allowed: JS on Firefox joins the
// same way and sends its offer after `join`).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "client/connection_stats.h"
#include "client/participant.h"
#include "client/room_model.h"
#include "livekit_rtc.pb.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace huddle::client {

class LocalTrackState;

class MediaEngine {
 public:
  // The engine may call these from any of its methods or from its own I/O handlers. They must
  // not destroy the engine.
  class Listener {
   public:
    virtual ~Listener() = default;
    // An offer, answer or trickle for the server.
    virtual void onMediaSignal(livekit::SignalRequest request) = 0;
    // One DataPacket from the _reliable or _lossy channel.
    virtual void onMediaData(bool reliable, std::span<const std::uint8_t> packet) = 0;
    // A data channel opened or closed (publishData is refused while none is open).
    virtual void onMediaDataChannel(bool reliable, bool open) = 0;
    // The transport failed for good (a future reconnect trigger).
    virtual void onMediaFailed() = 0;
    // A delegate call to queue (track subscribed/unsubscribed, local track published...).
    virtual void onMediaEvent(DelegateCall call) { (void)call; }
    // About once a second: the media half of ConnectionStats (the Room adds the rest).
    virtual void onMediaStats(const ConnectionStats& stats) { (void)stats; }
    // The participant and publication a track sid belongs to, from the room model.
    virtual std::optional<std::pair<ParticipantInfo, TrackPublication>> findPublication(const std::string& trackSid) {
      (void)trackSid;
      return std::nullopt;
    }
  };

  // Ends with the track's publication, or a message saying why not.
  using PublishDone = std::function<void(PublishResult)>;

  virtual ~MediaEngine() = default;

  // The first offer, when the engine can produce it before the join (it then travels in the
  // v1 JoinRequest). nullopt: the engine sends it through onMediaSignal after onJoined.
  [[nodiscard]] virtual std::optional<livekit::SessionDescription> initialOffer() = 0;
  // singlePeerConnection: the join went over /rtc/v1.
  virtual void onJoined(const livekit::JoinResponse& join, bool singlePeerConnection) = 0;
  virtual void onAnswer(const livekit::SessionDescription& answer) = 0;
  // v0: the server offers the subscriber connection; the engine answers through the listener.
  virtual void onOffer(const livekit::SessionDescription& offer) = 0;
  virtual void onTrickle(const livekit::TrickleRequest& trickle) = 0;
  virtual void onMediaSectionsRequirement(const livekit::MediaSectionsRequirement& requirement) = 0;
  // Resume: new ICE credentials in the next offer (section 5.2).
  virtual void restartIce() = 0;
  // The server accepted a resume (ReconnectResponse on the new signal connection): restart ICE
  // and renegotiate with the ICE servers/settings it sent.
  virtual void onResumed(const livekit::ReconnectResponse& reconnect) {
    (void)reconnect;
    restartIce();
  }
  // false when no data channel is open.
  virtual bool sendData(bool reliable, std::span<const std::uint8_t> packet) = 0;
  virtual void close() = 0;

  // Publishing and subscription messages (track_published, track_unpublished, mute,
  // stream_state_update, subscribed_quality_update, request_response...).
  virtual void onSignalResponse(const livekit::SignalResponse& message) { (void)message; }
  // The room model changed (participants or publications): remote tracks whose publication is
  // gone end here.
  virtual void onPublicationsChanged() {}
  virtual void publishTrack(std::shared_ptr<LocalTrackState> track, PublishDone done) {
    (void)track;
    done(PublishResult{false, "this Room has no media engine", {}});
  }
  virtual void unpublishTrack(const std::shared_ptr<LocalTrackState>& track) { (void)track; }
};

// Signalling only: ignores every SDP and ICE message and has no data channels.
class NullMediaEngine final : public MediaEngine {
 public:
  [[nodiscard]] std::optional<livekit::SessionDescription> initialOffer() override { return std::nullopt; }
  void onJoined(const livekit::JoinResponse&, bool) override {}
  void onAnswer(const livekit::SessionDescription&) override {}
  void onOffer(const livekit::SessionDescription&) override {}
  void onTrickle(const livekit::TrickleRequest&) override {}
  void onMediaSectionsRequirement(const livekit::MediaSectionsRequirement&) override {}
  void restartIce() override {}
  bool sendData(bool, std::span<const std::uint8_t>) override { return false; }
  void close() override {}
};

// How a Room makes its engine (on the network thread, once per connection attempt). The default
// makes a NullMediaEngine; tests and the peer-connection wiring install their own.
using MediaEngineFactory =
    std::function<std::unique_ptr<MediaEngine>(boost::asio::io_context&, MediaEngine::Listener&)>;

}  // namespace huddle::client
