#pragma once
// Single-threaded: a MediaHub belongs to one media worker and runs on its thread; no locks
// (the counters are atomics so that /metrics can read them from the signaling thread).
//
// The media side of a worker: one UDP port (ICE ufrag demux) shared by every transport, the
// DTLS certificate, and each room's ParticipantMedia objects. Rooms say what changed through
// RoomMediaListener; the hub then brings transports and downtracks in line with the room's
// participants and subscriptions (reconcile), after the room operation has finished.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/result.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/transport/udp_mux.h"
#include "server/media/participant_media.h"
#include "sfu/quality/speaker_detector.h"
#include "sfu/room/room.h"
#include "sfu/room/room_manager.h"

namespace huddle::server::media {

enum class MediaHubError : std::uint8_t { Certificate, Socket };

struct MediaHubOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t udpPort = 0;  // 0: an ephemeral port
  // Announced in UDP candidates instead of the bound port (1:1 NAT port forward, test relay);
  // 0: the bound port.
  std::uint16_t advertisedUdpPort = 0;
};

// Bad or unroutable input at the media layer, and what was forwarded. Relaxed atomics: written
// by the worker, read by /metrics.
struct MediaCounters {
  std::atomic<std::uint64_t> rtpUnparsed{0};
  std::atomic<std::uint64_t> rtpUnknownStream{0};  // no section/track for its SSRC, mid or rid
  std::atomic<std::uint64_t> rtcpMalformed{0};
  std::atomic<std::uint64_t> sdpRejected{0};
  std::atomic<std::uint64_t> dataMalformed{0};
  std::atomic<std::uint64_t> dataNotAllowed{0};
  std::atomic<std::uint64_t> dataRelayed{0};
  std::atomic<std::uint64_t> keyframeRequests{0};
  std::atomic<std::uint64_t> transportsConnected{0};
  std::atomic<std::uint64_t> transportsFailed{0};
  // Loss recovery and reports (server/media/loss_recovery). NACK figures count sequence numbers.
  std::atomic<std::uint64_t> nacksReceived{0};          // asked by subscribers
  std::atomic<std::uint64_t> retransmissionsSent{0};    // answered, RTX or plain
  std::atomic<std::uint64_t> retransmissionsRtx{0};     // of which as RTX
  std::atomic<std::uint64_t> retransmissionsMissed{0};  // not (or no longer) in the cache
  std::atomic<std::uint64_t> nacksSent{0};              // asked of publishers
  std::atomic<std::uint64_t> rtxReceived{0};            // publisher RTX unwrapped and fed
  std::atomic<std::uint64_t> rtxPadding{0};             // publisher RTX without payload (probes)
  std::atomic<std::uint64_t> senderReportsSent{0};
  std::atomic<std::uint64_t> receiverReportsSent{0};
  // Bandwidth estimation (server/media/bwe_glue).
  std::atomic<std::uint64_t> twccFeedbackSent{0};      // transport-cc feedback to publishers
  std::atomic<std::uint64_t> twccFeedbackReceived{0};  // from subscribers, about what we send
  std::atomic<std::uint64_t> rembSent{0};
  std::atomic<std::uint64_t> rembReceived{0};
  std::atomic<std::uint64_t> congestionPauses{0};      // video downtracks paused by the cap
  std::atomic<std::uint64_t> congestionResumes{0};
  std::atomic<std::uint64_t> bweResets{0};             // estimates restarted by an ICE restart
  // Speakers and connection quality (media_hub_quality.cpp).
  std::atomic<std::uint64_t> speakerUpdates{0};       // SpeakersChanged messages sent
  std::atomic<std::uint64_t> qualityUpdates{0};       // ConnectionQualityUpdate messages sent
  std::atomic<std::uint64_t> audioLevelMissing{0};    // audio packets without a readable level
};

class MediaHub final : public sfu::RoomMediaListener {
 public:
  [[nodiscard]] static Result<std::unique_ptr<MediaHub>, MediaHubError> create(
      boost::asio::io_context& io, sfu::RoomManager& rooms, const MediaHubOptions& options);
  MediaHub(const MediaHub&) = delete;
  MediaHub& operator=(const MediaHub&) = delete;
  ~MediaHub() override;

  // After a join: the participant's media state. v1 joins may carry the first offer.
  ParticipantMedia& addParticipant(sfu::Room& room, ParticipantMediaSettings settings,
                                   std::shared_ptr<MediaSignal> sink);
  [[nodiscard]] ParticipantMedia* find(const std::string& roomName, const std::string& sid);

