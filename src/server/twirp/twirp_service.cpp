#include "server/twirp/twirp_service.h"

#include <memory>
#include <type_traits>
#include <variant>

#include "common/log.h"

namespace huddle::server {
namespace {

constexpr std::array<std::string_view, kRoomServiceMethodCount> kMethodNames{
    "CreateRoom",       "ListRooms",          "DeleteRoom",        "ListParticipants",
    "GetParticipant",   "RemoveParticipant",  "MutePublishedTrack", "UpdateParticipant",
    "UpdateSubscriptions", "SendData",        "UpdateRoomMetadata",
};

constexpr std::string_view kBearerPrefix = "Bearer ";

struct Failure {
  TwirpCode code;
  std::string msg;
};
using Check = std::optional<Failure>;

void bump(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

// One request on its way through the service; copied into the backend's reply callback.
struct Call {
  RoomServiceMethod method{};
  TwirpEncoding encoding = TwirpEncoding::Json;
  std::optional<auth::VideoGrant> video;
  TwirpStats* stats = nullptr;
  std::shared_ptr<TwirpService::Done> done;

  void fail(TwirpCode code, std::string_view msg) const {
    bump(stats->errors[static_cast<std::size_t>(code)]);
    TwirpHttpResponse response;
    response.status = twirpHttpStatus(code);
    response.contentType = "application/json";
    response.body = twirpErrorJson(code, msg);
    (*done)(std::move(response));
  }

  void succeed(const google::protobuf::Message& reply) const {
    auto body = encodeTwirpMessage(reply, encoding);
    if (!body) {
      fail(TwirpCode::Internal, "failed to encode the response");
      return;
    }
    bump(stats->succeeded);
    TwirpHttpResponse response;
    response.status = 200;
    response.contentType = std::string(contentTypeOf(encoding));
    response.body = std::move(*body);
    (*done)(std::move(response));
  }
};

// LiveKit answers a missing grant with unauthenticated, not permission_denied.
Failure permissionsDenied() { return {TwirpCode::Unauthenticated, "permissions denied"}; }

Check requireRoomCreate(const Call& call) {
  if (!call.video || !call.video->roomCreate) return permissionsDenied();
  return std::nullopt;
}

Check requireRoomList(const Call& call) {
  if (!call.video || !call.video->roomList) return permissionsDenied();
  return std::nullopt;
}

// Admin grants are per room: the token's room must be the one the request names.
Check requireRoomAdmin(const Call& call, const std::string& room) {
  if (!call.video || !call.video->roomAdmin || call.video->room != room) {
    return permissionsDenied();
  }
  return std::nullopt;
}

Check requireNonEmpty(const std::string& value, std::string_view field) {
  if (value.empty()) return Failure{TwirpCode::InvalidArgument, std::string(field) + " is required"};
  return std::nullopt;
}

Check limitMetadata(const std::string& metadata) {
  if (metadata.size() > kMaxMetadataBytes) {
    return Failure{TwirpCode::InvalidArgument, "metadata exceeds the size limit"};
  }
  return std::nullopt;
}

template <typename Map>
Check limitAttributes(const Map& attributes) {
  std::size_t total = 0;
  for (const auto& [key, value] : attributes) total += key.size() + value.size();
  if (total > kMaxAttributesBytes) {
    return Failure{TwirpCode::InvalidArgument, "attributes exceed the size limit"};
  }
  return std::nullopt;
}

// The first failing check, in order.
Check firstOf(std::initializer_list<Check> checks) {
  for (const auto& check : checks) {
    if (check) return check;
  }
  return std::nullopt;
}

// Grant first, then argument checks, as LiveKit's handlers do.
Check checkCreateRoom(const Call& c, const livekit::CreateRoomRequest& r) {
  return firstOf({requireRoomCreate(c), requireNonEmpty(r.name(), "name"),
                  limitMetadata(r.metadata())});
}
Check checkListRooms(const Call& c, const livekit::ListRoomsRequest&) {
  return requireRoomList(c);
}
Check checkDeleteRoom(const Call& c, const livekit::DeleteRoomRequest& r) {
  return firstOf({requireRoomCreate(c), requireNonEmpty(r.room(), "room")});
}
Check checkListParticipants(const Call& c, const livekit::ListParticipantsRequest& r) {
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room")});
}
Check checkParticipantIdentity(const Call& c, const livekit::RoomParticipantIdentity& r) {
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room"),
                  requireNonEmpty(r.identity(), "identity")});
}
Check checkMuteTrack(const Call& c, const livekit::MuteRoomTrackRequest& r) {
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room"),
                  requireNonEmpty(r.identity(), "identity"),
                  requireNonEmpty(r.track_sid(), "track_sid")});
}
Check checkUpdateParticipant(const Call& c, const livekit::UpdateParticipantRequest& r) {
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room"),
                  requireNonEmpty(r.identity(), "identity"), limitMetadata(r.metadata()),
                  limitAttributes(r.attributes())});
}
Check checkUpdateSubscriptions(const Call& c, const livekit::UpdateSubscriptionsRequest& r) {
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room"),
                  requireNonEmpty(r.identity(), "identity")});
}
Check checkSendData(const Call& c, const livekit::SendDataRequest& r) {
  // The nonce lets receivers drop duplicates; the SDKs send 16 random bytes or none.
  Check nonce;
  if (!r.nonce().empty() && r.nonce().size() != kSendDataNonceBytes) {
    nonce = Failure{TwirpCode::InvalidArgument, "nonce must be 16 bytes"};
  }
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room"), nonce});
}
Check checkUpdateRoomMetadata(const Call& c, const livekit::UpdateRoomMetadataRequest& r) {
  return firstOf({requireRoomAdmin(c, r.room()), requireNonEmpty(r.room(), "room"),
                  limitMetadata(r.metadata())});
}

