#include "client/proto_convert.h"

namespace huddle::client {

namespace {

TrackKind toKind(livekit::TrackType type) {
  switch (type) {
    case livekit::AUDIO:
      return TrackKind::Audio;
    case livekit::VIDEO:
      return TrackKind::Video;
    case livekit::DATA:
      return TrackKind::Data;
    default:
      return TrackKind::Unknown;
  }
}

TrackSource toSource(livekit::TrackSource source) {
  switch (source) {
    case livekit::TrackSource::CAMERA:
      return TrackSource::Camera;
    case livekit::TrackSource::MICROPHONE:
      return TrackSource::Microphone;
    case livekit::TrackSource::SCREEN_SHARE:
      return TrackSource::ScreenShare;
    case livekit::TrackSource::SCREEN_SHARE_AUDIO:
      return TrackSource::ScreenShareAudio;
    default:
      return TrackSource::Unknown;
  }
}

VideoQuality toQuality(livekit::VideoQuality quality) {
  switch (quality) {
    case livekit::LOW:
      return VideoQuality::Low;
    case livekit::MEDIUM:
      return VideoQuality::Medium;
    case livekit::HIGH:
      return VideoQuality::High;
    default:
      return VideoQuality::Off;
  }
}

ParticipantKind toKind(livekit::ParticipantInfo::Kind kind) {
  switch (kind) {
    case livekit::ParticipantInfo::STANDARD:
      return ParticipantKind::Standard;
    case livekit::ParticipantInfo::INGRESS:
      return ParticipantKind::Ingress;
    case livekit::ParticipantInfo::EGRESS:
      return ParticipantKind::Egress;
    case livekit::ParticipantInfo::SIP:
      return ParticipantKind::Sip;
    case livekit::ParticipantInfo::AGENT:
      return ParticipantKind::Agent;
    case livekit::ParticipantInfo::CONNECTOR:
      return ParticipantKind::Connector;
    case livekit::ParticipantInfo::BRIDGE:
      return ParticipantKind::Bridge;
    default:
      return ParticipantKind::Unknown;
  }
}

}  // namespace

TrackPublication toPublication(const livekit::TrackInfo& track) {
  TrackPublication p;
  p.sid = track.sid();
  p.name = track.name();
  p.kind = toKind(track.type());
  p.source = toSource(track.source());
  p.muted = track.muted();
  p.width = track.width();
  p.height = track.height();
  p.mimeType = track.mime_type();
  p.mid = track.mid();
  // `layers` is deprecated but still filled; the first codec's layers are the newer home.
  const auto& layers = track.layers().empty() && !track.codecs().empty() ? track.codecs(0).layers()
                                                                         : track.layers();
  for (const auto& layer : layers) {
    p.layers.push_back(VideoLayerInfo{toQuality(layer.quality()), layer.width(), layer.height(),
                                      layer.bitrate()});
  }
  p.simulcast = track.simulcast() || p.layers.size() > 1;
  if (p.mimeType.empty() && !track.codecs().empty()) p.mimeType = track.codecs(0).mime_type();
  return p;
}

ParticipantInfo toParticipantInfo(const livekit::ParticipantInfo& participant, bool isLocal) {
  ParticipantInfo info;
  info.sid = participant.sid();
  info.identity = participant.identity();
  info.name = participant.name();
  info.metadata = participant.metadata();
  info.attributes.insert(participant.attributes().begin(), participant.attributes().end());
  info.kind = toKind(participant.kind());
  info.joinedAtMs = participant.joined_at_ms() != 0 ? participant.joined_at_ms()
                                                    : participant.joined_at() * 1000;
  info.isLocal = isLocal;
  info.publications.reserve(static_cast<std::size_t>(participant.tracks_size()));
  for (const auto& track : participant.tracks()) info.publications.push_back(toPublication(track));
  return info;
}

DisconnectReason toDisconnectReason(livekit::DisconnectReason reason) {
  switch (reason) {
    case livekit::UNKNOWN_REASON:
      return DisconnectReason::Unknown;
    case livekit::CLIENT_INITIATED:
      return DisconnectReason::ClientInitiated;
    case livekit::DUPLICATE_IDENTITY:
      return DisconnectReason::DuplicateIdentity;
    case livekit::SERVER_SHUTDOWN:
      return DisconnectReason::ServerShutdown;
    case livekit::PARTICIPANT_REMOVED:
      return DisconnectReason::ParticipantRemoved;
    case livekit::ROOM_DELETED:
      return DisconnectReason::RoomDeleted;
    case livekit::STATE_MISMATCH:
      return DisconnectReason::StateMismatch;
    case livekit::JOIN_FAILURE:
      return DisconnectReason::JoinFailure;
    case livekit::MIGRATION:
      return DisconnectReason::Migration;
    case livekit::SIGNAL_CLOSE:
      return DisconnectReason::SignalClose;
    case livekit::ROOM_CLOSED:
      return DisconnectReason::RoomClosed;
    case livekit::USER_UNAVAILABLE:
      return DisconnectReason::UserUnavailable;
    case livekit::USER_REJECTED:
      return DisconnectReason::UserRejected;
    case livekit::SIP_TRUNK_FAILURE:
      return DisconnectReason::SipTrunkFailure;
    case livekit::CONNECTION_TIMEOUT:
      return DisconnectReason::ConnectionTimeout;
    case livekit::MEDIA_FAILURE:
      return DisconnectReason::MediaFailure;
    case livekit::AGENT_ERROR:
      return DisconnectReason::AgentError;
    default:
      return DisconnectReason::Unknown;
  }
}

ConnectionQuality toConnectionQuality(livekit::ConnectionQuality quality) {
  switch (quality) {
    case livekit::POOR:
      return ConnectionQuality::Poor;
    case livekit::GOOD:
      return ConnectionQuality::Good;
    case livekit::EXCELLENT:
      return ConnectionQuality::Excellent;
    case livekit::LOST:
      return ConnectionQuality::Lost;
    default:
      return ConnectionQuality::Poor;
  }
}

}  // namespace huddle::client