  // Signal requests routed from the session.
  void handleOffer(const std::string& roomName, const std::string& sid, const std::string& sdp,
                   std::uint32_t id);
  void handleAnswer(const std::string& roomName, const std::string& sid, const std::string& sdp,
                    std::uint32_t id);
  // A DataPacket from a participant's data channel: stamped and routed to the others.
  void relayData(const ParticipantMedia& from, bool reliable, std::span<const std::uint8_t> bytes);
  // UpdateTrackSettings from a subscriber (media_hub_layers.cpp).
  void updateTrackSettings(const std::string& roomName, const std::string& sid,
                           const std::vector<std::string>& trackSids,
                           const TrackSettingsRequest& request);
  // RoomService SendData and other server-made packets: already encoded.
  void deliverData(const std::string& roomName, const std::string& sid, bool reliable,
                   std::span<const std::uint8_t> bytes);

  // From a ParticipantMedia: a publication's section is negotiated (the room learns its mid and
  // codec, then subscribers get downtracks), or the client stopped sending it (unpublished).
  void trackNegotiated(const std::string& roomName, const std::string& sid,
                       const std::string& trackSid, const std::string& mid,
                       const std::string& mimeType);
  void trackUnpublished(const std::string& roomName, const std::string& sid,
                        const std::string& trackSid);

  // sfu::RoomMediaListener: schedule a reconcile once the room operation is over.
  void onRoomMediaChanged(const std::string& roomName) override;
  // Brings one room's media in line with it now (also after a publication got its receiver).
  void reconcile(const std::string& roomName);

  // Closes every transport (server shutdown).
  void closeAll();
  // closeAll, then the UDP socket, so the worker's event loop can run out of work.
  void shutdown();

  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] rtc::UdpMux& mux() { return *mux_; }
  [[nodiscard]] const std::shared_ptr<const rtc::DtlsCertificate>& certificate() const {
    return certificate_;
  }
  [[nodiscard]] MediaCounters& counters() { return counters_; }
  [[nodiscard]] std::size_t participantCount() const;
  // A transport's parameters as we signal them: UDP candidates carry the advertised port.
  [[nodiscard]] rtc::TransportParameters advertised(rtc::TransportParameters local) const;

 private:
  MediaHub(boost::asio::io_context& io, sfu::RoomManager& rooms)
      : io_(io), rooms_(rooms), layerTimer_(io), speakerTimer_(io) {}
  // Every kLayerTick: mute state and layer SSRCs from/to the room, layer choice per
  // subscription, dynacast to publishers (media_hub_layers.cpp).
  void scheduleLayerTick();
  void layerTick();
  void layerTickRoom(sfu::Room& room, std::unordered_map<std::string, std::unique_ptr<ParticipantMedia>>& participants,
                     std::chrono::steady_clock::time_point now);
  using Participants = std::unordered_map<std::string, std::unique_ptr<ParticipantMedia>>;
  // Every 400 ms: each room's speakers, SpeakersChanged when they changed; every 5 s:
  // ConnectionQualityUpdate to everyone (media_hub_quality.cpp). One timer.
  void scheduleQualityTicks();
  void speakerTick();
  void qualityTick();

  boost::asio::io_context& io_;
  sfu::RoomManager& rooms_;
  std::unique_ptr<rtc::UdpMux> mux_;
  std::uint16_t advertisedUdpPort_ = 0;
  std::shared_ptr<const rtc::DtlsCertificate> certificate_;
  std::unordered_map<std::string, Participants> media_;
  std::unordered_set<std::string> reconcilePending_;
  MediaCounters counters_;
  boost::asio::steady_timer layerTimer_;
  bool layerTimerStopped_ = false;
  struct Dynacast {
    int committed = sfu::kHighestLayer;  // publishers start with every layer on
    int pending = sfu::kHighestLayer;
    std::chrono::steady_clock::time_point pendingSince{};
    bool sent = false;
    bool seen = false;  // this tick
  };
  std::unordered_map<std::string, Dynacast> dynacast_;  // by track sid
  boost::asio::steady_timer speakerTimer_;
  std::chrono::steady_clock::time_point lastQualityTick_ = std::chrono::steady_clock::now();
  std::unordered_map<std::string, sfu::quality::SpeakerDetector> speakers_;  // by room
};

}  // namespace huddle::server::media
