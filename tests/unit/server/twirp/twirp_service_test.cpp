#include "server/twirp/twirp_service.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "auth/access_token.h"
#include "common/clock.h"
#include "in_memory_room_backend.h"

namespace huddle::server {
namespace {

using nlohmann::json;
using fakes::InMemoryRoomBackend;
namespace pb = google::protobuf;

constexpr const char* kApiKey = "APItwirptest";
constexpr const char* kSecret = "twirp-test-secret-that-is-long-enough-0123";
constexpr const char* kRoom = "standup";

std::string path(std::string_view method) {
  return std::string(kRoomServicePrefix) + std::string(method);
}

class TwirpServiceTest : public ::testing::Test {
 protected:
  TwirpServiceTest() {
    EXPECT_TRUE(keys_.add(kApiKey, kSecret, {}).ok());
    backend_.addRoom(kRoom);
  }

  std::string token(const auth::VideoGrant& video, const char* secret = kSecret,
                    const char* apiKey = kApiKey) {
    auth::ClaimGrants grants;
    grants.video = video;
    return tokenFor(grants, secret, apiKey);
  }
  std::string tokenFor(const auth::ClaimGrants& grants, const char* secret = kSecret,
                       const char* apiKey = kApiKey) {
    auth::MintOptions options;
    options.apiKey = apiKey;
    auto minted = auth::mintToken(grants, options, auth::HmacSha256Key(secret), clock_);
    EXPECT_TRUE(minted.ok());
    return minted.ok() ? "Bearer " + minted.value() : std::string();
  }
  std::string adminToken(const std::string& room = kRoom) {
    auth::VideoGrant video;
    video.roomAdmin = true;
    video.room = room;
    return token(video);
  }
  std::string allGrantsToken() {
    auth::VideoGrant video;
    video.roomAdmin = true;
    video.roomCreate = true;
    video.roomList = true;
    video.room = kRoom;
    return token(video);
  }

  TwirpHttpResponse call(std::string_view method, std::string body,
                         const std::string& authorization,
                         std::string contentType = "application/json") {
    TwirpHttpRequest request;
    request.method = "POST";
    request.path = path(method);
    request.contentType = std::move(contentType);
    request.authorization = authorization;
    request.body = std::move(body);
    return send(request);
  }

  TwirpHttpResponse send(const TwirpHttpRequest& request) {
    std::optional<TwirpHttpResponse> response;
    int replies = 0;
    service_.handle(request, [&](TwirpHttpResponse r) {
      ++replies;
      response = std::move(r);
    });
    EXPECT_EQ(replies, 1);
    return response.value_or(TwirpHttpResponse{});
  }

  // Asserts a Twirp error response and returns its message.
  std::string expectTwirpError(const TwirpHttpResponse& response, int status,
                               std::string_view code) {
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(response.contentType, "application/json");
    const json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << response.body;
    if (!body.is_object()) return {};
    EXPECT_EQ(body.value("code", ""), code) << response.body;
    return body.value("msg", "");
  }

  json expectJsonOk(const TwirpHttpResponse& response) {
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.contentType, "application/json");
    json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << response.body;
    return body;
  }

