#pragma once
// Join parameters of the /rtc (v0) and /rtc/v1 WebSocket upgrade. Pure, any thread.
// The server parses them from the upgrade URL; the SDK builds the same URL from them.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "livekit_models.pb.h"
#include "livekit_rtc.pb.h"

namespace huddle::signal {

// Matches the reference server: a decompressed JoinRequest may not exceed Go's default maximum
// header size. Also caps the undecoded base64 text and the compressed bytes.
inline constexpr std::size_t kMaxJoinRequestBytes = 1024 * 1024;

struct JoinParams {
  std::string accessToken;  // from the query; empty when it travels as an Authorization header
  livekit::ClientInfo clientInfo;
  bool autoSubscribe = true;  // the server's default when the client says nothing
  bool adaptiveStream = false;
  std::optional<bool> subscriberAllowPause;    // unset: server policy decides
  std::optional<bool> autoSubscribeDataTrack;  // unset: server policy decides
  bool disableIceLite = false;
  bool reconnect = false;  // resume an existing session (section 5.2)
  livekit::ReconnectReason reconnectReason = livekit::RR_UNKNOWN;
  std::string participantSid;  // the session to resume
  std::string metadata;        // v1 only
  std::map<std::string, std::string> attributes;
  std::string publish;  // v0 `publish` pass-through
  // v1 only: the client's first offer, sent with the join so the answer can follow the
  // JoinResponse without another round trip.
  std::optional<livekit::SessionDescription> publisherOffer;
  std::vector<livekit::AddTrackRequest> addTrackRequests;  // v1 pass-through
  std::optional<livekit::SyncState> syncState;             // v1 pass-through
  bool singlePeerConnection = false;                       // true when parsed from /rtc/v1
};

enum class JoinParamsError {
  MalformedQuery,       // a broken %-escape
  MissingJoinRequest,   // v1 without join_request
  TooLarge,             // over kMaxJoinRequestBytes, before or after decompression
  InvalidBase64,        // join_request or attributes is not base64url
  InvalidWrapper,       // not a WrappedJoinRequest, or an unknown compression
  DecompressionFailed,  // corrupt gzip
  InvalidJoinRequest,   // the (decompressed) bytes are not a JoinRequest
  InvalidAttributes,    // attributes is not a JSON object of strings
};

[[nodiscard]] std::string_view toString(JoinParamsError error);

// `query` is the part of the target after '?'.
[[nodiscard]] Result<JoinParams, JoinParamsError> parseV0Query(std::string_view query);
[[nodiscard]] Result<JoinParams, JoinParamsError> parseV1Query(std::string_view query);

// The token in "Authorization: Bearer <token>" (scheme case-insensitive), or "" if the header
// holds anything else.
[[nodiscard]] std::string bearerToken(std::string_view authorizationHeader);

// Query strings for the client side (without the leading '?'). accessToken is included only when
// non-empty. v1 keeps base64 padding as the JS client does; `gzip` compresses the JoinRequest.
[[nodiscard]] std::string buildV0Query(const JoinParams& params);
[[nodiscard]] std::string buildV1Query(const JoinParams& params, bool gzip);

// The v0 `sdk` names; unknown names map to UNKNOWN, and UNKNOWN maps to "".
[[nodiscard]] livekit::ClientInfo::SDK sdkFromName(std::string_view name);
[[nodiscard]] std::string_view sdkName(livekit::ClientInfo::SDK sdk);

}  // namespace huddle::signal
