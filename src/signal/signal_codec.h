#pragma once
// Signal message framing (one protobuf message per WebSocket message). Pure, any thread.
// Used by the server (decode requests, encode responses) and by the SDK (the reverse).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "livekit_rtc.pb.h"

namespace huddle::signal {

// The reference server's default per-message limit; a bigger request is refused before parsing.
inline constexpr std::size_t kMaxSignalMessageBytes = 2 * 1024 * 1024;
// The client accepts more: a JoinResponse for a large room is the biggest message there is, and
// refusing it would leave the client unable to join at all.
inline constexpr std::size_t kMaxSignalResponseBytes = 16 * 1024 * 1024;

enum class SignalCodecError {
  TooLarge,      // frame longer than the limit
  Malformed,     // not a valid protobuf (binary frame) or proto3 JSON (text frame)
  NoMessageSet,  // parsed, but the oneof is empty: nothing to act on
};

[[nodiscard]] std::string_view toString(SignalCodecError error);

// Binary frames carry protobuf; text frames carry proto3 JSON (unknown fields are ignored, as a
// newer peer may send fields we do not know).
[[nodiscard]] Result<livekit::SignalRequest, SignalCodecError> decodeSignalRequest(
    std::span<const std::uint8_t> frame, bool textFrame);
[[nodiscard]] Result<livekit::SignalResponse, SignalCodecError> decodeSignalResponse(
    std::span<const std::uint8_t> frame, bool textFrame);

// Protobuf bytes, or proto3 JSON when `json` (answer a client in the format it used).
[[nodiscard]] std::string encodeSignalResponse(const livekit::SignalResponse& response, bool json);
[[nodiscard]] std::string encodeSignalRequest(const livekit::SignalRequest& request, bool json);

// Keepalives are answered straight from the WebSocket loop (section 4.1): `ping` (legacy) gets
// `pong` with the server's unix ms, `ping_req` gets `pong_resp` echoing the client's timestamp.
// nullopt for every other request.
[[nodiscard]] std::optional<livekit::SignalResponse> keepaliveResponse(
    const livekit::SignalRequest& request, std::int64_t nowUnixMs);

// The oneof field's proto name ("offer", "trickle", "ping_req"...), or "none" when unset.
// For logs and metric labels; the returned view points at static storage.
[[nodiscard]] std::string_view signalRequestName(const livekit::SignalRequest& request);
[[nodiscard]] std::string_view signalResponseName(const livekit::SignalResponse& response);

}  // namespace huddle::signal