  ManualClock clock_;
  auth::KeyProvider keys_;
  InMemoryRoomBackend backend_;
  TwirpService service_{keys_, backend_, clock_};
};

// ---- every method, both encodings ------------------------------------------------------------

struct MethodCase {
  std::string_view name;
  std::function<std::unique_ptr<pb::Message>()> request;
  std::function<std::unique_ptr<pb::Message>()> response;  // empty prototype
  // The request as the backend recorded it.
  std::function<const pb::Message*(const InMemoryRoomBackend&)> recorded;
};

template <typename T>
std::unique_ptr<pb::Message> make(std::function<void(T&)> fill = {}) {
  auto msg = std::make_unique<T>();
  if (fill) fill(*msg);
  return msg;
}

template <typename T>
const pb::Message* opt(const std::optional<T>& value) {
  return value ? &*value : nullptr;
}

std::vector<MethodCase> allMethods() {
  using B = InMemoryRoomBackend;
  return {
      {"CreateRoom",
       [] {
         return make<livekit::CreateRoomRequest>([](auto& r) {
           r.set_name("new-room");
           r.set_empty_timeout(30);
           r.set_max_participants(8);
           r.set_metadata("{\"topic\":\"x\"}");
           (*r.mutable_tags())["Team_Name"] = "blue";
         });
       },
       [] { return make<livekit::Room>(); }, [](const B& b) { return opt(b.lastCreateRoom); }},
      {"ListRooms",
       [] { return make<livekit::ListRoomsRequest>([](auto& r) { r.add_names(kRoom); }); },
       [] { return make<livekit::ListRoomsResponse>(); },
       [](const B& b) { return opt(b.lastListRooms); }},
      {"DeleteRoom",
       [] { return make<livekit::DeleteRoomRequest>([](auto& r) { r.set_room(kRoom); }); },
       [] { return make<livekit::DeleteRoomResponse>(); },
       [](const B& b) { return opt(b.lastDeleteRoom); }},
      {"ListParticipants",
       [] { return make<livekit::ListParticipantsRequest>([](auto& r) { r.set_room(kRoom); }); },
       [] { return make<livekit::ListParticipantsResponse>(); },
       [](const B& b) { return opt(b.lastListParticipants); }},
      {"GetParticipant",
       [] {
         return make<livekit::RoomParticipantIdentity>([](auto& r) {
           r.set_room(kRoom);
           r.set_identity(fakes::kCannedIdentity);
         });
       },
       [] { return make<livekit::ParticipantInfo>(); },
       [](const B& b) { return opt(b.lastGetParticipant); }},
      {"RemoveParticipant",
       [] {
         return make<livekit::RoomParticipantIdentity>([](auto& r) {
           r.set_room(kRoom);
           r.set_identity(fakes::kCannedIdentity);
           r.set_revoke_token_ts(1'700'000'123'456);
         });
       },
       [] { return make<livekit::RemoveParticipantResponse>(); },
       [](const B& b) { return opt(b.lastRemoveParticipant); }},
      {"MutePublishedTrack",
       [] {
         return make<livekit::MuteRoomTrackRequest>([](auto& r) {
           r.set_room(kRoom);
           r.set_identity(fakes::kCannedIdentity);
           r.set_track_sid(fakes::kCannedTrackSid);
           r.set_muted(true);
         });
       },
       [] { return make<livekit::MuteRoomTrackResponse>(); },
       [](const B& b) { return opt(b.lastMutePublishedTrack); }},
      {"UpdateParticipant",
       [] {
         return make<livekit::UpdateParticipantRequest>([](auto& r) {
           r.set_room(kRoom);
           r.set_identity(fakes::kCannedIdentity);
           r.set_metadata("meta");
           r.set_name("Renamed");
           r.mutable_permission()->set_can_publish(true);
           r.mutable_permission()->add_can_publish_sources(livekit::CAMERA);
           (*r.mutable_attributes())["Some_Key"] = "v";
         });
       },
       [] { return make<livekit::ParticipantInfo>(); },
       [](const B& b) { return opt(b.lastUpdateParticipant); }},
      {"UpdateSubscriptions",
       [] {
         return make<livekit::UpdateSubscriptionsRequest>([](auto& r) {
           r.set_room(kRoom);
           r.set_identity(fakes::kCannedIdentity);
           r.add_track_sids("TR_a");
           r.set_subscribe(true);
         });
       },
       [] { return make<livekit::UpdateSubscriptionsResponse>(); },
       [](const B& b) { return opt(b.lastUpdateSubscriptions); }},
      {"SendData",
       [] {
         return make<livekit::SendDataRequest>([](auto& r) {
           r.set_room(kRoom);
           r.set_data(std::string("\x00\x01\xfe\xff", 4));
           r.set_kind(livekit::DataPacket::LOSSY);
           r.set_topic("chat");
           r.add_destination_identities("bob");
           r.set_nonce(std::string(16, '\x5a'));
         });
       },
       [] { return make<livekit::SendDataResponse>(); },
       [](const B& b) { return opt(b.lastSendData); }},
      {"UpdateRoomMetadata",
       [] {
         return make<livekit::UpdateRoomMetadataRequest>([](auto& r) {
           r.set_room(kRoom);
           r.set_metadata("new room metadata");
         });
       },
       [] { return make<livekit::Room>(); },
       [](const B& b) { return opt(b.lastUpdateRoomMetadata); }},
  };
}

TEST_F(TwirpServiceTest, EveryMethodInProtobuf) {
  for (const auto& method : allMethods()) {
    SCOPED_TRACE(std::string(method.name));
    InMemoryRoomBackend backend;
    backend.addRoom(kRoom);
    TwirpService service(keys_, backend, clock_);
    const auto request = method.request();
    TwirpHttpRequest http;
    http.method = "POST";
    http.path = path(method.name);
    http.contentType = "application/protobuf";
    http.authorization = allGrantsToken();
    http.body = request->SerializeAsString();

    std::optional<TwirpHttpResponse> response;
    service.handle(http, [&](TwirpHttpResponse r) { response = std::move(r); });
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(response->contentType, "application/protobuf");
    auto reply = method.response();
    EXPECT_TRUE(reply->ParseFromString(response->body));
    const auto* seen = method.recorded(backend);
    ASSERT_NE(seen, nullptr);
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*seen, *request)) << seen->DebugString();
    EXPECT_EQ(service.stats().succeeded.load(), 1u);
    EXPECT_EQ(service.stats().callCount(*methodFromName(method.name)), 1u);
  }
}

