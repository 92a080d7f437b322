#pragma once
// Delegate callbacks run on the Room's executor (see options.h), one at a time and in order.
// A callback may call any Room method, including disconnect(), and may destroy the Room.
//
// What a Room tells the application. Every method has an empty default, so a delegate overrides
// only what it needs. The Room borrows the delegate: it must outlive the Room or be replaced
// with setDelegate(nullptr) first (that call waits for a callback running on another thread).

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <memory>

#include "client/participant.h"
#include "client/remote_track.h"
#include "client/track_publication.h"

namespace huddle::client {

enum class ConnectionState : std::uint8_t { Disconnected, Connecting, Connected, Reconnecting, Resuming };

// Why a connection ended (or failed to start). The first group mirrors LiveKit's
// DisconnectReason as the server sends it; the second group is found by the client.
enum class DisconnectReason : std::uint8_t {
  None,
  Unknown,
  ClientInitiated,
  DuplicateIdentity,
  ServerShutdown,
  ParticipantRemoved,
  RoomDeleted,
  StateMismatch,
  JoinFailure,
  Migration,
  SignalClose,
  RoomClosed,
  UserUnavailable,
  UserRejected,
  SipTrunkFailure,
  ConnectionTimeout,
  MediaFailure,
  AgentError,
  // Client side:
  InvalidUrl,           // not a ws:// or http:// URL we can reach (wss:// is not supported yet)
  NotAuthorized,        // HTTP 401/403 on the upgrade: token invalid, expired or lacking grants
  RoomNotFound,         // HTTP 404 "requested room does not exist"
  ServerUnreachable,    // name did not resolve, TCP refused or unreachable
  Timeout,              // upgrade or first message did not arrive in time
  ServerError,          // another HTTP status or a broken handshake
  ProtocolError,        // the first message was neither join nor leave
  SignalLost,           // WebSocket closed without leave, or no message within ping_timeout
  ReconnectRequested,   // the server asked for a resume or rejoin (what started a reconnection)
};

enum class ConnectionQuality : std::uint8_t { Poor, Good, Excellent, Lost };

struct ActiveSpeaker {
  std::string sid;
  std::string identity;
  float level = 0;  // 0..1, quantised by the server
  bool isLocal = false;
};

struct DataReceived {
  std::vector<std::uint8_t> payload;
  std::string senderIdentity;  // empty when the server sent it (RoomService SendData)
  std::string senderSid;
  std::string topic;
  DataKind kind = DataKind::Reliable;
};

class RoomDelegate {
 public:
  virtual ~RoomDelegate() = default;

  // `detail` says more about a failure (e.g. the server's text for a refused join).
  virtual void onConnectionStateChanged(ConnectionState /*state*/, DisconnectReason /*reason*/,
                                        std::string_view /*detail*/) {}

  virtual void onParticipantConnected(const RemoteParticipant& /*participant*/) {}
  virtual void onParticipantDisconnected(const RemoteParticipant& /*participant*/,
                                         DisconnectReason /*reason*/) {}

  virtual void onTrackPublished(const RemoteParticipant& /*participant*/,
                                const TrackPublication& /*publication*/) {}
  virtual void onTrackUnpublished(const RemoteParticipant& /*participant*/,
                                  const TrackPublication& /*publication*/) {}
  // Media of a remote track starts to arrive (auto-subscribe subscribes to every track). The
  // track is a RemoteVideoTrack or RemoteAudioTrack (see kind()); set its frame sink here.
  virtual void onTrackSubscribed(const RemoteParticipant& /*participant*/,
                                 const TrackPublication& /*publication*/,
                                 const std::shared_ptr<RemoteTrack>& /*track*/) {}
  // The track was unpublished, its participant left, or the room disconnected.
  virtual void onTrackUnsubscribed(const RemoteParticipant& /*participant*/,
                                   const TrackPublication& /*publication*/,
                                   const std::shared_ptr<RemoteTrack>& /*track*/) {}
  virtual void onLocalTrackPublished(const TrackPublication& /*publication*/) {}
  virtual void onLocalTrackUnpublished(const TrackPublication& /*publication*/) {}

  // For remote and local publications (the participant's isLocal tells).
  virtual void onTrackMuted(const ParticipantInfo& /*participant*/,
                            const TrackPublication& /*publication*/) {}
  virtual void onTrackUnmuted(const ParticipantInfo& /*participant*/,
                              const TrackPublication& /*publication*/) {}

  // The whole ordered list (loudest first) after each server update; empty when nobody speaks.
  virtual void onActiveSpeakersChanged(const std::vector<ActiveSpeaker>& /*speakers*/) {}
  // score: the server's number (LiveKit's scale: about 1..5).
  virtual void onConnectionQualityChanged(const ParticipantInfo& /*participant*/,
                                          ConnectionQuality /*quality*/, float /*score*/) {}

  virtual void onDataReceived(const DataReceived& /*data*/) {}

  virtual void onRoomMetadataChanged(const std::string& /*oldMetadata*/,
                                     const std::string& /*metadata*/) {}
  virtual void onParticipantMetadataChanged(const ParticipantInfo& /*participant*/,
                                            const std::string& /*oldMetadata*/) {}
  virtual void onParticipantNameChanged(const ParticipantInfo& /*participant*/,
                                        const std::string& /*oldName*/) {}
  // `changed` holds the keys whose value changed; a removed key maps to "".
  virtual void onParticipantAttributesChanged(const ParticipantInfo& /*participant*/,
                                              const std::map<std::string, std::string>& /*changed*/) {}

  // The server refreshed the access token; a reconnect will use it.
  virtual void onTokenRefreshed() {}
};

[[nodiscard]] const char* toString(ConnectionState state);
[[nodiscard]] const char* toString(DisconnectReason reason);
[[nodiscard]] const char* toString(ConnectionQuality quality);

}  // namespace huddle::client
