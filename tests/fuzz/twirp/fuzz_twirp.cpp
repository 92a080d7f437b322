// Feeds arbitrary requests to TwirpService: byte 0 picks the method name (a few indices name no
// method), byte 1 the Content-Type, byte 2 the token, the rest is the body. The backend replies
// synchronously. Nothing may crash, leak or throw, and every request gets exactly one reply
// that is either a success in the request's encoding or a well-formed Twirp/401 error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/access_token.h"
#include "in_memory_room_backend.h"
#include "server/twirp/twirp_service.h"

namespace {

using namespace huddle;
using namespace huddle::server;

constexpr const char* kApiKey = "APIfuzz";
constexpr const char* kSecret = "fuzz-secret-0123456789abcdefghijkl";

const ManualClock& fuzzClock() {
  static const ManualClock c;
  return c;
}

const auth::KeyProvider& keys() {
  static const auth::KeyProvider provider = [] {
    auth::KeyProvider p;
    (void)p.add(kApiKey, kSecret, {});
    return p;
  }();
  return provider;
}

std::string mint(bool create, bool list, bool admin) {
  auth::ClaimGrants grants;
  auth::VideoGrant video;
  video.roomCreate = create;
  video.roomList = list;
  video.roomAdmin = admin;
  video.room = "standup";
  grants.video = video;
  auth::MintOptions options;
  options.apiKey = kApiKey;
  auto token = auth::mintToken(grants, options, auth::HmacSha256Key(kSecret), fuzzClock());
  if (!token) std::abort();
  return "Bearer " + token.value();
}

const std::string& tokenFor(std::uint8_t choice) {
  static const std::string tokens[] = {mint(true, true, true), mint(false, false, true),
                                       mint(false, false, false), std::string()};
  return tokens[choice % std::size(tokens)];
}

std::string methodFor(std::uint8_t choice) {
  const auto index = choice % (kRoomServiceMethodCount + 2);
  if (index < kRoomServiceMethodCount) {
    return std::string(methodName(static_cast<RoomServiceMethod>(index)));
  }
  return index == kRoomServiceMethodCount ? "ForwardParticipant" : "";
}

const char* contentTypeFor(std::uint8_t choice) {
  static const char* const types[] = {"application/json", "application/json;charset=UTF-8",
                                      "application/protobuf", "text/plain"};
  return types[choice % std::size(types)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  TwirpHttpRequest request;
  request.method = "POST";
  request.path = std::string(kRoomServicePrefix) + methodFor(data[0]);
  request.contentType = contentTypeFor(data[1]);
  request.authorization = tokenFor(data[2]);
  request.body.assign(reinterpret_cast<const char*>(data + 3), size - 3);

  fakes::InMemoryRoomBackend backend;
  backend.addRoom("standup");
  TwirpService service(keys(), backend, fuzzClock());
  int replies = 0;
  service.handle(request, [&](TwirpHttpResponse response) {
    ++replies;
    if (response.status == 200) {
      const auto encoding = encodingFromContentType(request.contentType);
      if (!encoding || response.contentType != contentTypeOf(*encoding)) std::abort();
      return;
    }
    if (response.status == 401 && response.contentType != "application/json") return;
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("code") || !body["code"].is_string()) std::abort();
    const auto code = twirpCodeFromName(body["code"].get<std::string>());
    if (!code || twirpHttpStatus(*code) != response.status) std::abort();
  });
  if (replies != 1) std::abort();
  return 0;
}