// The request as JSON in both spellings protobuf writes (camelCase, proto names); the reply
// must be JSON with proto field names that parses back into the response type.
TEST_F(TwirpServiceTest, EveryMethodInJsonCamelAndSnakeCase) {
  for (const bool snake : {false, true}) {
    for (const auto& method : allMethods()) {
      SCOPED_TRACE(std::string(method.name) + (snake ? " snake_case" : " camelCase"));
      InMemoryRoomBackend backend;
      backend.addRoom(kRoom);
      TwirpService service(keys_, backend, clock_);
      const auto request = method.request();
      pb::util::JsonPrintOptions print;
      print.preserve_proto_field_names = snake;
      std::string body;
      ASSERT_TRUE(pb::util::MessageToJsonString(*request, &body, print).ok());

      TwirpHttpRequest http;
      http.method = "POST";
      http.path = path(method.name);
      http.contentType = "application/json;charset=UTF-8";
      http.authorization = allGrantsToken();
      http.body = body;
      std::optional<TwirpHttpResponse> response;
      service.handle(http, [&](TwirpHttpResponse r) { response = std::move(r); });
      ASSERT_TRUE(response);
      EXPECT_EQ(response->status, 200) << response->body;
      EXPECT_EQ(response->contentType, "application/json");
      auto reply = method.response();
      pb::util::JsonParseOptions strict;  // no unknown fields allowed: names must be exact
      EXPECT_TRUE(pb::util::JsonStringToMessage(response->body, reply.get(), strict).ok())
          << response->body;
      const auto* seen = method.recorded(backend);
      ASSERT_NE(seen, nullptr);
      EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*seen, *request)) << body;
    }
  }
}

TEST_F(TwirpServiceTest, JsonReplyUsesProtoNamesAndEmitsDefaults) {
  const auto body = expectJsonOk(call("CreateRoom", R"({"name":"fresh"})", allGrantsToken()));
  EXPECT_EQ(body.value("name", ""), "fresh");
  EXPECT_TRUE(body.contains("empty_timeout"));
  EXPECT_FALSE(body.contains("emptyTimeout"));
  ASSERT_TRUE(body.contains("num_participants"));
  EXPECT_EQ(body["num_participants"], 1);
  EXPECT_TRUE(body.contains("active_recording"));  // false, printed anyway
  EXPECT_EQ(body.value("metadata", "?"), "");
  // int64 travels as a string in proto3 JSON.
  EXPECT_TRUE(body["creation_time"].is_string());
}

TEST_F(TwirpServiceTest, JsonFieldNamesInAnyCasing) {
  const auto body = expectJsonOk(call(
      "CreateRoom",
      R"({"Name":"cased","EMPTY_TIMEOUT":30,"maxparticipants":"7","Departure_Timeout":5})",
      allGrantsToken()));
  ASSERT_TRUE(backend_.lastCreateRoom);
  EXPECT_EQ(backend_.lastCreateRoom->name(), "cased");
  EXPECT_EQ(backend_.lastCreateRoom->empty_timeout(), 30u);
  EXPECT_EQ(backend_.lastCreateRoom->max_participants(), 7u);
  EXPECT_EQ(backend_.lastCreateRoom->departure_timeout(), 5u);
  EXPECT_EQ(body.value("name", ""), "cased");
}

