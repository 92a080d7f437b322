#pragma once
// Plain values describing rooms, participants and tracks. Pure, any thread.
//
// These mirror the LiveKit protocol's models closely enough that server/ converts them to and
// from protobuf field by field, but no generated type enters sfu/ (docs/style.md, section 2).
// Enumerator values equal the protocol's, so the conversion is a cast.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace huddle::sfu {

enum class TrackType : std::uint8_t { Audio = 0, Video = 1, Data = 2 };
enum class TrackSource : std::uint8_t {
  Unknown = 0,
  Camera = 1,
  Microphone = 2,
  ScreenShare = 3,
  ScreenShareAudio = 4
};
enum class ParticipantState : std::uint8_t { Joining = 0, Joined = 1, Active = 2, Disconnected = 3 };
enum class ParticipantKind : std::uint8_t {
  Standard = 0,
  Ingress = 1,
  Egress = 2,
  Sip = 3,
  Agent = 4,
  Connector = 7,
  Bridge = 8
};

enum class DisconnectReason : std::uint8_t {
  Unknown = 0,
  ClientInitiated = 1,
  DuplicateIdentity = 2,
  ServerShutdown = 3,
  ParticipantRemoved = 4,
  RoomDeleted = 5,
  StateMismatch = 6,
  JoinFailure = 7,
  Migration = 8,
  SignalClose = 9,
  RoomClosed = 10,
  UserUnavailable = 11,
  UserRejected = 12,
  SipTrunkFailure = 13,
  ConnectionTimeout = 14,
  MediaFailure = 15,
};

// What the client should do after a server-initiated leave.
enum class LeaveAction : std::uint8_t { Disconnect = 0, Resume = 1, Reconnect = 2 };

// The protocol's RequestResponse.Reason values we produce.
enum class RequestOutcome : std::uint8_t {
  Ok = 0,
  NotFound = 1,
  NotAllowed = 2,
  LimitExceeded = 3,
  UnsupportedType = 5,
  InvalidRequest = 11,
};

struct VideoLayer {
  std::uint8_t quality = 0;  // LOW=0, MEDIUM=1, HIGH=2
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bitrate = 0;
  std::uint32_t ssrc = 0;
  std::string rid;
};

struct TrackCodec {
  std::string mimeType;  // "video/VP8"
  std::string mid;
  std::string cid;
  std::vector<VideoLayer> layers;
};

struct TrackInfo {
  std::string sid;  // TR_...
  TrackType type = TrackType::Audio;
  std::string name;
  bool muted = false;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  bool simulcast = false;
  bool disableDtx = false;
  TrackSource source = TrackSource::Unknown;
  std::vector<VideoLayer> layers;
  std::string mimeType;
  std::string mid;
  std::vector<TrackCodec> codecs;
  bool stereo = false;
  bool disableRed = false;
  std::uint8_t encryption = 0;
  std::string stream;
  std::vector<std::uint8_t> audioFeatures;
};

struct ParticipantPermission {
  bool canSubscribe = true;
  bool canPublish = true;
  bool canPublishData = true;
  std::vector<TrackSource> canPublishSources;  // empty: every source
  bool hidden = false;
  bool recorder = false;
  bool canUpdateMetadata = false;
  bool agent = false;
  bool canSubscribeMetrics = false;

  [[nodiscard]] bool allowsSource(TrackSource source) const;
};

struct ParticipantInfo {
  std::string sid;  // PA_...
  std::string identity;
  ParticipantState state = ParticipantState::Joining;
  std::vector<TrackInfo> tracks;  // always the full list
  std::string metadata;
  std::int64_t joinedAtMs = 0;
  std::string name;
  std::uint32_t version = 0;  // grows with every change
  ParticipantPermission permission;
  bool isPublisher = false;
  ParticipantKind kind = ParticipantKind::Standard;
  std::map<std::string, std::string> attributes;
  DisconnectReason disconnectReason = DisconnectReason::Unknown;
  std::int32_t clientProtocol = 0;
};

// A publisher's UpdateSubscriptionPermissions: who may subscribe to its tracks. One rule names
// a participant (by sid or identity) and either all tracks or some.
struct TrackPermissionRule {
  std::string participantSid;
  std::string participantIdentity;
  bool allTracks = false;
  std::vector<std::string> trackSids;
};

struct SubscriptionPermissions {
  bool allParticipants = true;  // the default: everyone may subscribe to everything
  std::vector<TrackPermissionRule> rules;
};

struct RoomInfo {
  std::string sid;  // RM_...
  std::string name;
  std::uint32_t emptyTimeoutSeconds = 300;
  std::uint32_t departureTimeoutSeconds = 20;
  std::uint32_t maxParticipants = 0;  // 0: unlimited
  std::int64_t creationTimeMs = 0;
  std::string metadata;
  std::uint32_t numParticipants = 0;
  std::uint32_t numPublishers = 0;
};

// Room settings given by CreateRoom or, for rooms created by a join, by the server config.
struct RoomOptions {
  std::string name;
  std::optional<std::uint32_t> emptyTimeoutSeconds;
  std::optional<std::uint32_t> departureTimeoutSeconds;
  std::optional<std::uint32_t> maxParticipants;
  std::string metadata;
};

[[nodiscard]] TrackSource trackSourceFromName(std::string_view name);  // "camera", "microphone"...

}  // namespace huddle::sfu
