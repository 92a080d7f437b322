#include "auth/claims_json.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string_view>

namespace huddle::auth {
namespace {

using nlohmann::json;

// Registered JWT claims are handled by the token code, not stored as LiveKit grants.
constexpr std::array<std::string_view, 7> kRegisteredClaims = {"iss", "sub", "aud", "exp",
                                                               "nbf", "iat", "jti"};

bool isRegistered(std::string_view key) {
  for (const auto claim : kRegisteredClaims) {
    if (claim == key) return true;
  }
  return false;
}

std::string typeError(std::string_view field, std::string_view expected) {
  return "claim '" + std::string(field) + "' must be " + std::string(expected);
}

// Each reader leaves `out` untouched when the field is absent or null. `Target` is bool, or
// std::optional<bool> for grants whose absence means "LiveKit's default".
template <typename Target>
std::optional<std::string> readBool(const json& obj, const char* field, Target& out) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) return typeError(field, "a boolean");
  out = it->get<bool>();
  return std::nullopt;
}

std::optional<std::string> readString(const json& obj, const char* field, std::string& out) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return typeError(field, "a string");
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<std::string> readStringList(const json& obj, const char* field,
                                          std::vector<std::string>& out) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) return typeError(field, "an array of strings");
  out.clear();
  for (const auto& item : *it) {
    if (!item.is_string()) return typeError(field, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return std::nullopt;
}

void putBool(json& obj, const char* field, bool value) {
  if (value) obj[field] = true;
}
void putOptionalBool(json& obj, const char* field, const std::optional<bool>& value) {
  if (value) obj[field] = *value;
}
void putString(json& obj, const char* field, const std::string& value) {
  if (!value.empty()) obj[field] = value;
}

}  // namespace

json toJson(const VideoGrant& g) {
  json v = json::object();
  putBool(v, "roomCreate", g.roomCreate);
  putBool(v, "roomList", g.roomList);
  putBool(v, "roomRecord", g.roomRecord);
  putBool(v, "roomAdmin", g.roomAdmin);
  putBool(v, "roomJoin", g.roomJoin);
  putString(v, "room", g.room);
  putOptionalBool(v, "canPublish", g.canPublish);
  putOptionalBool(v, "canSubscribe", g.canSubscribe);
  putOptionalBool(v, "canPublishData", g.canPublishData);
  if (!g.canPublishSources.empty()) v["canPublishSources"] = g.canPublishSources;
  putOptionalBool(v, "canUpdateOwnMetadata", g.canUpdateOwnMetadata);
  putBool(v, "ingressAdmin", g.ingressAdmin);
  putBool(v, "hidden", g.hidden);
  putBool(v, "recorder", g.recorder);
  putBool(v, "agent", g.agent);
  putOptionalBool(v, "canSubscribeMetrics", g.canSubscribeMetrics);
  putOptionalBool(v, "canManageAgentSession", g.canManageAgentSession);
  putString(v, "destinationRoom", g.destinationRoom);
  return v;
}

void toJson(const ClaimGrants& g, json& out) {
  if (!g.extraClaims.empty()) {
    // Written first so that a modelled claim of the same name wins.
    const json extra = json::parse(g.extraClaims, nullptr, false);
    if (extra.is_object()) {
      for (const auto& [key, value] : extra.items()) out[key] = value;
    }
  }
  putString(out, "sub", g.identity);
  putString(out, "name", g.name);
  putString(out, "metadata", g.metadata);
  if (!g.attributes.empty()) out["attributes"] = g.attributes;
  putString(out, "kind", g.kind);
  if (!g.kindDetails.empty()) out["kindDetails"] = g.kindDetails;
  if (g.video) out["video"] = toJson(*g.video);
  if (g.sip) {
    json sip = json::object();
    putBool(sip, "admin", g.sip->admin);
    putBool(sip, "call", g.sip->call);
    out["sip"] = std::move(sip);
  }
  putString(out, "sha256", g.sha256);
  putString(out, "roomPreset", g.roomPreset);
  if (!g.roomConfig.empty()) {
    json config = json::parse(g.roomConfig, nullptr, false);
    if (!config.is_discarded()) out["roomConfig"] = std::move(config);
  }
}

std::optional<std::string> fromJson(const json& v, VideoGrant& g) {
  if (!v.is_object()) return typeError("video", "an object");
  for (const auto& error :
       {readBool(v, "roomCreate", g.roomCreate), readBool(v, "roomList", g.roomList),
        readBool(v, "roomRecord", g.roomRecord), readBool(v, "roomAdmin", g.roomAdmin),
        readBool(v, "roomJoin", g.roomJoin), readString(v, "room", g.room),
        readBool(v, "canPublish", g.canPublish), readBool(v, "canSubscribe", g.canSubscribe),
        readBool(v, "canPublishData", g.canPublishData),
        readStringList(v, "canPublishSources", g.canPublishSources),
        readBool(v, "canUpdateOwnMetadata", g.canUpdateOwnMetadata),
        readBool(v, "ingressAdmin", g.ingressAdmin), readBool(v, "hidden", g.hidden),
        readBool(v, "recorder", g.recorder), readBool(v, "agent", g.agent),
        readBool(v, "canSubscribeMetrics", g.canSubscribeMetrics),
        readBool(v, "canManageAgentSession", g.canManageAgentSession),
        readString(v, "destinationRoom", g.destinationRoom)}) {
    if (error) return error;
  }
  return std::nullopt;
}

std::optional<std::string> fromJson(const json& payload, ClaimGrants& g) {
  if (!payload.is_object()) return std::string("token payload must be a JSON object");
  for (const auto& error :
       {readString(payload, "sub", g.identity), readString(payload, "name", g.name),
        readString(payload, "metadata", g.metadata), readString(payload, "kind", g.kind),
        readStringList(payload, "kindDetails", g.kindDetails),
        readString(payload, "sha256", g.sha256), readString(payload, "roomPreset", g.roomPreset)}) {
    if (error) return error;
  }
  if (const auto it = payload.find("attributes"); it != payload.end() && !it->is_null()) {
    if (!it->is_object()) return typeError("attributes", "an object of strings");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) return typeError("attributes", "an object of strings");
      g.attributes[key] = value.get<std::string>();
    }
  }
  if (const auto it = payload.find("video"); it != payload.end() && !it->is_null()) {
    VideoGrant video;
    if (auto error = fromJson(*it, video)) return error;
    g.video = std::move(video);
  }
  if (const auto it = payload.find("sip"); it != payload.end() && !it->is_null()) {
    if (!it->is_object()) return typeError("sip", "an object");
    SipGrant sip;
    if (auto error = readBool(*it, "admin", sip.admin)) return error;
    if (auto error = readBool(*it, "call", sip.call)) return error;
    g.sip = sip;
  }
  if (const auto it = payload.find("roomConfig"); it != payload.end() && !it->is_null()) {
    if (!it->is_object()) return typeError("roomConfig", "an object");
    g.roomConfig = it->dump();
  }
  static constexpr std::array<std::string_view, 11> kModelled = {
      "name", "metadata", "attributes", "kind",       "kindDetails", "video",
      "sip",  "sha256",   "roomPreset", "roomConfig", "sub"};
  json extra = json::object();
  for (const auto& [key, value] : payload.items()) {
    if (isRegistered(key)) continue;
    bool modelled = false;
    for (const auto name : kModelled) modelled = modelled || name == key;
    if (!modelled) extra[key] = value;
  }
  if (!extra.empty()) g.extraClaims = extra.dump();
  return std::nullopt;
}

}  // namespace huddle::auth
