#include "server/session_sink.h"

#include <boost/asio/post.hpp>

#include "server/data/data_relay.h"
#include "server/media/media_hub.h"
#include "server/proto_convert.h"
#include "server/signal_session.h"
#include "signal/signal_codec.h"

namespace huddle::server {

SessionSink::SessionSink(boost::asio::io_context& signalIo, std::weak_ptr<SignalSession> session,
                         JoinResponseSettings settings)
    : signalIo_(signalIo), session_(std::move(session)), settings_(std::move(settings)) {}

void SessionSink::send(const livekit::SignalResponse& response, bool thenClose) {
  std::string bytes = signal::encodeSignalResponse(response, false);
  boost::asio::post(signalIo_, [session = session_, bytes = std::move(bytes), thenClose]() mutable {
    if (auto s = session.lock()) s->deliver(std::move(bytes), thenClose);
  });
}

void SessionSink::fillServerInfo(livekit::ServerInfo* info) const {
  info->set_edition(livekit::ServerInfo::Standard);
  info->set_version(settings_.serverVersion);
  info->set_protocol(settings_.protocol);
  info->set_node_id(settings_.nodeId);
  info->set_region(settings_.region);
  info->set_debug_info("huddle-server");
}

void SessionSink::onJoined(const sfu::RoomInfo& room, const sfu::ParticipantInfo& self,
                           const std::vector<sfu::ParticipantInfo>& others) {
  livekit::SignalResponse response;
  livekit::JoinResponse* join = response.mutable_join();
  toProto(room, join->mutable_room());
  toProto(self, join->mutable_participant());
  for (const auto& other : others) toProto(other, join->add_other_participants());
  join->set_server_version(settings_.serverVersion);
  fillServerInfo(join->mutable_server_info());
  join->set_ping_interval(settings_.pingIntervalSeconds);
  join->set_ping_timeout(settings_.pingTimeoutSeconds);
  join->set_server_region(settings_.region);
  if (!settings_.singlePeerConnection) {
    join->set_subscriber_primary(settings_.canSubscribe);
    join->set_fast_publish(settings_.canPublish);
  }
  send(response);
}

void SessionSink::onResumed(const sfu::RoomInfo& room, const sfu::ParticipantInfo& /*self*/,
                            const std::vector<sfu::ParticipantInfo>& others) {
  livekit::SignalResponse reconnect;
  fillServerInfo(reconnect.mutable_reconnect()->mutable_server_info());
  send(reconnect);
  livekit::SignalResponse update;
  for (const auto& other : others) toProto(other, update.mutable_update()->add_participants());
  send(update);
  onRoomChanged(room);
}

void SessionSink::onParticipantsChanged(const std::vector<sfu::ParticipantInfo>& participants) {
  livekit::SignalResponse response;
  for (const auto& p : participants) toProto(p, response.mutable_update()->add_participants());
  send(response);
}

void SessionSink::onRoomChanged(const sfu::RoomInfo& room) {
  livekit::SignalResponse response;
  toProto(room, response.mutable_room_update()->mutable_room());
  send(response);
}

void SessionSink::onTrackPublished(const std::string& cid, const sfu::TrackInfo& track) {
  livekit::SignalResponse response;
  response.mutable_track_published()->set_cid(cid);
  toProto(track, response.mutable_track_published()->mutable_track());
  send(response);
}

void SessionSink::onTrackUnpublished(const std::string& trackSid) {
  livekit::SignalResponse response;
  response.mutable_track_unpublished()->set_track_sid(trackSid);
  send(response);
}

void SessionSink::onTrackMuteRequested(const std::string& trackSid, bool muted) {
  livekit::SignalResponse response;
  response.mutable_mute()->set_sid(trackSid);
  response.mutable_mute()->set_muted(muted);
  send(response);
}

void SessionSink::onRequestResponse(std::uint32_t requestId, sfu::RequestKind /*kind*/,
                                    sfu::RequestOutcome outcome, const std::string& message) {
  livekit::SignalResponse response;
  auto* r = response.mutable_request_response();
  r->set_request_id(requestId);
  r->set_reason(static_cast<livekit::RequestResponse::Reason>(outcome));
  r->set_message(message);
  send(response);
}

void SessionSink::onData(const sfu::DataMessage& message) {
  // Data travels on the participant's data channels, not on the signal connection.
  if (hub_ == nullptr) return;
  const std::string bytes = encodeServerData(message);
  hub_->deliverData(roomName_, sid_, message.reliable,
                    std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

void SessionSink::attachMedia(media::MediaHub* hub, std::string roomName, std::string sid) {
  hub_ = hub;
  roomName_ = std::move(roomName);
  sid_ = std::move(sid);
}

namespace {
void fillDescription(livekit::SessionDescription* d, const char* type, const std::string& sdp,
                     std::uint32_t id, const std::map<std::string, std::string>& midToTrackId) {
  d->set_type(type);
  d->set_sdp(sdp);
  d->set_id(id);
  for (const auto& [mid, track] : midToTrackId) (*d->mutable_mid_to_track_id())[mid] = track;
}
}  // namespace

void SessionSink::sendAnswer(const std::string& sdp, std::uint32_t id,
                             const std::map<std::string, std::string>& midToTrackId) {
  livekit::SignalResponse response;
  fillDescription(response.mutable_answer(), "answer", sdp, id, midToTrackId);
  send(response);
}

void SessionSink::sendOffer(const std::string& sdp, std::uint32_t id,
                            const std::map<std::string, std::string>& midToTrackId) {
  livekit::SignalResponse response;
  fillDescription(response.mutable_offer(), "offer", sdp, id, midToTrackId);
  send(response);
}

void SessionSink::sendMediaSectionsRequirement(std::uint32_t audios, std::uint32_t videos) {
  livekit::SignalResponse response;
  response.mutable_media_sections_requirement()->set_num_audios(audios);
  response.mutable_media_sections_requirement()->set_num_videos(videos);
  send(response);
}

void SessionSink::sendSubscribedQuality(const std::string& trackSid, int maxLayer,
                                        const std::string& codec) {
  livekit::SignalResponse response;
  auto* update = response.mutable_subscribed_quality_update();
  update->set_track_sid(trackSid);
  auto* byCodec = update->add_subscribed_codecs();
  byCodec->set_codec(codec);
  for (int q = livekit::LOW; q <= livekit::HIGH; ++q) {
    for (auto* quality : {update->add_subscribed_qualities(), byCodec->add_qualities()}) {
      quality->set_quality(static_cast<livekit::VideoQuality>(q));
      quality->set_enabled(q <= maxLayer);
    }
  }
  send(response);
}

void SessionSink::onSubscriptionPermissionChanged(const std::string& publisherSid,
                                                  const std::string& trackSid, bool allowed) {
  livekit::SignalResponse response;
  auto* update = response.mutable_subscription_permission_update();
  update->set_participant_sid(publisherSid);
  update->set_track_sid(trackSid);
  update->set_allowed(allowed);
  send(response);
}

void SessionSink::sendSpeakersChanged(std::span<const sfu::quality::SpeakerEntry> speakers) {
  livekit::SignalResponse response;
  auto* changed = response.mutable_speakers_changed();
  for (const auto& s : speakers) {
    auto* info = changed->add_speakers();
    info->set_sid(s.participantSid);
    info->set_level(s.level);
    info->set_active(s.active);
  }
  send(response);
}

void SessionSink::sendConnectionQuality(
    std::span<const sfu::quality::ParticipantQualityEntry> entries) {
  livekit::SignalResponse response;
  auto* update = response.mutable_connection_quality();
  for (const auto& e : entries) {
    auto* info = update->add_updates();
    info->set_participant_sid(e.participantSid);
    // Our enum has livekit.ConnectionQuality's values.
    info->set_quality(static_cast<livekit::ConnectionQuality>(e.quality));
    info->set_score(e.score);
  }
  send(response);
}

void SessionSink::sendStreamState(const std::string& participantSid, const std::string& trackSid,
                                  bool paused) {
  livekit::SignalResponse response;
  auto* info = response.mutable_stream_state_update()->add_stream_states();
  info->set_participant_sid(participantSid);
  info->set_track_sid(trackSid);
  info->set_state(paused ? livekit::PAUSED : livekit::ACTIVE);
  send(response);
}

livekit::SignalResponse SessionSink::leaveResponse(sfu::DisconnectReason reason,
                                                   sfu::LeaveAction action) {
  livekit::SignalResponse response;
  auto* leave = response.mutable_leave();
  leave->set_reason(static_cast<livekit::DisconnectReason>(reason));
  leave->set_action(static_cast<livekit::LeaveRequest::Action>(action));
  leave->set_can_reconnect(action != sfu::LeaveAction::Disconnect);
  return response;
}

void SessionSink::onRemoved(sfu::DisconnectReason reason, sfu::LeaveAction action) {
  send(leaveResponse(reason, action), /*thenClose=*/true);
}

}  // namespace huddle::server