// Decode, check, then hand to the backend; its reply is encoded like the request was.
template <typename Req, typename Resp>
void invoke(RoomServiceBackend& backend, std::string_view body, Call call,
            Check (*check)(const Call&, const Req&),
            void (RoomServiceBackend::*method)(const Req&, TwirpReply<Resp>)) {
  Req request;
  if (!decodeTwirpMessage(body, call.encoding, request)) {
    call.fail(TwirpCode::Malformed, "the request body could not be decoded");
    return;
  }
  if (auto failure = check(call, request)) {
    call.fail(failure->code, failure->msg);
    return;
  }
  (backend.*method)(request, [call = std::move(call)](std::variant<Resp, TwirpError> result) {
    if (auto* reply = std::get_if<Resp>(&result)) {
      call.succeed(*reply);
      return;
    }
    const auto& error = std::get<TwirpError>(result);
    // A code Twirp does not define would leave clients guessing; report it as ours.
    const auto code = twirpCodeFromName(error.code);
    call.fail(code.value_or(TwirpCode::Internal), error.msg);
  });
}

void dispatch(RoomServiceBackend& backend, std::string_view body, Call call) {
  using B = RoomServiceBackend;
  switch (call.method) {
    case RoomServiceMethod::CreateRoom:
      return invoke(backend, body, std::move(call), &checkCreateRoom, &B::createRoom);
    case RoomServiceMethod::ListRooms:
      return invoke(backend, body, std::move(call), &checkListRooms, &B::listRooms);
    case RoomServiceMethod::DeleteRoom:
      return invoke(backend, body, std::move(call), &checkDeleteRoom, &B::deleteRoom);
    case RoomServiceMethod::ListParticipants:
      return invoke(backend, body, std::move(call), &checkListParticipants,
                    &B::listParticipants);
    case RoomServiceMethod::GetParticipant:
      return invoke(backend, body, std::move(call), &checkParticipantIdentity,
                    &B::getParticipant);
    case RoomServiceMethod::RemoveParticipant:
      return invoke(backend, body, std::move(call), &checkParticipantIdentity,
                    &B::removeParticipant);
    case RoomServiceMethod::MutePublishedTrack:
      return invoke(backend, body, std::move(call), &checkMuteTrack, &B::mutePublishedTrack);
    case RoomServiceMethod::UpdateParticipant:
      return invoke(backend, body, std::move(call), &checkUpdateParticipant,
                    &B::updateParticipant);
    case RoomServiceMethod::UpdateSubscriptions:
      return invoke(backend, body, std::move(call), &checkUpdateSubscriptions,
                    &B::updateSubscriptions);
    case RoomServiceMethod::SendData:
      return invoke(backend, body, std::move(call), &checkSendData, &B::sendData);
    case RoomServiceMethod::UpdateRoomMetadata:
      return invoke(backend, body, std::move(call), &checkUpdateRoomMetadata,
                    &B::updateRoomMetadata);
  }
}

