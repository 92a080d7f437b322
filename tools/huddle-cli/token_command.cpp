#include "token_command.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "auth/access_token.h"
#include "auth/claims_json.h"
#include "cli_common.h"
#include "common/duration.h"
#include "key_options.h"

namespace huddle::cli {
namespace {

using nlohmann::json;

std::optional<bool> parseBool(const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

struct CreateOptions {
  KeyOptions keys;
  std::string identity, name, room, metadata, kind, validFor = "6h", grantJson, roomConfig,
                                                    roomPreset, destinationRoom;
  std::vector<std::string> attributes;
  std::vector<std::string> sources;
  bool join = false, admin = false, create = false, list = false, record = false,
       ingressAdmin = false, hidden = false, recorder = false, agent = false, sipAdmin = false,
       sipCall = false;
  std::string canPublish, canSubscribe, canPublishData, canUpdateMetadata;
  bool printJson = false;
};

}  // namespace

int fail(const std::string& message) {
  std::cerr << "huddle-cli: " << message << "\n";
  return 1;
}

namespace {

int runCreate(CreateOptions& o) {
  auto keys = o.keys.provider();
  if (!keys) return fail(keys.message());
  const auto ttl = parseDuration(o.validFor);
  if (!ttl || ttl->count() <= 0)
    return fail("--valid-for '" + o.validFor + "' is not a positive duration (e.g. 6h, 30m, 3600)");

  auth::ClaimGrants grants;
  grants.identity = o.identity;
  grants.name = o.name;
  grants.metadata = o.metadata;
  grants.kind = o.kind;
  grants.roomPreset = o.roomPreset;
  for (const auto& attribute : o.attributes) {
    const auto eq = attribute.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("--attribute '" + attribute + "' must be key=value");
    grants.attributes[attribute.substr(0, eq)] = attribute.substr(eq + 1);
  }

  auth::VideoGrant video;
  if (!o.grantJson.empty()) {
    const json parsed = json::parse(o.grantJson, nullptr, false);
    if (auto error = auth::fromJson(parsed, video)) return fail("--grant: " + *error);
  }
  video.roomJoin = video.roomJoin || o.join;
  video.roomAdmin = video.roomAdmin || o.admin;
  video.roomCreate = video.roomCreate || o.create;
  video.roomList = video.roomList || o.list;
  video.roomRecord = video.roomRecord || o.record;
  video.ingressAdmin = video.ingressAdmin || o.ingressAdmin;
  video.hidden = video.hidden || o.hidden;
  video.recorder = video.recorder || o.recorder;
  video.agent = video.agent || o.agent;
  if (!o.room.empty()) video.room = o.room;
  if (!o.destinationRoom.empty()) video.destinationRoom = o.destinationRoom;
  if (!o.sources.empty()) video.canPublishSources = o.sources;
  const std::pair<const std::string*, std::optional<bool>*> tristate[] = {
      {&o.canPublish, &video.canPublish},
      {&o.canSubscribe, &video.canSubscribe},
      {&o.canPublishData, &video.canPublishData},
      {&o.canUpdateMetadata, &video.canUpdateOwnMetadata}};
  for (const auto& [text, target] : tristate) {
    if (text->empty()) continue;
    const auto value = parseBool(*text);
    if (!value) return fail("'" + *text + "' is not true or false");
    *target = value;
  }
  if (video != auth::VideoGrant{}) grants.video = video;
  if (o.sipAdmin || o.sipCall) grants.sip = auth::SipGrant{o.sipAdmin, o.sipCall};
  if (!o.roomConfig.empty()) {
    const json config = json::parse(o.roomConfig, nullptr, false);
    if (!config.is_object())
      return fail("--room-config must be a JSON object (a RoomConfiguration)");
    grants.roomConfig = config.dump();
  }

  auth::MintOptions mint;
  mint.apiKey = o.keys.apiKey;
  mint.ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  auto token = auth::mintToken(grants, mint, *keys->find(o.keys.apiKey));
  if (!token) return fail("cannot mint token: " + token.message());
  if (o.printJson) {
    json out{{"token", *token}, {"identity", grants.identity}, {"room", video.room}};
    std::cout << out.dump() << "\n";
  } else {
    std::cout << *token << "\n";
  }
  return 0;
}

struct VerifyOptions {
  KeyOptions keys;
  std::string token;
  std::string leeway = "60s";
};

int runVerify(VerifyOptions& o) {
  const auto leeway = parseDuration(o.leeway);
  if (!leeway) return fail("--leeway '" + o.leeway + "' is not a duration");
  auto keys = o.keys.provider();
  if (!keys) return fail(keys.message());
  if (o.token == "-") std::getline(std::cin, o.token);
  const auth::TokenVerifier verifier(*keys, SystemClock::instance(),
                                     std::chrono::duration_cast<std::chrono::seconds>(*leeway));
  const auto verified = verifier.verify(o.token);
  if (!verified) {
    std::cerr << "invalid token: " << auth::toString(verified.code()) << ": " << verified.message()
              << "\n";
    return 1;
  }
  json claims = json::object();
  auth::toJson(verified->grants, claims);
  json out{{"valid", true},
           {"apiKey", verified->apiKey},
           {"identity", verified->identity()},
           {"notBefore", verified->notBefore},
           {"expiresAt", verified->expiresAt},
           {"claims", claims}};
  if (verified->grants.video) {
    const auto& v = *verified->grants.video;
    out["effective"] = {{"canPublish", v.effectiveCanPublish()},
                        {"canSubscribe", v.effectiveCanSubscribe()},
                        {"canPublishData", v.effectiveCanPublishData()},
                        {"canUpdateOwnMetadata", v.effectiveCanUpdateOwnMetadata()}};
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

void addTokenCommand(CLI::App& app, int& exitCode) {
  auto* token = app.add_subcommand("token", "create and verify access tokens");
  token->require_subcommand(1);

  auto create = std::make_shared<CreateOptions>();
  auto* c = token->add_subcommand("create", "mint an access token");
  create->keys.addTo(*c);
  c->add_option("-i,--identity", create->identity, "participant identity (required with --join)");
  c->add_option("-n,--name", create->name, "display name");
  c->add_option("-r,--room", create->room, "room name");
  c->add_flag("--join", create->join, "grant roomJoin");
  c->add_flag("--admin", create->admin, "grant roomAdmin");
  c->add_flag("--create", create->create, "grant roomCreate");
  c->add_flag("--list", create->list, "grant roomList");
  c->add_flag("--record", create->record, "grant roomRecord");
  c->add_flag("--ingress-admin", create->ingressAdmin, "grant ingressAdmin");
  c->add_flag("--hidden", create->hidden, "participant is hidden from others");
  c->add_flag("--recorder", create->recorder, "participant is a recorder");
  c->add_flag("--agent", create->agent, "participant is an agent");
  c->add_option("--can-publish", create->canPublish, "true|false (default: true)");
  c->add_option("--can-subscribe", create->canSubscribe, "true|false (default: true)");
  c->add_option("--can-publish-data", create->canPublishData,
                "true|false (default: follows --can-publish)");
  c->add_option("--can-update-metadata", create->canUpdateMetadata, "true|false (default: false)");
  c->add_option("--can-publish-sources", create->sources,
                "camera,microphone,screen_share,screen_share_audio")
      ->delimiter(',')
      ->check(CLI::IsMember({"camera", "microphone", "screen_share", "screen_share_audio"}));
  c->add_option("--destination-room", create->destinationRoom,
                "room this participant may be forwarded to");
  c->add_option("--grant", create->grantJson,
                "video grant as JSON, e.g. '{\"roomJoin\":true,\"room\":\"a\"}'");
  c->add_option("--metadata", create->metadata, "participant metadata");
  c->add_option("--attribute", create->attributes, "participant attribute key=value (repeatable)");
  c->add_option("--kind", create->kind, "participant kind: standard, agent, sip, ingress, egress");
  c->add_option("--room-config", create->roomConfig, "RoomConfiguration as JSON");
  c->add_option("--room-preset", create->roomPreset, "room preset name");
  c->add_flag("--sip-admin", create->sipAdmin, "grant SIP admin");
  c->add_flag("--sip-call", create->sipCall, "grant SIP call");
  c->add_option("--valid-for", create->validFor, "validity, e.g. 6h, 30m, 3600 (default 6h)");
  c->add_flag("--json", create->printJson, "print {token, identity, room} as JSON");
  c->callback([create, &exitCode] { exitCode = runCreate(*create); });

  auto verify = std::make_shared<VerifyOptions>();
  auto* v = token->add_subcommand("verify", "check a token and print its grants");
  verify->keys.addTo(*v);
  verify->keys.acceptKeySet = true;
  v->add_option("--keys-file", verify->keys.keysFile, "LiveKit key file ('key: secret' lines)");
  v->add_option("--leeway", verify->leeway, "allowed clock skew (default 60s)");
  v->add_option("token", verify->token, "the token, or - to read it from standard input")
      ->required();
  v->callback([verify, &exitCode] { exitCode = runVerify(*verify); });
}

}  // namespace huddle::cli
