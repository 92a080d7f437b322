#pragma once
// Called on the room's worker thread; hands encoded messages to the signaling thread.
//
// The bridge from a room to one participant's WebSocket: each room event becomes a protobuf
// SignalResponse, encoded here on the worker so the signaling thread only writes bytes.

#include <utility>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "livekit_rtc.pb.h"
#include "server/media/participant_media.h"
#include "sfu/room/participant_sink.h"

namespace huddle::server {

class SignalSession;
namespace media {
class MediaHub;
}

// What a JoinResponse says besides the room state.
struct JoinResponseSettings {
  std::string serverVersion;  // what clients compare against LiveKit versions
  std::string nodeId;
  std::string region;
  std::int32_t protocol = 16;
  std::int32_t pingIntervalSeconds = 5;
  std::int32_t pingTimeoutSeconds = 15;
  bool singlePeerConnection = false;
  bool canSubscribe = true;
  bool canPublish = true;
};

class SessionSink final : public sfu::ParticipantSink, public media::MediaSignal {
 public:
  SessionSink(boost::asio::io_context& signalIo, std::weak_ptr<SignalSession> session,
              JoinResponseSettings settings);

  void onJoined(const sfu::RoomInfo& room, const sfu::ParticipantInfo& self,
                const std::vector<sfu::ParticipantInfo>& others) override;
  void onResumed(const sfu::RoomInfo& room, const sfu::ParticipantInfo& self,
                 const std::vector<sfu::ParticipantInfo>& others) override;
  void onParticipantsChanged(const std::vector<sfu::ParticipantInfo>& participants) override;
  void onRoomChanged(const sfu::RoomInfo& room) override;
  void onTrackPublished(const std::string& cid, const sfu::TrackInfo& track) override;
  void onTrackUnpublished(const std::string& trackSid) override;
  void onTrackMuteRequested(const std::string& trackSid, bool muted) override;
  void onRequestResponse(std::uint32_t requestId, sfu::RequestKind kind,
                         sfu::RequestOutcome outcome, const std::string& message) override;
  void onData(const sfu::DataMessage& message) override;
  void onRemoved(sfu::DisconnectReason reason, sfu::LeaveAction action) override;
  void onSubscriptionPermissionChanged(const std::string& publisherSid, const std::string& trackSid,
                                       bool allowed) override;

  // media::MediaSignal
  void sendAnswer(const std::string& sdp, std::uint32_t id,
                  const std::map<std::string, std::string>& midToTrackId) override;
  void sendOffer(const std::string& sdp, std::uint32_t id,
                 const std::map<std::string, std::string>& midToTrackId) override;
  void sendMediaSectionsRequirement(std::uint32_t audios, std::uint32_t videos) override;
  void sendStreamState(const std::string& participantSid, const std::string& trackSid,
                       bool paused) override;
  void sendSubscribedQuality(const std::string& trackSid, int maxLayer,
                             const std::string& codec) override;
  void sendSpeakersChanged(std::span<const sfu::quality::SpeakerEntry> speakers) override;
  void sendConnectionQuality(
      std::span<const sfu::quality::ParticipantQualityEntry> entries) override;

  // Worker thread: where data messages for this participant go (its data channels).
  void attachMedia(media::MediaHub* hub, std::string roomName, std::string sid);

  // A leave as the first and only message (a resume that found nothing to resume).
  static livekit::SignalResponse leaveResponse(sfu::DisconnectReason reason,
                                               sfu::LeaveAction action);

 private:
  void send(const livekit::SignalResponse& response, bool thenClose = false);
  void fillServerInfo(livekit::ServerInfo* info) const;

  boost::asio::io_context& signalIo_;
  std::weak_ptr<SignalSession> session_;
  JoinResponseSettings settings_;
  media::MediaHub* hub_ = nullptr;  // worker thread only
  std::string roomName_;
  std::string sid_;
};

}  // namespace huddle::server
