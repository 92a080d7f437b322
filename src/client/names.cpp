// Names of the public enums, for logs and messages.

#include "client/events.h"
#include "client/participant.h"
#include "client/track_publication.h"

namespace huddle::client {

const char* toString(TrackKind kind) {
  switch (kind) {
    case TrackKind::Audio: return "audio";
    case TrackKind::Video: return "video";
    case TrackKind::Data: return "data";
    case TrackKind::Unknown: break;
  }
  return "unknown";
}

const char* toString(TrackSource source) {
  switch (source) {
    case TrackSource::Camera: return "camera";
    case TrackSource::Microphone: return "microphone";
    case TrackSource::ScreenShare: return "screen_share";
    case TrackSource::ScreenShareAudio: return "screen_share_audio";
    case TrackSource::Unknown: break;
  }
  return "unknown";
}

const char* toString(ParticipantKind kind) {
  switch (kind) {
    case ParticipantKind::Standard: return "standard";
    case ParticipantKind::Ingress: return "ingress";
    case ParticipantKind::Egress: return "egress";
    case ParticipantKind::Sip: return "sip";
    case ParticipantKind::Agent: return "agent";
    case ParticipantKind::Connector: return "connector";
    case ParticipantKind::Bridge: return "bridge";
    case ParticipantKind::Unknown: break;
  }
  return "unknown";
}

const char* toString(ConnectionState state) {
  switch (state) {
    case ConnectionState::Disconnected: return "disconnected";
    case ConnectionState::Connecting: return "connecting";
    case ConnectionState::Connected: return "connected";
    case ConnectionState::Reconnecting: return "reconnecting";
    case ConnectionState::Resuming: return "resuming";
  }
  return "unknown";
}

const char* toString(ConnectionQuality quality) {
  switch (quality) {
    case ConnectionQuality::Poor: return "poor";
    case ConnectionQuality::Good: return "good";
    case ConnectionQuality::Excellent: return "excellent";
    case ConnectionQuality::Lost: return "lost";
  }
  return "unknown";
}

const char* toString(DisconnectReason reason) {
  switch (reason) {
    case DisconnectReason::None: return "none";
    case DisconnectReason::Unknown: return "unknown";
    case DisconnectReason::ClientInitiated: return "client_initiated";
    case DisconnectReason::DuplicateIdentity: return "duplicate_identity";
    case DisconnectReason::ServerShutdown: return "server_shutdown";
    case DisconnectReason::ParticipantRemoved: return "participant_removed";
    case DisconnectReason::RoomDeleted: return "room_deleted";
    case DisconnectReason::StateMismatch: return "state_mismatch";
    case DisconnectReason::JoinFailure: return "join_failure";
    case DisconnectReason::Migration: return "migration";
    case DisconnectReason::SignalClose: return "signal_close";
    case DisconnectReason::RoomClosed: return "room_closed";
    case DisconnectReason::UserUnavailable: return "user_unavailable";
    case DisconnectReason::UserRejected: return "user_rejected";
    case DisconnectReason::SipTrunkFailure: return "sip_trunk_failure";
    case DisconnectReason::ConnectionTimeout: return "connection_timeout";
    case DisconnectReason::MediaFailure: return "media_failure";
    case DisconnectReason::AgentError: return "agent_error";
    case DisconnectReason::InvalidUrl: return "invalid_url";
    case DisconnectReason::NotAuthorized: return "not_authorized";
    case DisconnectReason::RoomNotFound: return "room_not_found";
    case DisconnectReason::ServerUnreachable: return "server_unreachable";
    case DisconnectReason::Timeout: return "timeout";
    case DisconnectReason::ServerError: return "server_error";
    case DisconnectReason::ProtocolError: return "protocol_error";
    case DisconnectReason::SignalLost: return "signal_lost";
    case DisconnectReason::ReconnectRequested: return "reconnect_requested";
  }
  return "unknown";
}

}  // namespace huddle::client