// Rejections of the HTTP layer before Twirp: plain text, as LiveKit's auth middleware writes.
TwirpHttpResponse unauthorized(std::string_view reason) {
  TwirpHttpResponse response;
  response.status = 401;
  response.contentType = "text/plain; charset=utf-8";
  response.body = std::string(reason) + "\n";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace

std::string_view methodName(RoomServiceMethod method) {
  return kMethodNames[static_cast<std::size_t>(method)];
}

std::optional<RoomServiceMethod> methodFromName(std::string_view name) {
  for (std::size_t i = 0; i < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == name) return static_cast<RoomServiceMethod>(i);
  }
  return std::nullopt;
}

TwirpService::TwirpService(const auth::KeyProvider& keys, RoomServiceBackend& backend,
                           const Clock& clock)
    : backend_(backend), verifier_(keys, clock) {}

void TwirpService::handle(const TwirpHttpRequest& request, Done done) {
  bump(stats_.requests);

  std::string_view authorization = request.authorization;
  if (authorization.empty()) {
    bump(stats_.unauthorized);
    done(unauthorized("authorization header missing"));
    return;
  }
  if (!authorization.starts_with(kBearerPrefix)) {
    bump(stats_.unauthorized);
    done(unauthorized("invalid authorization header, must start with Bearer"));
    return;
  }
  authorization.remove_prefix(kBearerPrefix.size());
  auto token = verifier_.verify(authorization);
  if (!token) {
    bump(stats_.unauthorized);
    HUDDLE_LOG_DEBUG(server, "twirp token rejected reason={}", auth::toString(token.code()));
    done(unauthorized(std::string("invalid token: ") + std::string(auth::toString(token.code()))));
    return;
  }

  Call call;
  call.video = std::move(token->grants.video);
  call.stats = &stats_;
  call.done = std::make_shared<Done>(std::move(done));

  if (request.method != "POST") {
    call.fail(TwirpCode::BadRoute, "unsupported method " + request.method + " (only POST)");
    return;
  }
  std::string_view path = request.path;
  if (const auto query = path.find('?'); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  std::optional<RoomServiceMethod> method;
  if (path.starts_with(kRoomServicePrefix)) {
    method = methodFromName(path.substr(kRoomServicePrefix.size()));
  }
  if (!method) {
    call.fail(TwirpCode::BadRoute, "no handler for path " + std::string(path));
    return;
  }
  call.method = *method;
  bump(stats_.calls[static_cast<std::size_t>(*method)]);

  const auto encoding = encodingFromContentType(request.contentType);
  if (!encoding) {
    call.fail(TwirpCode::BadRoute, "unexpected Content-Type: " + request.contentType);
    return;
  }
  call.encoding = *encoding;
  if (request.body.size() > kMaxTwirpBodyBytes) {
    call.fail(TwirpCode::Malformed, "the request body is too large");
    return;
  }
  dispatch(backend_, request.body, std::move(call));
}

}  // namespace huddle::server