TEST_F(TwirpServiceTest, NestedFieldNamesAreNormalisedButMapKeysAreNot) {
  expectJsonOk(call("UpdateParticipant",
                    R"({"room":"standup","identity":"canned-participant",
                        "Permission":{"CanPublishData":true,"can_subscribe":true,
                                      "canPublishSources":["CAMERA", 2]},
                        "attributes":{"Mixed_Case-Key":"1","canPublish":"2"}})",
                    adminToken()));
  ASSERT_TRUE(backend_.lastUpdateParticipant);
  const auto& seen = *backend_.lastUpdateParticipant;
  EXPECT_TRUE(seen.permission().can_publish_data());
  EXPECT_TRUE(seen.permission().can_subscribe());
  ASSERT_EQ(seen.permission().can_publish_sources_size(), 2);
  EXPECT_EQ(seen.permission().can_publish_sources(0), livekit::CAMERA);
  EXPECT_EQ(seen.permission().can_publish_sources(1), livekit::MICROPHONE);
  EXPECT_EQ(seen.attributes().at("Mixed_Case-Key"), "1");
  EXPECT_EQ(seen.attributes().at("canPublish"), "2");
}

TEST_F(TwirpServiceTest, EnumAsNumberOrNameInAnyCase) {
  const std::string nonce = R"("nonce":"WlpaWlpaWlpaWlpaWlpaWg==")";  // 16 bytes
  expectJsonOk(call("SendData", R"({"room":"standup","data":"AAE=","kind":1,)" + nonce + "}",
                    adminToken()));
  ASSERT_TRUE(backend_.lastSendData);
  EXPECT_EQ(backend_.lastSendData->kind(), livekit::DataPacket::LOSSY);
  EXPECT_EQ(backend_.lastSendData->data(), std::string("\x00\x01", 2));
  EXPECT_EQ(backend_.lastSendData->nonce(), std::string(16, 'Z'));

  expectJsonOk(call("SendData", R"({"room":"standup","kind":"lossy"})", adminToken()));
  EXPECT_EQ(backend_.lastSendData->kind(), livekit::DataPacket::LOSSY);
  expectJsonOk(call("SendData", R"({"room":"standup","kind":"RELIABLE"})", adminToken()));
  EXPECT_EQ(backend_.lastSendData->kind(), livekit::DataPacket::RELIABLE);
}

TEST_F(TwirpServiceTest, Int64AsStringOrNumber) {
  backend_.addRoom("r2");
  expectJsonOk(call("RemoveParticipant",
                    R"({"room":"standup","identity":"canned-participant",
                        "revokeTokenTs":"9007199254740993"})",
                    adminToken()));
  ASSERT_TRUE(backend_.lastRemoveParticipant);
  // Above 2^53: exact only if the string is not read through a double.
  EXPECT_EQ(backend_.lastRemoveParticipant->revoke_token_ts(), 9007199254740993);

  expectJsonOk(call("RemoveParticipant",
                    R"({"room":"r2","identity":"canned-participant","revoke_token_ts":12345})",
                    adminToken("r2")));
  EXPECT_EQ(backend_.lastRemoveParticipant->revoke_token_ts(), 12345);
}

TEST_F(TwirpServiceTest, UnknownFieldsAreIgnored) {
  expectJsonOk(call("DeleteRoom",
                    R"({"room":"standup","futureField":{"deep":[1,2,{"x":null}]},"other":7})",
                    allGrantsToken()));
  EXPECT_FALSE(backend_.hasRoom(kRoom));
  // In protobuf, an unknown field number is skipped too.
  livekit::DeleteRoomRequest request;
  request.set_room("missing");
  std::string body = request.SerializeAsString();
  body += std::string("\xa0\x06\x01", 3);  // field 100, varint 1
  const auto response = call("DeleteRoom", body, allGrantsToken(), "application/protobuf");
  EXPECT_EQ(response.status, 404);  // decoded fine, then the backend had no such room
  ASSERT_TRUE(backend_.lastDeleteRoom);
  EXPECT_EQ(backend_.lastDeleteRoom->room(), "missing");
}

TEST_F(TwirpServiceTest, ContentTypeParametersAndCaseAreIgnored) {
  auto r = call("ListRooms", "{}", allGrantsToken(), "Application/JSON ; charset=utf-8");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/json");
  r = call("ListRooms", "", allGrantsToken(), "application/protobuf; proto=livekit");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/protobuf");
  livekit::ListRoomsResponse rooms;
  ASSERT_TRUE(rooms.ParseFromString(r.body));
  ASSERT_EQ(rooms.rooms_size(), 1);
  EXPECT_EQ(rooms.rooms(0).name(), kRoom);
}

