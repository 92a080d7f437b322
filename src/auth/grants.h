#pragma once
// Access-token claims as LiveKit defines them (JSON names in claims_json.cpp). Pure, any thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace huddle::auth {

// Track sources as they appear in `canPublishSources`: camera, microphone, screen_share,
// screen_share_audio.
struct VideoGrant {
  bool roomCreate = false;
  bool roomList = false;
  bool roomRecord = false;
  bool roomAdmin = false;
  bool roomJoin = false;
  std::string room;

  // Absent means "use LiveKit's default", which differs per field; read them through the
  // effective*() getters. Keeping presence lets a decoded token re-encode unchanged.
  std::optional<bool> canPublish;
  std::optional<bool> canSubscribe;
  std::optional<bool> canPublishData;
  std::vector<std::string> canPublishSources;
  std::optional<bool> canUpdateOwnMetadata;
  std::optional<bool> canSubscribeMetrics;
  std::optional<bool> canManageAgentSession;

  bool ingressAdmin = false;
  bool hidden = false;
  bool recorder = false;
  bool agent = false;
  std::string destinationRoom;

  [[nodiscard]] bool effectiveCanPublish() const { return canPublish.value_or(true); }
  [[nodiscard]] bool effectiveCanSubscribe() const { return canSubscribe.value_or(true); }
  // Data follows the publish permission unless set on its own.
  [[nodiscard]] bool effectiveCanPublishData() const {
    return canPublishData.value_or(effectiveCanPublish());
  }
  [[nodiscard]] bool effectiveCanUpdateOwnMetadata() const {
    return canUpdateOwnMetadata.value_or(false);
  }
  // An empty source list allows every source; a non-empty one allows only those listed.
  [[nodiscard]] bool canPublishSource(std::string_view source) const;

  bool operator==(const VideoGrant&) const = default;
};

struct SipGrant {
  bool admin = false;
  bool call = false;
  bool operator==(const SipGrant&) const = default;
};

struct ClaimGrants {
  std::string identity;  // JWT `sub`
  std::string name;
  std::string metadata;
  std::map<std::string, std::string> attributes;
  std::string kind;  // lower-case ParticipantInfo.Kind name; empty = standard
  std::vector<std::string> kindDetails;
  std::optional<VideoGrant> video;
  std::optional<SipGrant> sip;
  std::string sha256;  // webhook tokens only: base64 SHA-256 of the body
  std::string roomPreset;
  // A RoomConfiguration in proto3 JSON, kept as compact JSON text: auth does not depend on
  // protobuf; the server converts it when a join auto-creates the room.
  std::string roomConfig;
  // Claims this version does not model (e.g. `agent`, `inference`, `observability`), as compact
  // JSON of an object, so that a token re-minted from decoded grants loses nothing.
  std::string extraClaims;

  bool operator==(const ClaimGrants&) const = default;
};

// The standard claims of a verified token, next to the LiveKit ones.
struct VerifiedToken {
  std::string apiKey;  // `iss`
  ClaimGrants grants;
  std::int64_t notBefore = 0;  // unix seconds; 0 when absent
  std::int64_t expiresAt = 0;
  std::int64_t issuedAt = 0;
  std::string jwtId;  // `jti`

  // LiveKit falls back to `jti` when `sub` is empty.
  [[nodiscard]] const std::string& identity() const {
    return grants.identity.empty() ? jwtId : grants.identity;
  }
};

}  // namespace huddle::auth
