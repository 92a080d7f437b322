#include "auth/token_payload.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "auth/claims_json.h"

namespace huddle::auth {
namespace {

using nlohmann::json;

// The streaming reader: accepts only the common token shape and gives up (returns false from a
// callback, which stops the parse) on anything else, leaving that to the tree reader. It never
// reports errors itself, so both readers agree on every error by construction.
class CommonShapeReader final : public nlohmann::json_sax<json> {
 public:
  explicit CommonShapeReader(TokenPayload& out) : out_(out) {}

  bool null() override { return false; }
  bool boolean(bool value) override {
    if (depth_ != 2 || scope_ != Scope::Video) return false;
    VideoGrant& v = *out_.grants.video;
    if (bool* plain = plainFlag(v)) {
      *plain = value;
      return true;
    }
    if (std::optional<bool>* optional = optionalFlag(v)) {
      *optional = value;
      return true;
    }
    return false;
  }
  bool number_integer(number_integer_t value) override { return date(value); }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
      return false;
    return date(static_cast<std::int64_t>(value));
  }
  bool number_float(number_float_t, const string_t&) override { return false; }
  bool binary(binary_t&) override { return false; }

  bool string(string_t& value) override {
    if (depth_ == 1) {
      std::string* target = topLevelString();
      if (target == nullptr) return false;
      *target = std::move(value);
      return true;
    }
    if (depth_ == 2 && scope_ == Scope::Attributes) {
      out_.grants.attributes[key_] = std::move(value);
      return true;
    }
    if (depth_ == 2 && scope_ == Scope::Video) {
      if (key_ == "room") {
        out_.grants.video->room = std::move(value);
      } else if (key_ == "destinationRoom") {
        out_.grants.video->destinationRoom = std::move(value);
      } else {
        return false;
      }
      return true;
    }
    if (depth_ == 3 && inSources_) {
      out_.grants.video->canPublishSources.push_back(std::move(value));
      return true;
    }
    return false;
  }

  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1) return true;
    if (depth_ != 2) return false;
    if (key_ == "video" && !out_.grants.video) {
      out_.grants.video.emplace();
      scope_ = Scope::Video;
      return true;
    }
    if (key_ == "attributes" && !sawAttributes_) {
      sawAttributes_ = true;
      scope_ = Scope::Attributes;
      return true;
    }
    return false;
  }
  bool end_object() override {
    --depth_;
    scope_ = Scope::Top;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ != 3 || scope_ != Scope::Video || key_ != "canPublishSources") return false;
    out_.grants.video->canPublishSources.clear();
    inSources_ = true;
    return true;
  }
  bool end_array() override {
    --depth_;
    inSources_ = false;
    return true;
  }
  bool key(string_t& value) override {
    key_ = std::move(value);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  enum class Scope { Top, Video, Attributes };

  bool date(std::int64_t value) {
    if (depth_ != 1) return false;
    if (key_ == "exp") {
      out_.expiresAt = value;
    } else if (key_ == "nbf") {
      out_.notBefore = value;
    } else if (key_ == "iat") {
      out_.issuedAt = value;
    } else {
      return false;
    }
    return true;
  }

  std::string* topLevelString() {
    ClaimGrants& g = out_.grants;
    if (key_ == "iss") return &out_.issuer;
    if (key_ == "sub") return &g.identity;
    if (key_ == "name") return &g.name;
    if (key_ == "metadata") return &g.metadata;
    if (key_ == "kind") return &g.kind;
    if (key_ == "jti") return &out_.jwtId;
    if (key_ == "sha256") return &g.sha256;
    if (key_ == "roomPreset") return &g.roomPreset;
    return nullptr;
  }

  bool* plainFlag(VideoGrant& v) {
    if (key_ == "roomJoin") return &v.roomJoin;
    if (key_ == "roomCreate") return &v.roomCreate;
    if (key_ == "roomList") return &v.roomList;
    if (key_ == "roomRecord") return &v.roomRecord;
    if (key_ == "roomAdmin") return &v.roomAdmin;
    if (key_ == "ingressAdmin") return &v.ingressAdmin;
    if (key_ == "hidden") return &v.hidden;
    if (key_ == "recorder") return &v.recorder;
    if (key_ == "agent") return &v.agent;
    return nullptr;
  }

  std::optional<bool>* optionalFlag(VideoGrant& v) {
    if (key_ == "canPublish") return &v.canPublish;
    if (key_ == "canSubscribe") return &v.canSubscribe;
    if (key_ == "canPublishData") return &v.canPublishData;
    if (key_ == "canUpdateOwnMetadata") return &v.canUpdateOwnMetadata;
    if (key_ == "canSubscribeMetrics") return &v.canSubscribeMetrics;
    if (key_ == "canManageAgentSession") return &v.canManageAgentSession;
    return nullptr;
  }

  TokenPayload& out_;
  std::string key_;
  int depth_ = 0;
  Scope scope_ = Scope::Top;
  bool inSources_ = false;
  bool sawAttributes_ = false;
};

// Reads a NumericDate claim. Fractional seconds (allowed by RFC 7519) are floored.
void readDate(const json& payload, const char* claim, std::optional<std::int64_t>& out,
              bool& malformed) {
  const auto it = payload.find(claim);
  if (it == payload.end() || it->is_null()) return;
  if (it->is_number_integer()) {
    out = it->get<std::int64_t>();
  } else if (it->is_number_float() && std::isfinite(it->get<double>()) &&
             std::abs(it->get<double>()) < 1e15) {
    out = static_cast<std::int64_t>(std::floor(it->get<double>()));
  } else {
    malformed = true;
  }
}

std::optional<TokenPayload> readThroughTree(std::string_view text) {
  const json payload = json::parse(text.begin(), text.end(), nullptr, false);
  if (!payload.is_object()) return std::nullopt;
  TokenPayload out;
  if (const auto iss = payload.find("iss"); iss != payload.end() && iss->is_string()) {
    out.issuer = iss->get<std::string>();
  }
  readDate(payload, "exp", out.expiresAt, out.datesMalformed);
  readDate(payload, "nbf", out.notBefore, out.datesMalformed);
  readDate(payload, "iat", out.issuedAt, out.datesMalformed);
  if (const auto jti = payload.find("jti"); jti != payload.end() && !jti->is_null()) {
    if (jti->is_string()) {
      out.jwtId = jti->get<std::string>();
    } else {
      out.jwtIdMalformed = true;
    }
  }
  out.claimsError = fromJson(payload, out.grants);
  return out;
}

}  // namespace

std::optional<TokenPayload> readTokenPayload(std::string_view text) {
  TokenPayload fast;
  CommonShapeReader reader(fast);
  if (json::sax_parse(text.begin(), text.end(), &reader)) return fast;
  return readThroughTree(text);
}

}  // namespace huddle::auth