// ---- authentication: before Twirp, plain text -----------------------------------------------

TEST_F(TwirpServiceTest, MissingAuthorizationIs401PlainText) {
  const auto r = call("ListRooms", "{}", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.contentType.rfind("text/plain", 0), 0u);
  EXPECT_FALSE(r.body.empty());
  EXPECT_EQ(service_.stats().unauthorized.load(), 1u);
  EXPECT_EQ(backend_.calls, 0);
}

TEST_F(TwirpServiceTest, AuthorizationWithoutBearerIs401) {
  std::string bare = allGrantsToken().substr(7);
  const auto r = call("ListRooms", "{}", bare);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.contentType, "application/json");
}

TEST_F(TwirpServiceTest, WrongSecretUnknownKeyExpiredAndGarbageAre401) {
  auth::VideoGrant video;
  video.roomList = true;
  const std::string wrongSecret = token(video, "another-secret-of-sufficient-length-xyz");
  const std::string unknownKey = token(video, kSecret, "APIunknown");
  const std::string expiring = token(video);
  clock_.advance(std::chrono::hours(7));  // past the 6 h default TTL and the 60 s leeway
  for (const auto& header : {wrongSecret, unknownKey, expiring, std::string("Bearer x.y.z")}) {
    const auto r = call("ListRooms", "{}", header);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.contentType.rfind("text/plain", 0), 0u);
  }
  EXPECT_EQ(service_.stats().unauthorized.load(), 4u);
  EXPECT_EQ(backend_.calls, 0);
}

// ---- grants ---------------------------------------------------------------------------------

TEST_F(TwirpServiceTest, TokenWithoutVideoGrantIsUnauthenticated) {
  auth::ClaimGrants grants;
  grants.identity = "someone";
  const auto msg = expectTwirpError(call("ListRooms", "{}", tokenFor(grants)), 401,
                                    "unauthenticated");
  EXPECT_EQ(msg, "permissions denied");
}

TEST_F(TwirpServiceTest, EachMethodNeedsItsGrant) {
  auth::ClaimGrants joinOnly;
  joinOnly.identity = "joiner";  // minting refuses a join grant without identity
  joinOnly.video.emplace();
  joinOnly.video->roomJoin = true;
  joinOnly.video->room = kRoom;
  const std::string weak = tokenFor(joinOnly);
  ASSERT_FALSE(weak.empty());
  for (const auto& method : allMethods()) {
    SCOPED_TRACE(std::string(method.name));
    std::string body;
    ASSERT_TRUE(pb::util::MessageToJsonString(*method.request(), &body).ok());
    expectTwirpError(call(method.name, body, weak), 401, "unauthenticated");
  }
  EXPECT_EQ(backend_.calls, 0);
  EXPECT_EQ(service_.stats().errorCount(TwirpCode::Unauthenticated), kRoomServiceMethodCount);
}

TEST_F(TwirpServiceTest, CreateAndDeleteNeedRoomCreateListNeedsRoomList) {
  auth::VideoGrant list;
  list.roomList = true;
  auth::VideoGrant create;
  create.roomCreate = true;
  expectTwirpError(call("CreateRoom", R"({"name":"a"})", token(list)), 401, "unauthenticated");
  expectTwirpError(call("DeleteRoom", R"({"room":"standup"})", adminToken()), 401,
                   "unauthenticated");
  expectTwirpError(call("ListRooms", "{}", token(create)), 401, "unauthenticated");
  expectJsonOk(call("ListRooms", "{}", token(list)));
  expectJsonOk(call("CreateRoom", R"({"name":"a"})", token(create)));
  expectJsonOk(call("DeleteRoom", R"({"room":"a"})", token(create)));
}

TEST_F(TwirpServiceTest, RoomAdminAppliesOnlyToItsRoom) {
  backend_.addRoom("other");
  const std::string body = R"({"room":"other"})";
  expectTwirpError(call("ListParticipants", body, adminToken(kRoom)), 401, "unauthenticated");
  const auto ok = expectJsonOk(call("ListParticipants", body, adminToken("other")));
  ASSERT_TRUE(ok.contains("participants"));
  ASSERT_EQ(ok["participants"].size(), 1u);
  EXPECT_EQ(ok["participants"][0].value("identity", ""), fakes::kCannedIdentity);
  // roomAdmin without a room names no room at all.
  expectTwirpError(call("ListParticipants", body, adminToken("")), 401, "unauthenticated");
}

