#pragma once
// Any thread: handle() keeps no per-request state and the stats are atomic. `done` runs on the
// thread the backend replies on (or the caller's, for errors found before the backend), so the
// HTTP layer posts it back to its connection's executor.
//
// The LiveKit RoomService over Twirp, independent of the HTTP transport: the HTTP layer hands
// in method, path, Content-Type, Authorization and body, and writes back what it gets.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/access_token.h"
#include "auth/key_provider.h"
#include "common/clock.h"
#include "server/twirp/room_service_backend.h"
#include "server/twirp/twirp_codec.h"
#include "server/twirp/twirp_errors.h"

namespace huddle::server {

inline constexpr std::string_view kRoomServicePrefix = "/twirp/livekit.RoomService/";
// LiveKit's limits on metadata and on the attributes of one participant.
inline constexpr std::size_t kMaxMetadataBytes = 64 * 1024;
inline constexpr std::size_t kMaxAttributesBytes = 64 * 1024;
inline constexpr std::size_t kSendDataNonceBytes = 16;
// Far above any RoomService call (SendData carries the most), far below a memory problem.
inline constexpr std::size_t kMaxTwirpBodyBytes = 1024 * 1024;

struct TwirpHttpRequest {
  std::string method;         // HTTP method; only POST is served
  std::string path;           // request target; a query string is ignored
  std::string contentType;    // Content-Type header value
  std::string authorization;  // Authorization header value, empty when absent
  std::string body;
};

struct TwirpHttpResponse {
  int status = 200;
  std::string contentType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

enum class RoomServiceMethod {
  CreateRoom,
  ListRooms,
  DeleteRoom,
  ListParticipants,
  GetParticipant,
  RemoveParticipant,
  MutePublishedTrack,
  UpdateParticipant,
  UpdateSubscriptions,
  SendData,
  UpdateRoomMetadata,
};
inline constexpr std::size_t kRoomServiceMethodCount = 11;

[[nodiscard]] std::string_view methodName(RoomServiceMethod method);
[[nodiscard]] std::optional<RoomServiceMethod> methodFromName(std::string_view name);

// Counters for metrics; read with relaxed loads, they are statistics, not synchronisation.
struct TwirpStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> succeeded{0};
  // Rejected by the token check before Twirp (401 plain text).
  std::atomic<std::uint64_t> unauthorized{0};
  std::array<std::atomic<std::uint64_t>, kTwirpCodeCount> errors{};
  std::array<std::atomic<std::uint64_t>, kRoomServiceMethodCount> calls{};

  [[nodiscard]] std::uint64_t errorCount(TwirpCode code) const {
    return errors[static_cast<std::size_t>(code)].load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t callCount(RoomServiceMethod method) const {
    return calls[static_cast<std::size_t>(method)].load(std::memory_order_relaxed);
  }
};

class TwirpService final {
 public:
  using Done = std::function<void(TwirpHttpResponse)>;

  // borrowed: keys, backend and clock outlive the service and every pending reply
  TwirpService(const auth::KeyProvider& keys, RoomServiceBackend& backend, const Clock& clock);

  // Calls `done` exactly once if the backend replies exactly once.
  void handle(const TwirpHttpRequest& request, Done done);

  [[nodiscard]] const TwirpStats& stats() const { return stats_; }

 private:
  // borrowed: outlive this
  RoomServiceBackend& backend_;
  auth::TokenVerifier verifier_;

  TwirpStats stats_;
};

}  // namespace huddle::server