// ---- routing and decoding -------------------------------------------------------------------

TEST_F(TwirpServiceTest, UnknownMethodIsBadRoute) {
  expectTwirpError(call("ForwardParticipant", "{}", allGrantsToken()), 404, "bad_route");
  expectTwirpError(call("createRoom", "{}", allGrantsToken()), 404, "bad_route");
  TwirpHttpRequest request;
  request.method = "POST";
  request.path = "/twirp/livekit.EgressService/ListEgress";
  request.contentType = "application/json";
  request.authorization = allGrantsToken();
  request.body = "{}";
  expectTwirpError(send(request), 404, "bad_route");
  request.path = "/twirp/livekit.RoomService/";
  expectTwirpError(send(request), 404, "bad_route");
  EXPECT_EQ(service_.stats().errorCount(TwirpCode::BadRoute), 4u);
}

TEST_F(TwirpServiceTest, QueryStringDoesNotChangeTheRoute) {
  TwirpHttpRequest request;
  request.method = "POST";
  request.path = path("ListRooms") + "?x=1";
  request.contentType = "application/json";
  request.authorization = allGrantsToken();
  request.body = "{}";
  EXPECT_EQ(send(request).status, 200);
}

TEST_F(TwirpServiceTest, NonPostIsBadRoute) {
  TwirpHttpRequest request;
  request.method = "GET";
  request.path = path("ListRooms");
  request.contentType = "application/json";
  request.authorization = allGrantsToken();
  expectTwirpError(send(request), 404, "bad_route");
  EXPECT_EQ(backend_.calls, 0);
}

TEST_F(TwirpServiceTest, UnsupportedContentTypeIsBadRoute) {
  for (const char* type : {"text/plain", "", "application/jsonx", "application/x-protobuf"}) {
    SCOPED_TRACE(type);
    expectTwirpError(call("ListRooms", "{}", allGrantsToken(), type), 404, "bad_route");
  }
}

TEST_F(TwirpServiceTest, MalformedBodies) {
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  for (const std::string& body :
       {std::string("{"), std::string("[]"), std::string("\"room\""), std::string(""),
        std::string(R"({"room":5})"), std::string(R"({"room":"a","ROOM":"b"})"),
        std::string(R"({"room":"standup","kind":"NOT_A_KIND_AT_ALL"} trailing)"),
        R"({"x":)" + deep + "}", std::string("{\"room\":\"\xff\"}")}) {
    SCOPED_TRACE(body.substr(0, 60));
    expectTwirpError(call("SendData", body, adminToken()), 400, "malformed");
  }
  expectTwirpError(call("SendData", "\xff\xff\xff", adminToken(), "application/protobuf"), 400,
                   "malformed");
  // Field 5 (topic, a string) holding invalid UTF-8: proto3 refuses it.
  expectTwirpError(call("SendData", std::string("\x0a\x07standup\x2a\x02\xc3\x28", 13),
                        adminToken(), "application/protobuf"),
                   400, "malformed");
  EXPECT_EQ(backend_.calls, 0);
}

TEST_F(TwirpServiceTest, OversizedBodyIsMalformed) {
  const std::string body = R"({"room":"standup","metadata":")" +
                           std::string(kMaxTwirpBodyBytes, 'a') + R"("})";
  expectTwirpError(call("UpdateRoomMetadata", body, adminToken()), 400, "malformed");
}

// ---- validation -----------------------------------------------------------------------------

TEST_F(TwirpServiceTest, SendDataNonceMustBeEmptyOr16Bytes) {
  livekit::SendDataRequest request;
  request.set_room(kRoom);
  request.set_data("x");
  for (const std::size_t size : {std::size_t{1}, std::size_t{15}, std::size_t{17}}) {
    request.set_nonce(std::string(size, 'n'));
    const auto msg =
        expectTwirpError(call("SendData", request.SerializeAsString(), adminToken(),
                              "application/protobuf"),
                         400, "invalid_argument");
    EXPECT_NE(msg.find("nonce"), std::string::npos);
  }
  for (const std::size_t size : {std::size_t{0}, std::size_t{16}}) {
    request.set_nonce(std::string(size, 'n'));
    EXPECT_EQ(call("SendData", request.SerializeAsString(), adminToken(), "application/protobuf")
                  .status,
              200);
  }
  EXPECT_EQ(service_.stats().errorCount(TwirpCode::InvalidArgument), 3u);
}

TEST_F(TwirpServiceTest, MetadataLimitIs64KiB) {
  const auto body = [](std::size_t size) {
    return R"({"room":"standup","metadata":")" + std::string(size, 'm') + R"("})";
  };
  expectTwirpError(call("UpdateRoomMetadata", body(kMaxMetadataBytes + 1), adminToken()), 400,
                   "invalid_argument");
  expectJsonOk(call("UpdateRoomMetadata", body(kMaxMetadataBytes), adminToken()));
  EXPECT_EQ(backend_.room(kRoom)->metadata().size(), kMaxMetadataBytes);

  const std::string big(kMaxMetadataBytes + 1, 'm');
  expectTwirpError(call("CreateRoom", R"({"name":"n","metadata":")" + big + R"("})",
                        allGrantsToken()),
                   400, "invalid_argument");
  expectTwirpError(call("UpdateParticipant",
                        R"({"room":"standup","identity":"canned-participant","metadata":")" +
                            big + R"("})",
                        adminToken()),
                   400, "invalid_argument");
  expectTwirpError(call("UpdateParticipant",
                        R"({"room":"standup","identity":"canned-participant",
                            "attributes":{"k":")" + big + R"("}})",
                        adminToken()),
                   400, "invalid_argument");
}

TEST_F(TwirpServiceTest, EmptyRoomOrIdentityIsInvalidArgument) {
  auth::VideoGrant create;
  create.roomCreate = true;
  expectTwirpError(call("CreateRoom", "{}", token(create)), 400, "invalid_argument");
  expectTwirpError(call("DeleteRoom", R"({"room":""})", token(create)), 400, "invalid_argument");
  // An admin grant for room "" passes the room match, so the emptiness check is what rejects.
  const std::string admin = adminToken("");
  expectTwirpError(call("ListParticipants", "{}", admin), 400, "invalid_argument");
  expectTwirpError(call("UpdateRoomMetadata", "{}", admin), 400, "invalid_argument");
  expectTwirpError(call("GetParticipant", R"({"room":"standup"})", adminToken()), 400,
                   "invalid_argument");
  expectTwirpError(call("RemoveParticipant", R"({"room":"standup"})", adminToken()), 400,
                   "invalid_argument");
  expectTwirpError(call("UpdateParticipant", R"({"room":"standup"})", adminToken()), 400,
                   "invalid_argument");
  expectTwirpError(call("UpdateSubscriptions", R"({"room":"standup"})", adminToken()), 400,
                   "invalid_argument");
  expectTwirpError(call("MutePublishedTrack",
                        R"({"room":"standup","identity":"canned-participant"})", adminToken()),
                   400, "invalid_argument");
  EXPECT_EQ(backend_.calls, 0);
}

// ---- backend replies ------------------------------------------------------------------------

TEST_F(TwirpServiceTest, BackendNotFoundIs404WithItsMessage) {
  backend_.addRoom("gone");
  auth::VideoGrant create;
  create.roomCreate = true;
  const auto msg =
      expectTwirpError(call("DeleteRoom", R"({"room":"nope"})", token(create)), 404, "not_found");
  EXPECT_EQ(msg, "requested room does not exist");
  const auto pmsg = expectTwirpError(
      call("GetParticipant", R"({"room":"standup","identity":"ghost"})", adminToken()), 404,
      "not_found");
  EXPECT_EQ(pmsg, "participant does not exist");
  EXPECT_EQ(service_.stats().errorCount(TwirpCode::NotFound), 2u);
}

TEST_F(TwirpServiceTest, BackendCodesMapToTheirStatuses) {
  backend_.failNext = TwirpError{"already_exists", "dup"};
  expectTwirpError(call("ListRooms", "{}", allGrantsToken()), 409, "already_exists");
  backend_.failNext = TwirpError{"unavailable", "busy \"worker\"\n"};
  const auto msg = expectTwirpError(call("ListRooms", "{}", allGrantsToken()), 503,
                                    "unavailable");
  EXPECT_EQ(msg, "busy \"worker\"\n");  // escaped in JSON, intact after parsing
  // A code Twirp does not define becomes internal.
  backend_.failNext = TwirpError{"exploded", "boom"};
  EXPECT_EQ(expectTwirpError(call("ListRooms", "{}", allGrantsToken()), 500, "internal"), "boom");
}

TEST_F(TwirpServiceTest, ReplyMayArriveLater) {
  backend_.holdReplies = true;
  TwirpHttpRequest request;
  request.method = "POST";
  request.path = path("GetParticipant");
  request.contentType = "application/protobuf";
  request.authorization = adminToken();
  livekit::RoomParticipantIdentity identity;
  identity.set_room(kRoom);
  identity.set_identity(fakes::kCannedIdentity);
  request.body = identity.SerializeAsString();

  std::optional<TwirpHttpResponse> response;
  service_.handle(request, [&](TwirpHttpResponse r) { response = std::move(r); });
  EXPECT_FALSE(response);
  EXPECT_EQ(backend_.release(), 1u);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  livekit::ParticipantInfo info;
  ASSERT_TRUE(info.ParseFromString(response->body));
  EXPECT_EQ(info.sid(), fakes::kCannedParticipantSid);
  ASSERT_EQ(info.tracks_size(), 1);
  EXPECT_EQ(info.tracks(0).sid(), fakes::kCannedTrackSid);
}

TEST_F(TwirpServiceTest, StatsCountRequestsOutcomesAndMethods) {
  (void)call("ListRooms", "{}", allGrantsToken());
  (void)call("ListRooms", "{", allGrantsToken());
  (void)call("ListRooms", "{}", "");
  const auto& stats = service_.stats();
  EXPECT_EQ(stats.requests.load(), 3u);
  EXPECT_EQ(stats.succeeded.load(), 1u);
  EXPECT_EQ(stats.errorCount(TwirpCode::Malformed), 1u);
  EXPECT_EQ(stats.unauthorized.load(), 1u);
  EXPECT_EQ(stats.callCount(RoomServiceMethod::ListRooms), 2u);
}

// ---- code table -----------------------------------------------------------------------------

TEST(TwirpErrors, StatusTableAndNames) {
  const std::pair<TwirpCode, int> expected[] = {
      {TwirpCode::Canceled, 408},          {TwirpCode::Unknown, 500},
      {TwirpCode::InvalidArgument, 400},   {TwirpCode::Malformed, 400},
      {TwirpCode::DeadlineExceeded, 408},  {TwirpCode::NotFound, 404},
      {TwirpCode::BadRoute, 404},          {TwirpCode::AlreadyExists, 409},
      {TwirpCode::PermissionDenied, 403},  {TwirpCode::Unauthenticated, 401},
      {TwirpCode::ResourceExhausted, 429}, {TwirpCode::FailedPrecondition, 412},
      {TwirpCode::Aborted, 409},           {TwirpCode::OutOfRange, 400},
      {TwirpCode::Unimplemented, 501},     {TwirpCode::Internal, 500},
      {TwirpCode::Unavailable, 503},       {TwirpCode::DataLoss, 500},
  };
  static_assert(std::size(expected) == kTwirpCodeCount);
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(twirpHttpStatus(code), status) << twirpCodeName(code);
    EXPECT_EQ(twirpCodeFromName(twirpCodeName(code)), code);
  }
  EXPECT_EQ(twirpCodeName(TwirpCode::DataLoss), "dataloss");
  EXPECT_EQ(twirpCodeName(TwirpCode::InvalidArgument), "invalid_argument");
  EXPECT_FALSE(twirpCodeFromName("NOT_FOUND"));
  EXPECT_EQ(twirpErrorJson(TwirpCode::NotFound, "a\"b"), R"({"code":"not_found","msg":"a\"b"})");
}

TEST(TwirpCodec, ContentTypes) {
  EXPECT_EQ(encodingFromContentType("application/json"), TwirpEncoding::Json);
  EXPECT_EQ(encodingFromContentType("application/json;charset=UTF-8"), TwirpEncoding::Json);
  EXPECT_EQ(encodingFromContentType(" application/protobuf "), TwirpEncoding::Protobuf);
  EXPECT_FALSE(encodingFromContentType("application/grpc"));
  EXPECT_FALSE(encodingFromContentType(";"));
}

}  // namespace
}  // namespace huddle::server
